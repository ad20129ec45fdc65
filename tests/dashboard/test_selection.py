"""What the dashboard shows: the directive and range read from the query string,
and the default when there is none or it cannot be read."""

import datetime
import re
import zoneinfo
from types import SimpleNamespace
from urllib.parse import parse_qs

import pytest
import time_machine
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from dashboard.selection import period_choices, selection_from
from tests.factories import (
    AssignmentFactory,
    DirectiveFactory,
    PeriodFactory,
    ScheduleFactory,
    TaskFactory,
    UnitFactory,
)

D = datetime.date
LOCAL = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def local(day, hour=9, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LOCAL)


def select(at, **params):
    with time_machine.travel(at, tick=False):
        return selection_from(RequestFactory().get("/dashboard/", params))


def period(schedule, key, starts_on, ends_on, due_on, kind="semiannual"):
    return PeriodFactory(schedule=schedule, key=key, kind=kind, starts_on=starts_on, ends_on=ends_on, due_on=due_on)


@pytest.fixture
def world(db):
    """Directive 1 (in force, the newest) has two schedules that share the keys
    2024-H1 and 2024-H2; the second's reports are due two days later.

        key      data window               due (schedule 1)  due (schedule 2)
        2024-H1  15/12/2023 – 14/06/2024   19/06/2024        21/06/2024
        2024-H2  15/06/2024 – 14/12/2024   19/12/2024        21/12/2024
        2025-H1  15/12/2024 – 14/06/2025   19/06/2025        —
    """
    w = SimpleNamespace()
    w.directive = DirectiveFactory(signed_on=D(2024, 1, 10))
    w.older = DirectiveFactory(signed_on=D(2023, 5, 1))
    w.draft = DirectiveFactory(signed_on=D(2024, 6, 1), status="draft")
    first, second = ScheduleFactory(), ScheduleFactory()
    w.first = [
        period(first, "2024-H1", D(2023, 12, 15), D(2024, 6, 14), D(2024, 6, 19)),
        period(first, "2024-H2", D(2024, 6, 15), D(2024, 12, 14), D(2024, 12, 19)),
        period(first, "2025-H1", D(2024, 12, 15), D(2025, 6, 14), D(2025, 6, 19)),
    ]
    w.second = [
        period(second, "2024-H1", D(2023, 12, 15), D(2024, 6, 14), D(2024, 6, 21)),
        period(second, "2024-H2", D(2024, 6, 15), D(2024, 12, 14), D(2024, 12, 21)),
    ]
    AssignmentFactory(task=TaskFactory(directive=w.directive), schedule=first)
    AssignmentFactory(task=TaskFactory(directive=w.directive), schedule=second)
    quarterly = ScheduleFactory(quarterly=True, semiannual=False, annual=False)
    w.quarters = [
        period(quarterly, "2024-Q1", D(2023, 12, 15), D(2024, 3, 14), D(2024, 3, 19), kind="quarterly"),
        period(quarterly, "2024-Q2", D(2024, 3, 15), D(2024, 6, 14), D(2024, 6, 19), kind="quarterly"),
    ]
    AssignmentFactory(task=TaskFactory(directive=w.older), schedule=quarterly)
    AssignmentFactory(task=TaskFactory(directive=w.draft), schedule=quarterly)
    return w


def test_schedules_that_share_a_key_share_one_choice(world):
    choices = period_choices(world.directive, D(2025, 1, 5))
    assert [choice.key for choice in choices] == ["2024-H1", "2024-H2", "2025-H1"]
    assert [choice.periods for choice in choices] == [
        [world.first[0], world.second[0]],
        [world.first[1], world.second[1]],
        [world.first[2]],
    ]


def test_periods_that_have_not_started_are_not_offered(world):
    assert [choice.key for choice in period_choices(world.directive, D(2024, 12, 14))] == ["2024-H1", "2024-H2"]
    assert [choice.key for choice in period_choices(world.directive, D(2024, 12, 15))] == [
        "2024-H1",
        "2024-H2",
        "2025-H1",
    ]


def test_by_default_the_newest_directive_in_force_and_the_latest_period_already_due(world):
    selection = select(local(D(2025, 1, 5)))
    assert selection.directive == world.directive
    # 2025-H1 has started (15/12/2024) but is not due until 19/06/2025.
    assert (selection.start, selection.end) == ("2024-H2", "2024-H2")
    assert selection.periods == [world.first[1], world.second[1]]
    assert selection.as_of == D(2025, 1, 5)
    assert not selection.form.is_bound


def test_a_period_is_due_from_its_due_date_in_local_time(world):
    # 17:30 UTC on 18/12 is already 00:30 on 19/12, 2024-H2's due date, in Vietnam.
    assert select(datetime.datetime(2024, 12, 18, 17, 30, tzinfo=datetime.UTC)).end == "2024-H2"
    # 16:30 UTC on 18/12 is 23:30 on 18/12 in Vietnam: H2 is not due yet.
    assert select(datetime.datetime(2024, 12, 18, 16, 30, tzinfo=datetime.UTC)).end == "2024-H1"


def test_before_any_report_is_due_the_default_is_the_latest_started_period(world):
    selection = select(local(D(2024, 3, 1)))
    assert (selection.start, selection.end) == ("2024-H1", "2024-H1")


def test_a_range_is_read_from_the_query_string(world):
    selection = select(local(D(2025, 1, 5)), directive=world.directive.pk, start="2024-H1", end="2024-H2")
    assert selection.form.is_valid()
    assert [choice.key for choice in selection.chosen] == ["2024-H1", "2024-H2"]
    assert selection.periods == [world.first[0], world.second[0], world.first[1], world.second[1]]


def test_a_reversed_range_is_swapped(world):
    with translation.override("en"):
        selection = select(local(D(2025, 7, 1)), directive=world.directive.pk, start="2025-H1", end="2024-H1")
        assert str(selection.label) == "First six months of 2024 to First six months of 2025"
    assert (selection.start, selection.end) == ("2024-H1", "2025-H1")
    assert [choice.key for choice in selection.chosen] == ["2024-H1", "2024-H2", "2025-H1"]
    assert len(selection.periods) == 5


def test_a_single_period_is_labelled_by_itself(world):
    with translation.override("en"):
        selection = select(local(D(2025, 1, 5)))
        assert str(selection.label) == "Second half of 2024"


def test_bad_periods_give_form_errors_and_the_default(world):
    selection = select(local(D(2025, 1, 5)), directive=world.directive.pk, start="2031-H1", end="rubbish")
    assert set(selection.form.errors) == {"start", "end"}
    assert (selection.start, selection.end) == ("2024-H2", "2024-H2")


def test_a_period_not_started_yet_is_refused(world):
    selection = select(local(D(2024, 12, 1)), directive=world.directive.pk, start="2024-H1", end="2025-H1")
    assert set(selection.form.errors) == {"end"}
    assert (selection.start, selection.end) == ("2024-H1", "2024-H1")  # the latest due on 01/12/2024


def test_another_directives_periods_are_refused(world):
    selection = select(local(D(2025, 1, 5)), directive=world.directive.pk, start="2024-Q1", end="2024-Q2")
    assert set(selection.form.errors) == {"start", "end"}
    assert (selection.start, selection.end) == ("2024-H2", "2024-H2")


def test_another_directive_in_force_can_be_chosen(world):
    selection = select(local(D(2025, 1, 5)), directive=world.older.pk, start="2024-Q2", end="2024-Q1")
    assert selection.directive == world.older
    assert (selection.start, selection.end) == ("2024-Q1", "2024-Q2")
    assert selection.periods == world.quarters


@pytest.mark.parametrize("directive", ["abc", "", "999999", "draft"])
def test_an_unknown_or_draft_directive_falls_back_to_the_default(world, directive):
    if directive == "draft":
        directive = str(world.draft.pk)
    selection = select(local(D(2025, 1, 5)), directive=directive, start="2024-H1", end="2024-H1")
    assert selection.directive == world.directive
    assert "directive" in selection.form.errors
    assert (selection.start, selection.end) == ("2024-H2", "2024-H2")


def test_periods_without_a_directive_in_the_query_are_ignored(world):
    selection = select(local(D(2025, 1, 5)), start="2024-H1", end="2024-H1")
    assert not selection.form.is_bound
    assert (selection.start, selection.end) == ("2024-H2", "2024-H2")


def test_the_query_string_reproduces_the_selection(world):
    selection = select(local(D(2025, 7, 1)), directive=world.directive.pk, start="2024-H2", end="2025-H1")
    query = selection.query(measure="overdue", task="", sort=None)
    assert parse_qs(query) == {
        "directive": [str(world.directive.pk)],
        "start": ["2024-H2"],
        "end": ["2025-H1"],
        "measure": ["overdue"],
    }
    again = select(local(D(2025, 7, 1)), **{key: values[0] for key, values in parse_qs(query).items()})
    assert (again.directive, again.start, again.end) == (selection.directive, selection.start, selection.end)


def test_the_selections_own_query_is_worked_out_once_and_others_each_time(world):
    province = UnitFactory(level=1)
    selection = select(local(D(2025, 7, 1)), directive=world.directive.pk, start="2024-H2", end="2025-H1")
    own = selection.query()
    assert selection.query() is own  # every link of a page carries it
    assert parse_qs(selection.query(unit=province))["unit"] == [str(province.pk)]
    assert "unit" not in parse_qs(selection.query(whole=True))
    assert parse_qs(selection.query(task=3))["task"] == ["3"]
    assert selection.query() == own


def test_an_in_force_directive_without_a_signing_date_is_not_preferred(world):
    # Sorting by signing date, newest first, must put an unknown date last on every
    # database (PostgreSQL puts NULL first in a descending sort, SQLite last).
    unsigned = DirectiveFactory(signed_on=None)
    AssignmentFactory(task=TaskFactory(directive=unsigned), schedule=world.first[0].schedule)
    assert select(local(D(2025, 1, 5))).directive == world.directive


def test_no_selection_without_a_directive_with_started_periods(db):
    assert select(local(D(2025, 1, 5))) is None
    directive = DirectiveFactory(signed_on=D(2024, 1, 10))
    schedule = ScheduleFactory()
    period(schedule, "2025-H1", D(2024, 12, 15), D(2025, 6, 14), D(2025, 6, 19))
    AssignmentFactory(task=TaskFactory(directive=directive), schedule=schedule)
    assert select(local(D(2024, 12, 1))) is None
    assert select(local(D(2024, 12, 15))).directive == directive


def test_a_unit_scopes_the_selection_and_survives_the_query_string(world):
    province = UnitFactory(level=1)
    selection = select(local(D(2025, 1, 5)), directive=world.directive.pk, unit=province.pk)
    assert selection.unit == province
    assert parse_qs(selection.query())["unit"] == [str(province.pk)]


@pytest.mark.parametrize("unit", ["999999", "abc"])
def test_an_unknown_unit_is_not_found(world, unit):
    with pytest.raises(Http404):
        select(local(D(2025, 1, 5)), unit=unit)


# --- changing the directive ------------------------------------------------------------------------


def test_changing_the_directive_drops_periods_it_does_not_have_for_its_default_range(world):
    """The form showed directive 1's half-years; the user picked the older, quarterly directive."""
    selection = select(
        local(D(2025, 1, 5)), directive=world.older.pk, shown=world.directive.pk, start="2024-H1", end="2024-H2"
    )
    assert selection.directive == world.older
    assert (selection.start, selection.end) == ("2024-Q2", "2024-Q2")  # its latest period already due
    assert selection.periods == [world.quarters[1]]
    assert not selection.form.errors


def test_changing_the_directive_drops_the_whole_range_when_one_end_is_not_its(world):
    other = DirectiveFactory(signed_on=D(2022, 1, 1))
    schedule = ScheduleFactory()
    period(schedule, "2024-H1", D(2023, 12, 15), D(2024, 6, 14), D(2024, 6, 19))
    period(schedule, "2025-H1", D(2024, 12, 15), D(2025, 6, 14), D(2025, 6, 19))
    AssignmentFactory(task=TaskFactory(directive=other), schedule=schedule)
    selection = select(
        local(D(2025, 7, 1)), directive=other.pk, shown=world.directive.pk, start="2024-H1", end="2024-H2"
    )
    assert (selection.start, selection.end) == ("2025-H1", "2025-H1")
    assert not selection.form.errors


def test_changing_the_directive_keeps_periods_it_has_too(world):
    selection = select(
        local(D(2025, 1, 5)), directive=world.directive.pk, shown=world.older.pk, start="2024-H1", end="2024-H2"
    )
    assert (selection.start, selection.end) == ("2024-H1", "2024-H2")
    assert selection.form.is_valid()


def test_bad_periods_for_the_directive_shown_still_warn(world):
    selection = select(
        local(D(2025, 1, 5)), directive=world.directive.pk, shown=world.directive.pk, start="2024-Q1", end="2024-H2"
    )
    assert set(selection.form.errors) == {"start"}
    assert (selection.start, selection.end) == ("2024-H2", "2024-H2")


@pytest.mark.parametrize("shown", ["٣", "x", "", "99999999999999999999999"])
def test_an_odd_shown_value_is_only_a_change_of_directive(shown, world):
    selection = select(local(D(2025, 1, 5)), directive=world.older.pk, shown=shown, start="2024-H1", end="2024-H1")
    assert (selection.directive, selection.start, selection.end) == (world.older, "2024-Q2", "2024-Q2")


@pytest.fixture
def committee_client(committee_user, client_for):
    with time_machine.travel(local(D(2025, 1, 5)), tick=False):
        yield client_for(committee_user)


def test_the_dashboard_after_a_change_of_directive_shows_no_warning(world, committee_client):
    with time_machine.travel(local(D(2025, 1, 5)), tick=False):
        response = committee_client.get(
            reverse("dashboard"),
            {"directive": world.older.pk, "shown": world.directive.pk, "start": "2024-H1", "end": "2024-H2"},
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert "alert-warning" not in page
    assert response.context["selection"].start == "2024-Q2"
    assert f'name="shown" id="selection-shown" value="{world.older.pk}"' in page
    assert f'hx-get="{reverse("dashboard_selection_periods")}"' in page


def test_the_period_selects_follow_the_directive_chosen(world, committee_client):
    with time_machine.travel(local(D(2025, 1, 5)), tick=False):
        response = committee_client.get(reverse("dashboard_selection_periods"), {"directive": world.older.pk})
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("start", "end"):
        select = re.search(rf'<select name="{name}" id="id_{name}"[^>]*hx-swap-oob="true">(.*?)</select>', page, re.S)
        options = re.findall(r'<option value="([^"]*)"( selected)?>', select.group(1))
        assert options == [("2024-Q2", " selected"), ("2024-Q1", "")]
    shown = f'<input type="hidden" name="shown" id="selection-shown" value="{world.older.pk}" hx-swap-oob="true">'
    assert shown in page


def test_the_period_selects_are_for_the_committee_only(world, reporter_a, client_for):
    assert client_for(reporter_a).get(reverse("dashboard_selection_periods")).status_code == 403


def test_the_period_selects_of_a_directive_without_periods_are_empty(world, committee_client):
    empty = DirectiveFactory(signed_on=D(2026, 1, 1))
    with time_machine.travel(local(D(2025, 1, 5)), tick=False):
        response = committee_client.get(reverse("dashboard_selection_periods"), {"directive": empty.pk})
    assert response.status_code == 204
