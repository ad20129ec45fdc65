"""Indicator totals that never double-count (issue #13, item 4): each indicator
adds up as it says, checked against a hand-computed case in which the
six-month window lies inside the annual one."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from dashboard.figures import figures_build
from dashboard.indicators import Given, aggregate
from dashboard.summary import summary_content
from directives.models import Indicator, IndicatorAggregation, IndicatorKind
from reports.models import IndicatorValue, ReportingPeriod, ReportState
from tests.factories import (
    AssignmentFactory,
    DirectiveFactory,
    IndicatorFactory,
    PeriodFactory,
    ReportFactory,
    ScheduleFactory,
    TaskFactory,
    UnitFactory,
)

D = datetime.date
H1_2024 = (D(2023, 12, 15), D(2024, 6, 14), D(2024, 6, 19))
YEAR_2024 = (D(2023, 12, 15), D(2024, 12, 14), D(2024, 12, 19))
H1_2025 = (D(2024, 12, 15), D(2025, 6, 14), D(2025, 6, 19))


def given(assignment, window, value, role="lead"):
    return Given(assignment, role, *window, Decimal(value))


# Unit 1 (lead) sent the six-month and the annual report of 2024 and the first
# six months of 2025; unit 2 (co-ordinating) only the first six months of 2024.
CASE = {
    "counts": [
        given(1, H1_2024, 5),
        given(1, YEAR_2024, 12),
        given(1, H1_2025, 4),
        given(2, H1_2024, 3, "coordinating"),
    ],
    "percent": [given(1, H1_2024, 60), given(1, H1_2025, 80), given(2, H1_2024, 50, "coordinating")],
    "yes_no": [given(1, H1_2024, 0), given(1, H1_2025, 1), given(2, H1_2024, 0, "coordinating")],
}


def test_counts_per_period_take_the_annual_window_instead_of_the_six_months_inside_it():
    total = aggregate(IndicatorAggregation.PER_PERIOD, CASE["counts"])

    # Unit 1: the annual 12 (its H1 2024 lies inside it) + H1 2025's 4; unit 2: 3. A plain sum says 24.
    assert (total.value, total.used, total.answered) == (Decimal(19), 3, 2)


def test_a_six_month_report_counts_where_the_annual_one_is_missing():
    total = aggregate(IndicatorAggregation.PER_PERIOD, [given(1, H1_2024, 5), given(1, H1_2025, 4)])

    assert total.value == Decimal(9)


def test_cumulative_and_stock_take_each_units_latest_value():
    for rule in (IndicatorAggregation.CUMULATIVE, IndicatorAggregation.STOCK):
        total = aggregate(rule, CASE["counts"])
        assert (total.value, total.used) == (Decimal(4 + 3), 2)


def test_percentages_average_each_units_latest_value_with_the_progress_weights():
    total = aggregate(IndicatorAggregation.PERCENT, CASE["percent"], lead_weight=2, coordinating_weight=1)

    assert total.value == Decimal(80 * 2 + 50) / 3
    assert aggregate(IndicatorAggregation.PERCENT, CASE["percent"], lead_weight=1, coordinating_weight=1).value == 65


def test_yes_no_counts_units_whose_latest_answer_is_yes():
    total = aggregate(IndicatorAggregation.YES_NO, CASE["yes_no"])

    assert (total.yes, total.answered) == (1, 2)


def test_nothing_given_is_no_total():
    assert aggregate(IndicatorAggregation.PER_PERIOD, []).value is None


def test_percentage_and_yes_no_indicators_always_add_up_as_their_kind(db):
    percent = IndicatorFactory(kind=IndicatorKind.PERCENT, aggregation=IndicatorAggregation.PER_PERIOD)
    percent.full_clean()
    assert percent.aggregation == IndicatorAggregation.PERCENT
    percent.refresh_from_db()
    assert percent.aggregation == IndicatorAggregation.PERCENT

    count = IndicatorFactory.build(task=percent.task, kind=IndicatorKind.COUNT, aggregation=IndicatorAggregation.YES_NO)
    with pytest.raises(ValidationError) as error:
        count.full_clean()
    assert "aggregation" in error.value.message_dict
    count.save()  # saved without the form's check, it falls back to a count per period
    assert count.aggregation == IndicatorAggregation.PER_PERIOD


@pytest.fixture
def overlapping(db):
    """The CASE above as real rows: a schedule with six-month and annual periods."""
    province = UnitFactory(code="tinh-uy", level=1)
    directive = DirectiveFactory(issuing_unit=province)
    task = TaskFactory(directive=directive, number=1)
    schedule = ScheduleFactory(grace_days=0)
    periods = {
        key: PeriodFactory(schedule=schedule, key=key, kind=kind, starts_on=s, ends_on=e, due_on=d)
        for key, kind, (s, e, d) in [
            ("2024-H1", "semiannual", H1_2024),
            ("2024", "annual", YEAR_2024),
            ("2025-H1", "semiannual", H1_2025),
        ]
    }
    indicators = {
        rule: IndicatorFactory(task=task, code=rule, name=rule, kind=kind, aggregation=rule)
        for rule, kind in [
            (IndicatorAggregation.PER_PERIOD, IndicatorKind.COUNT),
            (IndicatorAggregation.CUMULATIVE, IndicatorKind.COUNT),
            (IndicatorAggregation.PERCENT, IndicatorKind.PERCENT),
            (IndicatorAggregation.YES_NO, IndicatorKind.YES_NO),
        ]
    }
    sent = {
        ("lead", "2024-H1"): {"per_period": 5, "cumulative": 5, "percent": 60, "yes_no": 0},
        ("lead", "2024"): {"per_period": 12, "cumulative": 12, "percent": 70, "yes_no": 0},
        ("lead", "2025-H1"): {"per_period": 4, "cumulative": 16, "percent": 80, "yes_no": 1},
        ("coordinating", "2024-H1"): {"per_period": 3, "cumulative": 3, "percent": 50, "yes_no": 0},
    }
    assignments = {
        role: AssignmentFactory(task=task, unit=UnitFactory(parent=province), role=role, schedule=schedule)
        for role in ("lead", "coordinating")
    }
    for (role, key), values in sent.items():
        report = ReportFactory(assignment=assignments[role], period=periods[key], state=ReportState.ACCEPTED)
        for rule, value in values.items():
            IndicatorValue.objects.create(report=report, indicator=indicators[rule], value=value)
    # A draft is not received: its values never count.
    draft = ReportFactory(assignment=assignments["coordinating"], period=periods["2025-H1"], state=ReportState.DRAFT)
    IndicatorValue.objects.create(report=draft, indicator=indicators["per_period"], value=1000)
    return directive, schedule


def test_compiled_report_totals_over_overlapping_periods_match_the_hand_computed_case(overlapping):
    directive, schedule = overlapping
    periods = list(ReportingPeriod.objects.filter(schedule=schedule).order_by("due_on"))
    with time_machine.travel(datetime.datetime(2025, 7, 1, 10), tick=False):
        figures = figures_build(directive=directive, periods=periods, as_of=D(2025, 7, 1))
        rows = {row.name: row for row in summary_content(figures, today=D(2025, 7, 1)).indicators}

    assert (rows["per_period"].total, rows["per_period"].reports, rows["per_period"].used) == ("19", 4, 3)
    assert rows["per_period"].rule == "cộng các kỳ không trùng nhau"
    assert rows["cumulative"].total == "19"  # 16 (lead's latest) + 3
    assert rows["percent"].total == "70,0\u00a0%"  # (80 × 2 + 50 × 1) / 3
    assert rows["yes_no"].total == "1/2 có"


def test_seed_indicators_say_how_they_add_up(db):
    from django.core.management import call_command

    call_command("load_directive", verbosity=0)

    rules = dict(Indicator.objects.values_list("code", "aggregation"))
    assert rules["hoi-nghi-quan-triet"] == IndicatorAggregation.PER_PERIOD
    assert rules["ty-le-nghi-quyet-thuc-hien"] == IndicatorAggregation.PERCENT
    assert rules["ke-hoach-5-ro"] == IndicatorAggregation.STOCK
    assert rules["kinh-phi-bao-dam"] == IndicatorAggregation.YES_NO
