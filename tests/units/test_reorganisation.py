"""Units that change over time (issue #12, items 5 and 6): dated places in the
tree, merge, split, rename, move and dissolution, all or nothing, and closed
units refused for new work."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dashboard.figures import figures_build
from dashboard.matrix import matrix_groups
from dashboard.models import Tally
from dashboard.tallies import tallies_rebuild
from onboarding.reorganisation import changes_read, sheet_write
from reports.models import Assignment
from tests.factories import AssignmentFactory, MembershipFactory, PeriodFactory, ReportFactory, TaskFactory, UnitFactory
from units.models import Membership, Reorganisation, Unit, UnitPlacement, UnitSuccession
from units.reorganisation import Change, ChangeKind, MembershipChoice, reorganisation_run

D = datetime.date
DAY = D(2025, 7, 1)
NOW = datetime.datetime(2026, 1, 15, 9, 0)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def periods(schedule):
    past = PeriodFactory(schedule=schedule, key="2024-H1", starts_on=D(2023, 12, 15), ends_on=D(2024, 6, 14),
                         due_on=D(2024, 6, 19))  # fmt: skip
    later = PeriodFactory(schedule=schedule, key="2026-H1", starts_on=D(2025, 12, 15), ends_on=D(2026, 6, 14),
                          due_on=D(2026, 6, 19))  # fmt: skip
    return past, later


@pytest.fixture
def commune(unit_a, task, schedule, periods):
    """A commune under unit A with an assignment and a report of the past period."""
    unit = UnitFactory(code="xa-1", name="Đảng ủy xã Một (thử)", level=3, parent=unit_a)
    assignment = AssignmentFactory(task=task, unit=unit, schedule=schedule)
    ReportFactory(assignment=assignment, period=periods[0], state="accepted",
                  submitted_at=timezone.make_aware(datetime.datetime(2024, 6, 10, 9)))  # fmt: skip
    return unit


def run(*changes, dry_run=False):
    return reorganisation_run(changes=list(changes), user=None, dry_run=dry_run)


def subtree_expected(figures, unit_pk):
    return figures.block_for(figures.subtree_ids(unit_pk)).counts.expected


def test_a_moved_unit_rolls_up_where_it_stood_in_each_period(commune, unit_a, unit_b, assignment_b, task, periods):
    past, later = periods
    outcome = run(Change(code="xa-1", kind=ChangeKind.MOVE, effective_on=DAY, parent="unit-b"))
    assert outcome.applied and outcome.figures_same, outcome.problems
    commune.refresh_from_db()
    assert commune.parent_id == unit_b.pk  # the current tree: one recursive query, as before
    assert UnitPlacement.objects.get(unit=commune).parent_id == unit_a.pk
    directive = task.directive
    before = figures_build(directive=directive, periods=[past], as_of=D(2026, 1, 15))
    assert subtree_expected(before, unit_a.pk) == 1 and subtree_expected(before, unit_b.pk) == 1
    rows = {row.unit.pk: row.total.counts.received for group in matrix_groups(before) for row in group.rows}
    assert rows[unit_a.pk] == 1  # the commune's report stays under its district of then
    after = figures_build(directive=directive, periods=[later], as_of=D(2026, 1, 15))
    assert subtree_expected(after, unit_b.pk) == 2 and subtree_expected(after, unit_a.pk) == 0
    # A unit's own page covers the subtree of the period too.
    scoped = figures_build(directive=directive, periods=[past], as_of=D(2026, 1, 15), scope=unit_a)
    assert scoped.total.counts.received == 1
    # The tallies key each period by the top row of then.
    tallies_rebuild(directive=directive, today=D(2026, 1, 15))
    assert Tally.objects.get(period=past, top_unit=unit_a).received == 1
    assert Tally.objects.get(period=later, top_unit=unit_b).expected == 2


def test_a_merger_moves_staff_and_keeps_every_past_figure(commune, unit_a, unit_b, reporter_a, periods):
    other_task = TaskFactory(directive=commune.assignments.get().task.directive)
    AssignmentFactory(task=other_task, unit=unit_a, schedule=commune.assignments.get().schedule)
    outcome = run(Change(code="unit-a", kind=ChangeKind.MERGE, effective_on=DAY, successors=["unit-b"]))
    assert outcome.applied and outcome.figures_same, outcome.problems
    unit_a.refresh_from_db()
    assert unit_a.valid_to == D(2025, 6, 30)
    assert UnitSuccession.objects.get(predecessor=unit_a).successor == unit_b
    # Unit B was open before: given the task, it would owe the periods before the merger too.
    assert not Assignment.objects.filter(unit=unit_b, task=other_task).exists()
    assert len(outcome.not_carried) == 1 and not outcome.carried
    assert Membership.objects.get(user=reporter_a).unit == unit_b
    assert len(outcome.memberships_moved) == 1
    # The commune under it moves with the merger, and says why.
    assert Unit.objects.get(code="xa-1").parent_id == unit_b.pk
    assert outcome.moved[0][1] == "xa-1" and outcome.moved[0][5]
    assert Reorganisation.objects.count() == 1


def test_a_new_successor_is_opened_by_the_sheet_with_its_name(unit_a, assignment_a, periods):
    change = Change(code="unit-a", kind=ChangeKind.RENAME, effective_on=DAY, successors=["unit-a-moi"],
                    names=["Đảng ủy Mới (dữ liệu mẫu)"], sample=True)  # fmt: skip
    outcome = run(change)
    assert outcome.applied, outcome.problems
    new = Unit.objects.get(code="unit-a-moi")
    assert new.valid_from == DAY and new.is_sample and new.parent_id == unit_a.parent_id
    assert new.kind == unit_a.kind and new.level == unit_a.level
    assert Assignment.objects.filter(unit=new, task=assignment_a.task).exists()


def test_a_dissolution_ends_the_assignments_and_nothing_is_owed_after(unit_a, assignment_a, head_a, periods):
    outcome = run(Change(code="unit-a", kind=ChangeKind.DISSOLVE, effective_on=DAY))
    assert outcome.applied, outcome.problems
    assert len(outcome.ended) == 1 and not outcome.carried
    assert len(outcome.memberships_kept) == 1  # its head keeps reading the past reports
    figures = figures_build(directive=assignment_a.task.directive, periods=[periods[1]], as_of=D(2026, 1, 15))
    assert figures.total.counts.expected == 0


def test_a_split_closes_the_unit_and_hands_each_successor_the_assignments(unit_a, assignment_a, reporter_a, periods):
    names = ["Xã Một (dữ liệu mẫu)", "Xã Hai (dữ liệu mẫu)"]
    change = Change(code="unit-a", kind=ChangeKind.SPLIT, effective_on=DAY, successors=["a-1", "a-2"],
                    names=names, unit_kind="party_committee", level=3)  # fmt: skip
    outcome = run(change)
    assert outcome.applied, outcome.problems
    assert Assignment.objects.filter(unit__code__in=["a-1", "a-2"], task=assignment_a.task).count() == 2
    assert Unit.objects.get(code="a-1").level == 3
    assert len(outcome.memberships_kept) == 1 and Membership.objects.get(user=reporter_a).unit == unit_a


def test_a_dry_run_and_a_refused_run_write_nothing(commune, unit_a, unit_b, periods):
    counts = (Unit.objects.count(), UnitPlacement.objects.count(), Assignment.objects.count())
    preview = run(Change(code="unit-a", kind=ChangeKind.MERGE, effective_on=DAY, successors=["unit-b"]), dry_run=True)
    assert preview.ok and not preview.applied and preview.closed and preview.checks
    refused = run(
        Change(code="xa-1", kind=ChangeKind.MOVE, effective_on=DAY, parent="unit-b", row=2),
        Change(code="nowhere", kind=ChangeKind.DISSOLVE, effective_on=DAY, row=3),
    )
    assert not refused.applied and [p.row for p in refused.problems] == [3]
    assert (Unit.objects.count(), UnitPlacement.objects.count(), Assignment.objects.count()) == counts
    assert Unit.objects.get(code="xa-1").parent_id == unit_a.pk
    assert Unit.objects.get(code="unit-a").valid_to is None
    assert not Reorganisation.objects.exists()


@pytest.mark.parametrize(
    "change, column",
    [
        (Change(code="unit-a", kind=ChangeKind.MERGE, effective_on=DAY), "successors"),
        (Change(code="unit-a", kind=ChangeKind.SPLIT, effective_on=DAY, successors=["unit-b"]), "successors"),
        (Change(code="unit-a", kind=ChangeKind.MOVE, effective_on=DAY), "parent"),
        (Change(code="unit-a", kind=ChangeKind.MOVE, effective_on=DAY, parent="xa-1"), "parent"),  # a cycle
        (Change(code="unit-a", kind=ChangeKind.MERGE, effective_on=DAY, successors=["new"]), "names"),
        (Change(code="unit-a", kind=ChangeKind.MERGE, effective_on=DAY, successors=["unit-a"]), "successors"),
        (Change(code="gone", kind=ChangeKind.DISSOLVE, effective_on=DAY), "code"),
        (Change(code="unit-a", kind=ChangeKind.DISSOLVE, effective_on=DAY), "code"),  # its commune left open
    ],
)
def test_every_refused_change_says_which_column(commune, unit_b, change, column):
    change.row = 2
    outcome = run(change)
    assert not outcome.applied
    assert column in [p.column for p in outcome.problems], outcome.problems


def test_a_unit_already_closed_cannot_close_again(unit_a):
    unit_a.valid_to = D(2024, 12, 31)
    unit_a.save()
    outcome = run(Change(code="unit-a", kind=ChangeKind.DISSOLVE, effective_on=DAY))
    assert [p.column for p in outcome.problems] == ["code"]


def test_a_closed_unit_takes_no_new_assignment_or_membership(unit_a, task, schedule, reporter_a, assignment_a):
    unit_a.valid_to = D(2025, 6, 30)
    unit_a.save()
    with pytest.raises(ValidationError) as refused:
        Assignment(task=TaskFactory(directive=task.directive), unit=unit_a, schedule=schedule).full_clean()
    assert "unit" in refused.value.message_dict
    with pytest.raises(ValidationError):
        Membership(user=MembershipFactory().user, unit=unit_a, role="head").full_clean()
    # What it already holds can still be corrected.
    assignment_a.responsible_person = "Đồng chí Bí thư"
    assignment_a.full_clean()
    Membership.objects.get(user=reporter_a).full_clean()


def test_the_admin_pickers_offer_open_units_only(unit_a, unit_b, admin_user, client_for):
    unit_a.valid_to = D(2025, 6, 30)
    unit_a.save()
    client = client_for(admin_user)
    for app, model, field in (("reports", "assignment", "unit"), ("units", "membership", "unit")):
        answer = client.get("/admin/autocomplete/", {"app_label": app, "model_name": model, "field_name": field,
                                                     "term": "Huyện ủy"}).json()  # fmt: skip
        ids = {int(row["id"]) for row in answer["results"]}
        assert unit_b.pk in ids and unit_a.pk not in ids


def test_the_sheet_reads_back_what_it_writes_and_names_bad_cells():
    changes = [
        Change(code="a", kind=ChangeKind.SPLIT, effective_on=DAY, successors=["b", "c"], parent="p",
               names=["B (dữ liệu mẫu)", "C (dữ liệu mẫu)"], unit_kind="party_committee", level=3, sample=True),
        Change(code="d", kind=ChangeKind.DISSOLVE, effective_on=DAY),
    ]  # fmt: skip
    read, problems = changes_read(data=sheet_write(changes), filename="sap-xep.xlsx")
    assert problems == []
    assert [(c.code, c.kind, c.successors, c.parent, c.names, c.unit_kind, c.level, c.sample) for c in read] == [
        (c.code, c.kind, c.successors, c.parent, c.names, c.unit_kind, c.level, c.sample) for c in changes
    ]
    bad = "Mã đơn vị,Hình thức thay đổi,Ngày hiệu lực,Cấp (đơn vị mới)\na,gộp lại,31/02/2025,Vũ trụ\n"
    _read, problems = changes_read(data=bad.encode(), filename="sap-xep.csv")
    assert {column for _row, column, _message in problems} == {
        "Hình thức thay đổi",
        "Ngày hiệu lực",
        "Cấp (đơn vị mới)",
    }
    assert {row for row, _column, _message in problems} == {2}


def test_only_administrators_reorganise(unit_a, office_user, reporter_a, client_for):
    for user in (office_user, reporter_a):
        user.is_staff = True
        user.save()
        client = client_for(user)
        for url in (reverse("admin:units_unit_reorganise"), reverse("admin:units_unit_close", args=[unit_a.pk])):
            assert client.get(url).status_code == 403, (user, url)
            assert client.post(url, {"confirm": "1", "token": "x"}).status_code == 403, (user, url)
    assert Unit.objects.get(pk=unit_a.pk).valid_to is None


def test_an_administrator_previews_then_applies_the_sheet(commune, unit_b, admin_user, client_for):
    client = client_for(admin_user)
    data = sheet_write([Change(code="xa-1", kind=ChangeKind.MOVE, effective_on=DAY, parent="unit-b")])
    url = reverse("admin:units_unit_reorganise")
    upload = _upload(data)
    page = client.post(url, {"file": upload})
    assert page.status_code == 200 and page.context["token"]
    assert not UnitPlacement.objects.exists()  # the preview wrote nothing
    token = page.context["token"]
    assert client.post(url, {"confirm": "1", "token": token[:-2] + "xx"}).status_code == 302  # tampered: refused
    assert not UnitPlacement.objects.exists()
    done = client.post(url, {"confirm": "1", "token": token})
    assert done.status_code == 200 and done.context["outcome"].applied
    assert Unit.objects.get(code="xa-1").parent_id == unit_b.pk
    assert Reorganisation.objects.get().user == admin_user


def test_the_closing_page_warns_previews_and_closes(unit_a, unit_b, assignment_a, reporter_a, admin_user, client_for):
    client = client_for(admin_user)
    url = reverse("admin:units_unit_close", args=[unit_a.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["assignments"] == [assignment_a]
    form = {"effective_on": "01/07/2025", "kind": "merge", "successors": unit_b.code, "assignments": "carry",
            "memberships": MembershipChoice.END}  # fmt: skip
    preview = client.post(url, form)
    assert preview.context["token"], preview.context["form"].errors
    assert Unit.objects.get(pk=unit_a.pk).valid_to is None
    done = client.post(url, {"confirm": "1", "token": preview.context["token"]})
    assert done.status_code == 302
    assert Unit.objects.get(pk=unit_a.pk).valid_to == D(2025, 6, 30)
    assert not Membership.objects.filter(user=reporter_a).exists()
    change_page = client.get(reverse("admin:units_unit_change", args=[unit_a.pk])).content.decode()
    assert unit_b.name in change_page and "unit-closed-notice" in change_page


def _upload(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("sap-xep.xlsx", data)


def test_staff_of_a_closed_unit_see_it_closed_and_are_not_reminded_after(
    unit_a, unit_b, assignment_a, assignment_b, reporter_a, schedule, client_for
):
    from reminders.services import reminders_sweep

    PeriodFactory(schedule=schedule, key="2026-01", starts_on=D(2025, 12, 15), ends_on=D(2026, 1, 14),
                  due_on=D(2026, 1, 16))  # fmt: skip

    def reminded():
        lines = reminders_sweep(now=timezone.make_aware(NOW), dry_run=True).lines
        return {row.assignment_id for row, _outcome in lines}

    assert {assignment_a.pk, assignment_b.pk} <= reminded()
    outcome = run(Change(code="unit-a", kind=ChangeKind.MERGE, effective_on=DAY, successors=["unit-b"],
                         memberships=MembershipChoice.KEEP))  # fmt: skip
    assert outcome.applied, outcome.problems
    assert assignment_a.pk not in reminded() and assignment_b.pk in reminded()
    page = client_for(reporter_a).get(reverse("my_work")).content.decode()
    assert 'data-testid="closed-unit"' in page and unit_b.name in page


def test_the_dashboard_page_of_a_closed_unit_names_its_successors(
    unit_a, unit_b, assignment_a, committee_user, client_for, periods
):
    outcome = run(Change(code="unit-a", kind=ChangeKind.MERGE, effective_on=DAY, successors=["unit-b"]))
    assert outcome.applied, outcome.problems
    page = client_for(committee_user).get(reverse("dashboard_unit", args=[unit_a.pk])).content.decode()
    assert 'data-testid="unit-successors"' in page and unit_b.name in page
