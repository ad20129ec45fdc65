"""The organisation workbook (issue #12, items 1, 2 and 8): one format both
ways, rows matched on natural keys, a preview with every row's fate and every
error in Vietnamese, all or nothing."""

import datetime
import io

import pytest
import tablib
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from onboarding.services import organisation_export, organisation_import, organisation_template
from onboarding.workbook import SHEET_TITLES, WorkbookError, headers, write
from reports.models import Assignment
from tests.factories import AssignmentFactory, DirectiveFactory, ScheduleFactory, TaskFactory, UnitFactory
from units.models import Membership, Unit

User = get_user_model()


def book(**sheets):
    """An .xlsx workbook with the given sheets' rows (lists, in the headers' order)."""
    datasets = {key: tablib.Dataset(*sheets.get(key, []), headers=headers(key)) for key in SHEET_TITLES}
    data = write(datasets)
    if set(sheets) == set(SHEET_TITLES):
        return data
    # Keep only the sheets asked for, as an office's partial file would.
    loaded = load_workbook(io.BytesIO(data))
    for key, title in SHEET_TITLES.items():
        if key not in sheets:
            del loaded[title]
    output = io.BytesIO()
    loaded.save(output)
    return output.getvalue()


def run(data, dry_run=False):
    return organisation_import(data=data, filename="to-chuc.xlsx", dry_run=dry_run)


UNIT = ["huyen-uy-a", "Huyện ủy A", "", "Cấp ủy", "Huyện", "tinh-uy", "01/01/2021", "", "a@example.vn", "có"]


@pytest.fixture
def world(db):
    province = UnitFactory(code="tinh-uy", name="Tỉnh ủy Thử", level=1)
    directive = DirectiveFactory(number="12-CT/TU", issuing_unit=province)
    TaskFactory(directive=directive, number=1)
    TaskFactory(directive=directive, number=2)
    ScheduleFactory(code="bao-cao")
    return province


def test_a_new_workbook_creates_units_users_memberships_and_assignments(world):
    data = book(
        units=[UNIT, ["xa-b", "Đảng ủy xã B", "", "party_committee", "3", "huyen-uy-a", "", "", "", "không"]],
        users=[["nguyenvana", "Nguyễn Văn", "A", "a@example.vn", "có"]],
        memberships=[["nguyenvana", "huyen-uy-a", "Chuyên viên báo cáo"]],
        assignments=[
            [
                "12-CT/TU",
                "1",
                "huyen-uy-a",
                "Chủ trì",
                "Đ/c Bí thư",
                "",
                "31/12/2025",
                "",
                "",
                "tinh-uy",
                "bao-cao",
            ]
        ],
    )

    report = run(data)

    assert report.ok and report.applied, list(report.error_lines())
    assert report.counts == {"new": 5, "changed": 0, "unchanged": 0, "error": 0}
    commune = Unit.objects.get(code="xa-b")
    assert (commune.parent.code, commune.level, commune.requires_signoff) == ("huyen-uy-a", 3, False)
    user = User.objects.get(username="nguyenvana")
    assert (user.last_name, user.first_name, user.has_usable_password()) == ("Nguyễn Văn", "A", False)
    assert report.created_users == [user.pk]
    assert Membership.objects.get(user=user).unit.code == "huyen-uy-a"
    assignment = Assignment.objects.get()
    assert (assignment.task.number, assignment.responsible_person, str(assignment.deadline)) == (
        1,
        "Đ/c Bí thư",
        "2025-12-31",
    )


def test_a_child_may_come_before_its_parent_in_the_sheet(world):
    child = ["xa-b", "Đảng ủy xã B", "", "Cấp ủy", "Xã", "huyen-uy-a", "", "", "", "có"]

    assert run(book(units=[child, UNIT])).ok
    assert Unit.objects.get(code="xa-b").parent.code == "huyen-uy-a"


def test_importing_the_same_file_again_changes_nothing_and_an_edit_changes_only_its_row(world):
    rows = [UNIT, ["xa-b", "Đảng ủy xã B", "", "Cấp ủy", "Xã", "huyen-uy-a", "", "", "", "có"]]
    run(book(units=rows))

    again = run(book(units=rows))
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 2, "error": 0}

    edited = [UNIT, ["xa-b", "Đảng ủy xã B (mới)", "", "Cấp ủy", "Xã", "huyen-uy-a", "", "", "", "có"]]
    report = run(book(units=edited))
    changed = [row for row in report.sheets[0].rows if row.status == "changed"]
    assert [(row.key, row.changed) for row in changed] == [("xa-b", ["Tên đơn vị"])]


def test_export_then_import_is_a_no_op_on_the_demo_province(db, settings):
    settings.DEBUG = True
    call_command("load_directive", verbosity=0)
    call_command("demo_data", verbosity=0)
    before = (Unit.objects.count(), User.objects.count(), Membership.objects.count(), Assignment.objects.count())

    report = run(organisation_export())

    assert report.ok, list(report.error_lines())[:5]
    assert report.counts["new"] == report.counts["changed"] == 0
    assert report.counts["unchanged"] == sum(before)
    after = (Unit.objects.count(), User.objects.count(), Membership.objects.count(), Assignment.objects.count())
    assert after == before


@pytest.mark.parametrize(
    ("sheet", "row", "column", "message"),
    [
        ("units", [*UNIT[:5], "khong-co", *UNIT[6:]], "Mã đơn vị cấp trên", "Không có đơn vị nào mã “khong-co”"),
        ("units", [*UNIT[:3], "Câu lạc bộ", *UNIT[4:]], "Loại", "không có trong danh sách"),
        ("units", [*UNIT[:4], "Liên xã", *UNIT[5:]], "Cấp", "không có trong danh sách"),
        ("units", [*UNIT[:6], "01/01/2022", "01/01/2021", *UNIT[8:]], None, "phải sau ngày bắt đầu"),
        ("units", [*UNIT[:8], "khong-phai-email", UNIT[9]], "E-mail", "địa chỉ e-mail hợp lệ"),
        ("users", ["NGUYENVANA", "Nguyễn Văn", "A", "", "có"], "Tên đăng nhập", "đã có người dùng"),
        ("users", ["moi", "Trần", "B", "sai@", "có"], "E-mail", "không phải là địa chỉ e-mail"),
    ],
)
def test_a_bad_row_is_reported_with_its_sheet_row_column_and_a_vietnamese_message(world, sheet, row, column, message):
    User.objects.create(username="nguyenvana")
    report = run(book(**{sheet: [row]}), dry_run=True)

    assert not report.ok
    (error,) = [r for s in report.sheets for r in s.errors]
    assert error.number == 2
    columns = [name for name, _text in error.errors]
    texts = " ".join(text for _name, text in error.errors)
    assert column is None or column in columns, error.errors
    assert message.casefold() in texts.casefold(), error.errors


def test_a_cycle_in_the_tree_is_an_error(world):
    run(book(units=[UNIT]))
    loop = ["tinh-uy", "Tỉnh ủy Thử", "", "Cấp ủy", "Tỉnh", "huyen-uy-a", "", "", "", "có"]

    report = run(book(units=[loop]), dry_run=True)

    assert "vòng" in " ".join(text for row in report.sheets[0].errors for _c, text in row.errors)


def test_a_second_lead_for_a_task_in_the_same_area_is_an_error(world):
    first = UnitFactory(code="ban-a", parent=world, kind="advisory_body")
    second = UnitFactory(code="ban-b", parent=world, kind="advisory_body")
    task = world.issued_directives.get().tasks.get(number=1)
    AssignmentFactory(task=task, unit=first, role="lead")
    row = ["12-CT/TU", "1", second.code, "Chủ trì", "", "", "", "", "", "", "bao-cao"]

    report = run(book(assignments=[row]), dry_run=True)

    assert not report.ok
    assert "đã chủ trì nhiệm vụ này" in " ".join(t for r in report.sheets[0].errors for _c, t in r.errors)


def test_the_same_key_twice_in_a_sheet_is_an_error(world):
    report = run(book(units=[UNIT, UNIT]), dry_run=True)

    assert [row.number for row in report.sheets[0].errors] == [3]


def test_one_bad_row_means_nothing_is_written(world):
    bad = ["xa-c", "Xã C", "", "Cấp ủy", "Xã", "khong-co", "", "", "", "có"]
    report = run(book(units=[UNIT, bad], users=[["moi", "Trần", "B", "b@example.vn", "có"]]))

    assert not report.ok and not report.applied
    assert not Unit.objects.filter(code="huyen-uy-a").exists()
    assert not User.objects.filter(username="moi").exists()


def test_a_dry_run_writes_nothing(world):
    report = run(book(units=[UNIT]), dry_run=True)

    assert report.ok and not report.applied
    assert not Unit.objects.filter(code="huyen-uy-a").exists()


def test_a_csv_file_of_one_sheet_is_accepted(world):
    text = ",".join(headers("units")) + "\n" + ",".join(UNIT) + "\n"

    report = organisation_import(data=text.encode("utf-8-sig"), filename="don-vi.csv", dry_run=False)

    assert report.ok and Unit.objects.filter(code="huyen-uy-a").exists()


def test_a_file_that_is_not_the_workbook_is_refused_in_vietnamese(world):
    with pytest.raises(WorkbookError, match="không phải"):
        run(b"not a workbook")


def test_the_template_has_the_instructions_and_an_example_row_per_sheet(db):
    loaded = load_workbook(io.BytesIO(organisation_template()))

    assert loaded.sheetnames == ["Hướng dẫn", *SHEET_TITLES.values()]
    for key, title in SHEET_TITLES.items():
        rows = list(loaded[title].iter_rows(values_only=True))
        assert list(rows[0]) == headers(key) and len(rows) >= 2


def test_exported_text_cells_are_never_formulas(world):
    UnitFactory(code="bad", name='=HYPERLINK("http://x")', parent=world)
    loaded = load_workbook(io.BytesIO(organisation_export()))

    cells = [cell for sheet in loaded.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]


def test_the_commands_import_with_a_dry_run_and_fail_on_row_errors(world, tmp_path, capsys):
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(book(units=[UNIT]))
    bad.write_bytes(book(units=[[*UNIT[:5], "khong-co", *UNIT[6:]]]))

    call_command("import_organisation", str(good), "--dry-run")
    assert not Unit.objects.filter(code="huyen-uy-a").exists()
    with pytest.raises(CommandError):
        call_command("import_organisation", str(bad))
    assert "dòng 2" in capsys.readouterr().err
    call_command("import_organisation", str(good))
    assert Unit.objects.filter(code="huyen-uy-a").exists()

    out = tmp_path / "out.xlsx"
    call_command("export_organisation", str(out))
    assert load_workbook(out)["Đơn vị"]["A2"].value


def test_a_closed_unit_takes_no_new_membership_or_assignment(world):
    UnitFactory(code="xa-cu", name="Xã Cũ", parent=world, valid_from=None, valid_to=datetime.date(2025, 6, 30))
    User.objects.create(username="nguyenvana")
    data = book(
        memberships=[["nguyenvana", "xa-cu", "Chuyên viên báo cáo"]],
        assignments=[["12-CT/TU", "1", "xa-cu", "Phối hợp", "", "", "", "", "", "", "bao-cao"]],
    )

    report = run(data, dry_run=True)

    errors = [(sheet.key, row.errors) for sheet in report.sheets for row in sheet.errors]
    assert [key for key, _e in errors] == ["memberships", "assignments"]
    for _key, row_errors in errors:
        assert row_errors == [
            ("Mã đơn vị", "Đơn vị “xa-cu” đã đóng từ ngày 30/06/2025: không nhận thêm thành viên hay phân công mới.")
        ]


def test_what_a_closed_unit_already_has_is_exported_and_imported_unchanged(world):
    closed = UnitFactory(code="xa-cu", name="Xã Cũ", parent=world, valid_to=datetime.date(2025, 6, 30))
    task = world.issued_directives.get().tasks.get(number=1)
    AssignmentFactory(task=task, unit=closed, role="coordinating")

    report = run(organisation_export(), dry_run=True)

    assert report.ok and report.counts["new"] == report.counts["changed"] == 0, list(report.error_lines())


def test_a_lead_changed_to_co_ordinating_on_the_sheet_frees_the_area_for_another_row(world):
    first = UnitFactory(code="ban-a", parent=world, kind="advisory_body")
    UnitFactory(code="ban-b", parent=world, kind="advisory_body")
    task = world.issued_directives.get().tasks.get(number=1)
    AssignmentFactory(task=task, unit=first, role="lead")
    rows = [
        ["12-CT/TU", "1", "ban-a", "Phối hợp", "", "", "", "", "", "", "bao-cao"],
        ["12-CT/TU", "1", "ban-b", "Chủ trì", "", "", "", "", "", "", "bao-cao"],
    ]

    report = run(book(assignments=rows))

    assert report.applied, list(report.error_lines())
    assert Assignment.objects.get(unit__code="ban-b").role == "lead"


def test_the_check_reads_the_database_a_fixed_number_of_times_whatever_the_rows(world, django_assert_max_num_queries):
    def units(count):
        return [[f"xa-{n}", f"Xã {n}", "", "Cấp ủy", "Xã", "tinh-uy", "", "", "", "có"] for n in range(count)]

    def sheets(count):
        return book(
            units=units(count),
            users=[[f"user{n}", "Trần", f"B{n}", f"b{n}@example.vn", "có"] for n in range(count)],
            memberships=[[f"user{n}", f"xa-{n}", "Chuyên viên báo cáo"] for n in range(count)],
            assignments=[
                ["12-CT/TU", "1", f"xa-{n}", "Chủ trì", "", "", "", "", "", "", "bao-cao"] for n in range(count)
            ],
        )

    small, large = sheets(3), sheets(60)
    with django_assert_max_num_queries(12):
        assert run(small, dry_run=True).ok
    with django_assert_max_num_queries(12):
        assert run(large, dry_run=True).ok


def test_applied_rows_are_written_in_bulk_with_the_importer_in_the_history(world, admin_user):
    count = 40
    data = book(
        units=[[f"xa-{n}", f"Xã {n}", "", "Cấp ủy", "Xã", "tinh-uy", "", "", "", "có"] for n in range(count)],
        assignments=[["12-CT/TU", "1", f"xa-{n}", "Chủ trì", "", "", "", "", "", "", "bao-cao"] for n in range(count)],
    )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        report = organisation_import(data=data, filename="to-chuc.xlsx", dry_run=False, user=admin_user)

    assert report.applied and Assignment.objects.count() == count
    assert len(queries) < 40
    history = Assignment.history.filter(unit__code="xa-1").get()
    assert history.history_user == admin_user and "to-chuc.xlsx" in history.history_change_reason

    edited = book(assignments=[["12-CT/TU", "1", "xa-1", "Chủ trì", "Đ/c Lan", "", "", "", "", "", "bao-cao"]])
    report = organisation_import(data=edited, filename="sua.xlsx", dry_run=False, user=admin_user)
    assert [row.changed for row in report.sheets[0].rows] == [["Rõ người"]]
    assert Assignment.objects.get(unit__code="xa-1").responsible_person == "Đ/c Lan"
    assert Assignment.history.filter(unit__code="xa-1").count() == 2


def test_the_check_of_a_large_workbook_reports_its_progress_as_it_goes(world):
    seen = []
    rows = [[f"xa-{n}", f"Xã {n}", "", "Cấp ủy", "Xã", "tinh-uy", "", "", "", "có"] for n in range(2500)]

    organisation_import(data=book(units=rows), filename="to-chuc.xlsx", dry_run=True, progress=seen.append)

    assert seen == [1000 / 2500, 2000 / 2500]
