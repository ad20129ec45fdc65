"""The demo province lives through 1 July 2025 (issue #12, item 7): applying
the shipped sample workbook keeps every figure of every period before it,
loses no report and counts none twice, and the periods after it are owed by
the successors."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command

from dashboard.figures import figures_build
from dashboard.models import Tally
from dashboard.tallies import FIELDS, tallies_rebuild
from directives.models import Directive
from onboarding.reorganisation import changes_read
from onboarding.reorganisation_demo import CITY, EFFECTIVE_ON, SAMPLE_PATH, demo_changes
from reports.demo import demo_data_create
from reports.models import Assignment, ProgressReport, ReportingPeriod
from units.models import Membership, Reorganisation, Unit, UnitPlacement
from units.reorganisation import _figures_before

TODAY = datetime.date(2026, 1, 15)
pytestmark = pytest.mark.django_db


def _past_tallies():
    rows = Tally.objects.filter(period__ends_on__lt=EFFECTIVE_ON).values_list(
        "task_id", "period_id", "top_unit_id", *FIELDS
    )
    return sorted(rows)


def _reports():
    return sorted(ProgressReport.objects.values_list("pk", "assignment_id", "period_id", "state", "submitted_at"))


def _counted(directive):
    """{period pk: the reports the dashboard counts for it}, each at most once."""
    found = {}
    periods = ReportingPeriod.objects.filter(ends_on__lt=EFFECTIVE_ON, schedule__assignments__task__directive=directive)
    for period in periods.distinct():
        figures = figures_build(directive=directive, periods=[period], as_of=TODAY)
        counted = [row.report.pk for _cell, row in figures.expected_rows() if row.report is not None]
        assert len(counted) == len(set(counted)), period
        found[period.pk] = sorted(counted)
    return found


def test_the_shipped_sample_workbook_is_the_one_the_code_builds():
    changes, problems = changes_read(data=SAMPLE_PATH.read_bytes(), filename=SAMPLE_PATH.name)
    assert problems == []
    assert changes and [(c.code, c.kind, c.successors, c.effective_on, c.parent, [n for n in c.names if n], c.sample)
                        for c in changes] == [
        (c.code, c.kind, c.successors, c.effective_on, c.parent, [n for n in c.names if n], c.sample)
        for c in demo_changes()
    ]  # fmt: skip
    # Every unit the sheet opens is sample data and says so, except the city's Party committee.
    for change in changes:
        for name in change.names:
            if name and name != "Thành ủy Hải Phòng":
                assert name.endswith("(dữ liệu mẫu)") and change.sample, name


@time_machine.travel(datetime.datetime(2026, 1, 15, 9, 0), tick=False)
def test_reorganising_the_demo_province_keeps_the_past_and_hands_the_future_to_the_successors(settings):
    settings.DEBUG = True
    demo_data_create(today=TODAY)
    tallies_rebuild(today=TODAY)
    directive = Directive.objects.in_force().get()
    figures_before = _figures_before(EFFECTIVE_ON, TODAY)
    tallies_before = _past_tallies()
    reports_before = _reports()
    counted_before = _counted(directive)
    assert len(figures_before) >= 6 and tallies_before and reports_before

    out = io.StringIO()
    call_command("demo_data", "--reorganise-2025", stdout=out)
    text = out.getvalue()
    assert "Đơn vị kết thúc hoạt động: 17" in text and "Đơn vị mới thành lập: 28" in text, text
    assert Reorganisation.objects.filter(source="demo_data").count() == 1

    # The tree: the district committees closed on 30 June 2025, the city's committee is the root from 1 July.
    last_day = EFFECTIVE_ON - datetime.timedelta(days=1)
    assert Unit.objects.filter(level=2, valid_to=last_day).count() == 12
    city = Unit.objects.get(code=CITY)
    assert city.parent_id is None and city.valid_from == EFFECTIVE_ON
    moved = Unit.objects.get(code="xa-mau-gia-loc-1")
    assert moved.parent_id == city.pk
    assert UnitPlacement.objects.get(unit=moved).parent.code == "hu-gia-loc"

    # Every figure of every period before 1 July 2025 is identical, live and in the rebuilt tallies.
    assert _figures_before(EFFECTIVE_ON, TODAY) == figures_before
    tallies_rebuild(today=TODAY)
    assert _past_tallies() == tallies_before
    # No report lost, moved or counted twice.
    assert _reports() == reports_before
    assert _counted(directive) == counted_before

    # Periods after it are owed by the units open then: the successors, never a closed unit.
    later = ReportingPeriod.objects.filter(
        starts_on__gt=EFFECTIVE_ON, starts_on__lte=TODAY, schedule__assignments__task__directive=directive
    ).distinct()
    assert later.exists()
    new_communes = set(Unit.objects.filter(code__startswith="xa-moi-").values_list("pk", flat=True))
    assert len(new_communes) == 24
    for period in later:
        figures = figures_build(directive=directive, periods=[period], as_of=TODAY)
        owing = {row.owing_unit.pk for _cell, row in figures.expected_rows()}
        closed = set(Unit.objects.filter(valid_to__lt=period.starts_on).values_list("pk", flat=True))
        assert owing and not owing & closed
        assert new_communes <= owing
        open_assignments = Assignment.objects.filter(schedule=period.schedule, task__directive=directive).exclude(
            unit__valid_to__lt=period.starts_on).exclude(unit__valid_from__gt=period.ends_on)  # fmt: skip
        assert figures.total.counts.expected == open_assignments.count()
    # The districts' staff keep their roles on the closed units (they read the past reports).
    assert Membership.objects.filter(unit__code="hu-gia-loc").exists()

    # Applying it again changes nothing.
    out = io.StringIO()
    call_command("demo_data", "--reorganise-2025", stdout=out)
    assert "Nothing to do" in out.getvalue()  # a developer's message, like the rest of demo_data
