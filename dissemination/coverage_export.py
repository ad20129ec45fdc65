"""The dissemination coverage in the dashboard's exports: two sheets of the
XLSX workbook and a paragraph of section I of the compiled report. Both read
the same ``coverage_build`` as the dashboard section, for the export's scope
(a unit's subtree, or everything), and add nothing when the directive's
dissemination is not followed (no deadlines set, no plan, no Party cell)."""

from django.utils.translation import gettext as _

from dashboard.wording import vi_number, vi_percent
from dissemination.coverage import cells_not_reached, coverage_build


def coverage_for(figures):
    """(coverage, the export's unit pk or None, its tally) for the figures' directive and scope."""
    coverage = coverage_build(directive=figures.directive, today=figures.as_of)
    if not coverage.is_tracked:
        return coverage, None, None
    unit_pk = coverage.tree.current(figures.scope.pk) if figures.scope is not None else None
    tally = coverage.tally_of(unit_pk) if unit_pk is not None else coverage.total
    return coverage, unit_pk, tally


def _status_label(status):
    labels = {"on_time": _("Plan on time"), "late": _("Plan late"), "missing": _("No plan"),
              "not_due": _("Plan not yet due")}  # fmt: skip
    return str(labels.get(status, ""))


def _tally_values(tally):
    return [
        tally.committees, tally.plans_on_time, tally.plans_late, tally.plans_missing, tally.plans_not_due,
        tally.plan_rate, tally.cells, tally.cells_on_time, tally.cells_late, tally.cells_not_reached, tally.cell_rate,
        tally.members, tally.members_reached, tally.member_rate,
    ]  # fmt: skip


def _tally_headers():
    return [
        _("Committees owing a plan"), _("Plan on time"), _("Plan late"), _("No plan"), _("Plan not yet due"),
        _("With a plan (%)"), _("Party cells"), _("Confirmed on time"), _("Confirmed late"), _("Not yet reached"),
        _("Cells reached (%)"), _("Party members"), _("Members reached"), _("Members reached (%)"),
    ]  # fmt: skip


def _depth_first(coverage, unit_pk):
    """(depth, pk) of the units under ``unit_pk`` (the scope's roots when None) with anything to count."""
    stack = [(0, pk) for pk in reversed([row.unit.pk for row in coverage.rows(unit_pk)])]
    if unit_pk is not None:
        stack = [(0, unit_pk)]
    while stack:
        depth, pk = stack.pop()
        if coverage.tally_of(pk).is_empty:
            continue
        yield depth, pk
        stack.extend((depth + 1, child) for child in reversed(coverage.tree.units[pk].child_ids))


def coverage_sheets(workbook, figures):
    """Adds the sheets "Study and dissemination" (by level, then every unit
    rolled up) and "Cells not yet reached" to ``workbook``."""
    from dashboard.exports.xlsx import HEADER_FONT, PERCENT_FORMAT, _sheet
    from reports.spreadsheets import sheet_append

    coverage, unit_pk, tally = coverage_for(figures)
    if tally is None:
        return
    headers = [_("Unit"), _("Code"), _("Level"), _("Own plan"), *_tally_headers()]
    sheet = _sheet(workbook, _("Study and dissemination"), headers, [44, 16, 12, 18] + [12] * 14, freeze_columns=1)
    sheet_append(sheet, [str(_("Total")), "", "", "", *_tally_values(tally)])
    if unit_pk is None:
        for row in coverage.by_level:
            sheet_append(sheet, [f"{_('Level')}: {row.label}", "", "", "", *_tally_values(row.tally)])
    for depth, pk in _depth_first(coverage, unit_pk):
        unit = coverage.tree.units[pk]
        sheet_append(sheet, [
            "\u00a0\u00a0" * depth + unit.name, unit.code, str(dict(_levels()).get(unit.level, unit.level)),
            _status_label(coverage.plan_status.get(pk, "")), *_tally_values(coverage.tallies[pk]),
        ])  # fmt: skip
    for column in (10, 15, 18):
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = PERCENT_FORMAT
    for cell in sheet[2]:
        cell.font = HEADER_FONT
    headers = [_("Party cell"), _("Code"), _("Party members"), _("Committee"), _("Committee's e-mail")]
    sheet = _sheet(workbook, _("Cells not yet reached"), headers, [44, 20, 12, 44, 30], freeze_columns=1)
    for cell in cells_not_reached(coverage, unit_pk=unit_pk).iterator(chunk_size=2000):
        committee = coverage.tree.units.get(coverage.cell_parents.get(cell.parent_id))
        members = cell.cell_size.party_members if hasattr(cell, "cell_size") else None
        sheet_append(sheet, [cell.name, cell.code, members, committee.name if committee else "",
                             committee.email if committee else ""])  # fmt: skip


def _levels():
    from units.models import UnitLevel

    return UnitLevel.choices


def coverage_paragraph(figures):
    """Section I's sentence on plans, cells and members (the Party's wording,
    not translated), or [] when the dissemination is not followed."""
    _coverage, _unit_pk, tally = coverage_for(figures)
    if tally is None or tally.is_empty:
        return []
    text = "Về công tác học tập, quán triệt: "
    if tally.committees:
        text += (
            f"{vi_number(tally.plans)}/{vi_number(tally.committees)} cấp ủy, tổ chức đảng đã ban hành kế hoạch "
            f"triển khai ({vi_percent(tally.plan_rate)}), trong đó {vi_number(tally.plans_on_time)} đúng hạn, "
            f"{vi_number(tally.plans_late)} trễ hạn; {vi_number(tally.plans_missing)} chưa ban hành"
        )
        if tally.plans_not_due:
            text += f", {vi_number(tally.plans_not_due)} chưa đến hạn"
        text += ". "
    if tally.cells:
        text += (
            f"{vi_number(tally.cells_reached)}/{vi_number(tally.cells)} chi bộ đã học tập, quán triệt "
            f"({vi_percent(tally.cell_rate)}; {vi_number(tally.cells_late)} chi bộ thực hiện sau thời hạn), "
            f"{vi_number(tally.members_reached)}/{vi_number(tally.members)} đảng viên được quán triệt "
            f"({vi_percent(tally.member_rate)}); còn {vi_number(tally.cells_not_reached)} chi bộ chưa thực hiện."
        )
    return [text.strip()]
