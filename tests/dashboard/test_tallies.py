"""The maintained tallies give the dashboard exactly the figures it computes
live: after a rebuild, after reports move through the workflow (each save
applying its difference), and they step aside when stale or out of date."""

import datetime

import pytest
import time_machine
from django.test import RequestFactory
from django.utils import timezone

from dashboard.late import late_rows
from dashboard.matrix import matrix_groups
from dashboard.models import Tally, TallyState
from dashboard.selection import selection_from
from dashboard.tallies import FIELDS, tallies_rebuild
from dashboard.tally_figures import LATE_ROWS, tally_dashboard, tally_late_rows
from directives.models import Directive
from reports.demo import demo_data_create
from reports.models import Assignment, ProgressReport, ReportingPeriod, ReportState
from reports.workflow import report_transition
from tests.factories import AssignmentFactory, TaskFactory, UnitFactory, UserFactory
from units.models import Unit, UnitSuccession
from units.roles import ADMIN_GROUP

TODAY = datetime.date(2025, 9, 2)
NOW = datetime.datetime(2025, 9, 2, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))


@pytest.fixture
def demo(db):
    with time_machine.travel(NOW, tick=False):
        demo_data_create(today=TODAY, seed=7)
        yield Directive.objects.get()


def select(**params):
    return selection_from(RequestFactory().get("/dashboard/", params))


def ranges(directive):
    keys = list(dict.fromkeys(ReportingPeriod.objects.filter(due_on__lte=TODAY).order_by("due_on").values_list(
        "key", flat=True)))  # fmt: skip
    return [
        {"directive": directive.pk},  # the latest period due
        {"directive": directive.pk, "start": keys[0], "end": keys[-1]},  # the whole term so far
        {"directive": directive.pk, "start": keys[-4], "end": keys[-2]},  # across the 2025 merger
    ]


def block_values(block):
    counts = block.counts
    return (
        [
            getattr(counts, name)
            for name in ("expected", "received", "on_time", "late", "overdue", "awaiting", "accepted", "returned")
        ],  # fmt: skip
        dict(block.taxonomy.counts),
        (block.progress.weighted, block.progress.weight),
    )


def assert_same(selection):
    live = selection.figures()
    tallied = tally_dashboard(selection)
    assert tallied is not None, "the tallies should answer"
    figures, groups = tallied
    assert block_values(figures.total) == block_values(live.total)
    for mine, theirs in zip(figures.by_task, live.by_task, strict=True):
        assert block_values(mine.block) == block_values(theirs.block), mine.task
        assert mine.trend == theirs.trend, mine.task
    assert [(p.period.key, p.reporting_rate, p.on_time_rate, p.progress) for p in figures.series] == [
        (p.period.key, p.reporting_rate, p.on_time_rate, p.progress) for p in live.series
    ]
    live_rows = {row.unit.pk: row for group in matrix_groups(live) for row in group.rows}
    rows = {row.unit.pk: row for group in groups for row in group.rows}
    assert rows.keys() == live_rows.keys()
    for pk, row in rows.items():
        assert [b and block_values(b) for b in row.blocks] == [b and block_values(b) for b in live_rows[pk].blocks]
    live_late = {(row.unit.pk, row.task.pk, row.period.pk): row.days_overdue for row in late_rows(live)}
    late = tally_late_rows(selection, "days")
    assert len(late) == min(LATE_ROWS, len(live_late))
    assert {(row.unit.pk, row.task.pk, row.period.pk): row.days_overdue for row in late}.items() <= live_late.items()
    assert [row.days_overdue for row in late] == sorted(live_late.values(), reverse=True)[: len(late)]


def test_rebuilt_tallies_give_the_live_figures(demo):
    with time_machine.travel(NOW, tick=False):
        assert tallies_rebuild(directive=demo) > 0
        for params in ranges(demo):
            assert_same(select(**params))


def test_each_workflow_step_keeps_the_tallies_equal_to_a_rebuild(demo):
    admin = UserFactory(username="tally-admin", groups=[ADMIN_GROUP])
    admin.is_superuser = True
    admin.save()
    with time_machine.travel(NOW, tick=False):
        tallies_rebuild(directive=demo)
        waiting = list(ProgressReport.objects.filter(state=ReportState.SUBMITTED).order_by("pk")[:3])
        report_transition(report=waiting[0], action="accept", by=admin)
        report_transition(report=waiting[1], action="return", by=admin, reason="Bổ sung số liệu.")
        accepted = ProgressReport.objects.filter(state=ReportState.ACCEPTED).order_by("-period__due_on").first()
        report_transition(report=accepted, action="reopen", by=admin, reason="Sửa tỷ lệ.")
        draft = ProgressReport.objects.filter(state=ReportState.DRAFT).order_by("pk").first()
        draft.implementation_status, draft.percent_complete, draft.results = "completed", 100, "Đã hoàn thành."
        draft.save()
        report_transition(report=draft, action="submit", by=admin)
        maintained = sorted(Tally.objects.values_list("task_id", "period_id", "top_unit_id", *FIELDS))
        for params in ranges(demo):
            assert_same(select(**params))
        tallies_rebuild(directive=demo)
        assert sorted(Tally.objects.values_list("task_id", "period_id", "top_unit_id", *FIELDS)) == maintained


def test_a_new_root_unit_makes_the_dashboard_compute_live_until_rebuilt(demo):
    with time_machine.travel(NOW, tick=False):
        tallies_rebuild(directive=demo)
        assert tally_dashboard(select(directive=demo.pk)) is not None
        unit = UnitFactory(name="Đảng ủy xã Mới (thử)")  # no parent: the matrix's top rows change
        AssignmentFactory(task=demo.tasks.first(), unit=unit, schedule=demo.tasks.first().assignments.first().schedule)
        assert TallyState.objects.get(directive=demo).is_stale
        assert tally_dashboard(select(directive=demo.pk)) is None
        tallies_rebuild(directive=demo)
        assert_same(select(directive=demo.pk))


def _tallies():
    return sorted(Tally.objects.values_list("task_id", "period_id", "top_unit_id", *FIELDS))


def _assert_retallied(demo):
    """The tallies are still fresh, and equal to a rebuild's."""
    assert not TallyState.objects.get(directive=demo).is_stale
    maintained = _tallies()
    for params in ranges(demo):
        assert_same(select(**params))
    tallies_rebuild(directive=demo)
    assert _tallies() == maintained


def test_an_assignment_added_changed_or_removed_re_tallies_only_what_it_touches(demo, django_assert_max_num_queries):
    with time_machine.travel(NOW, tick=False):
        tallies_rebuild(directive=demo)
        task = demo.tasks.order_by("number").last()
        commune = Unit.objects.without_tree_fields().filter(level=3, parent__isnull=False).order_by("code").first()
        schedule = task.assignments.first().schedule
        with django_assert_max_num_queries(40):  # a few reads and writes, not a rebuild of everything
            added = AssignmentFactory(task=task, unit=commune, schedule=schedule, role="coordinating")
        _assert_retallied(demo)
        added.role, added.deadline = "lead", TODAY - datetime.timedelta(days=30)
        added.save()
        _assert_retallied(demo)
        added.delete()
        _assert_retallied(demo)


def test_an_assignments_wording_or_a_units_name_changes_nothing(demo, django_assert_max_num_queries):
    with time_machine.travel(NOW, tick=False):
        tallies_rebuild(directive=demo)
        before = _tallies()
        assignment = Assignment.objects.order_by("pk").first()
        assignment.responsible_person, assignment.work = "Đồng chí Phó Bí thư", "Chỉ đạo quán triệt."
        with django_assert_max_num_queries(4):
            assignment.save()
        unit = Unit.objects.without_tree_fields().get(pk=assignment.unit_id)
        unit.name = "Tên mới (thử)"
        unit.save()
        assert not TallyState.objects.get(directive=demo).is_stale and _tallies() == before


def test_a_unit_closed_on_another_day_re_tallies_its_top_row(demo):
    with time_machine.travel(NOW, tick=False):
        tallies_rebuild(directive=demo)
        linked = UnitSuccession.objects.values_list("predecessor_id", "successor_id")
        skip = {pk for pair in linked for pk in pair}
        unit = (
            Unit.objects.without_tree_fields()
            .filter(level=3, valid_to__isnull=True, assignments__isnull=False)
            .exclude(pk__in=skip)
            .order_by("code")
            .first()
        )
        unit.valid_to = TODAY - datetime.timedelta(days=100)
        unit.save()
        _assert_retallied(demo)


def test_a_unit_moved_or_a_task_deleted_rebuilds_everything(demo):
    with time_machine.travel(NOW, tick=False):
        tallies_rebuild(directive=demo)
        communes = Unit.objects.without_tree_fields().filter(level=3).order_by("code")
        unit, other = communes.first(), Unit.objects.without_tree_fields().get(pk=communes.last().parent_id)
        assert unit.parent_id != other.pk
        unit.parent = other
        unit.save()
        assert TallyState.objects.get(directive=demo).is_stale
        task = TaskFactory(directive=demo, number=99)
        AssignmentFactory(task=task, unit=other, schedule=demo.tasks.first().assignments.first().schedule)
        tallies_rebuild(directive=demo)
        assert not TallyState.objects.get(directive=demo).is_stale
        task.delete()  # its assignments go with it: one rebuild after, not one re-tally for each
        assert TallyState.objects.get(directive=demo).is_stale


def test_a_period_not_yet_past_due_is_read_from_tallies_built_that_day_only(demo):
    with time_machine.travel(NOW, tick=False):
        tallies_rebuild(directive=demo)
    current = ReportingPeriod.objects.filter(due_on__gte=TODAY).order_by("due_on").first()
    past = ReportingPeriod.objects.filter(due_on__lt=TODAY - datetime.timedelta(days=30)).order_by("-due_on").first()
    next_day = NOW + datetime.timedelta(days=1)
    with time_machine.travel(next_day, tick=False):
        assert timezone.localdate() == TODAY + datetime.timedelta(days=1)
        assert tally_dashboard(select(directive=demo.pk, start=current.key, end=current.key)) is None
        assert tally_dashboard(select(directive=demo.pk, start=past.key, end=past.key)) is not None


def test_the_dashboard_says_where_its_figures_come_from(demo, client):
    committee = UserFactory(username="btv-tally", groups=["Ban Thường vụ Tỉnh ủy"])
    client.force_login(committee)
    with time_machine.travel(NOW, tick=False):
        assert client.get("/dashboard/").context["from_tallies"] is False
        tallies_rebuild(directive=demo)
        response = client.get("/dashboard/")
        assert response.context["from_tallies"] is True
        assert response.status_code == 200


def test_a_cached_dashboard_shows_a_report_accepted_meanwhile(demo, client, django_capture_on_commit_callbacks):
    committee = UserFactory(username="btv-cache", groups=["Ban Thường vụ Tỉnh ủy"])
    admin = UserFactory(username="admin-cache", groups=[ADMIN_GROUP])
    client.force_login(committee)
    with time_machine.travel(NOW, tick=False):
        tallies_rebuild(directive=demo)
        waiting = ProgressReport.objects.filter(  # of a unit no merger concerns
            state=ReportState.SUBMITTED,
            period__due_on__lt=TODAY,
            assignment__unit__succession_from__isnull=True,
            assignment__unit__succession_to__isnull=True,
        ).first()
        url = f"/dashboard/?directive={demo.pk}&start={waiting.period.key}&end={waiting.period.key}"
        before = client.get(url)
        assert before.context["from_tallies"] is True
        assert client.get(url).context["body"] == before.context["body"]  # from the cache
        accepted = tally_dashboard(select(directive=demo.pk, start=waiting.period.key, end=waiting.period.key))
        count = accepted[0].total.counts.accepted
        assert f">{count}<" in before.context["body"]
        with django_capture_on_commit_callbacks(execute=True):
            report_transition(report=waiting, action="accept", by=admin)
        after = client.get(url)
        assert after.context["from_tallies"] is True
        assert f">{count + 1}<" in after.context["body"]


def test_a_report_saved_while_the_tallies_are_rebuilt_is_caught_up(demo):
    from dashboard.tallies import _catch_up, _Shape

    admin = UserFactory(username="admin-rebuild", groups=[ADMIN_GROUP])
    with time_machine.travel(NOW, tick=False):
        tallies_rebuild(directive=demo)
        since = timezone.now()
        shape = _Shape(demo, TODAY)  # what the rebuild read
        TallyState.objects.update(is_stale=True)  # as during a rebuild: the save's own update is skipped
        waiting = ProgressReport.objects.filter(state=ReportState.SUBMITTED).order_by("pk").first()
        report_transition(report=waiting, action="return", by=admin, reason="Bổ sung.")
        TallyState.objects.update(is_stale=False)
        _catch_up(shape, since)
        caught_up = sorted(Tally.objects.values_list("task_id", "period_id", "top_unit_id", *FIELDS))
        tallies_rebuild(directive=demo)
        assert sorted(Tally.objects.values_list("task_id", "period_id", "top_unit_id", *FIELDS)) == caught_up


def test_a_large_directive_shows_its_last_tallies_while_they_are_rebuilt(demo, client, settings):
    settings.DASHBOARD_LIVE_MAX_ASSIGNMENTS = 10  # the demo counts as large
    client.force_login(UserFactory(username="btv-stale", groups=["Ban Thường vụ Tỉnh ủy"]))
    with time_machine.travel(NOW, tick=False):
        tallies_rebuild(directive=demo)
        UnitFactory(name="Đảng ủy xã Mới (thử)")  # marks the tallies stale
        response = client.get("/dashboard/")
        assert response.context["from_tallies"] is True
        assert 'data-testid="tallies-being-rebuilt"' in response.context["body"]
        settings.DASHBOARD_LIVE_MAX_ASSIGNMENTS = 100_000
        assert client.get("/dashboard/").context["from_tallies"] is False  # small enough: computed live


def test_the_dashboard_read_from_tallies_does_not_say_nothing_is_expected(demo, client):
    client.force_login(UserFactory(username="btv-tallied", groups=["Ban Thường vụ Tỉnh ủy"]))
    with time_machine.travel(NOW, tick=False):
        tallies_rebuild(directive=demo)
        response = client.get("/dashboard/")

    assert response.context["from_tallies"] is True
    assert 'data-testid="no-assignments"' not in response.context["body"]
