"""Units: database constraints, the tree read in one query, validity in time,
and the one-lead-per-area rule of assignments."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import translation

from reports.models import Assignment
from tests.factories import AssignmentFactory, MembershipFactory, ScheduleFactory, TaskFactory, UnitFactory, UserFactory
from units.models import Unit, UnitKind, UnitLevel, UnitSuccession

MERGER_DAY = datetime.date(2025, 3, 1)
DAY_BEFORE_MERGER = datetime.date(2025, 2, 28)


def build_tree(*, districts, communes, cells=0):
    """Province → districts → communes (→ Party cells), all Party committees
    except the cells. Returns the units by level, each a list."""
    root = UnitFactory(code="root", name="Tỉnh ủy Thử nghiệm", level=1)
    levels = {1: [root], 2: [], 3: [], 4: []}
    for d in range(districts):
        district = UnitFactory(code=f"d{d}", name=f"Huyện ủy Thử nghiệm {d}", level=2, parent=root)
        levels[2].append(district)
        for c in range(communes):
            commune = UnitFactory(code=f"d{d}-c{c}", name=f"Đảng ủy xã Thử nghiệm {d}.{c}", level=3, parent=district)
            levels[3].append(commune)
            for g in range(cells):
                levels[4].append(
                    UnitFactory(
                        code=f"d{d}-c{c}-g{g}",
                        name=f"Chi bộ thôn {d}.{c}.{g}",
                        kind="party_cell",
                        level=4,
                        parent=commune,
                    )
                )
    return levels


def fresh(unit):
    """The unit as the default manager loads it (with its tree fields)."""
    return Unit.objects.get(pk=unit.pk)


# --- Constraints ---------------------------------------------------------------------------------


@pytest.mark.django_db
class TestUnitValidityConstraint:
    def test_closing_on_the_opening_day_is_rejected(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            UnitFactory(valid_from=datetime.date(2024, 1, 1), valid_to=datetime.date(2024, 1, 1))

    def test_closing_before_opening_is_rejected(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            UnitFactory(valid_from=datetime.date(2024, 1, 2), valid_to=datetime.date(2024, 1, 1))

    def test_closing_after_opening_is_accepted(self):
        unit = UnitFactory(valid_from=datetime.date(2024, 1, 1), valid_to=datetime.date(2024, 1, 2))
        assert Unit.objects.filter(pk=unit.pk).exists()

    @pytest.mark.parametrize(
        ("valid_from", "valid_to"),
        [(None, None), (datetime.date(2024, 1, 1), None), (None, datetime.date(2024, 1, 1))],
    )
    def test_open_ended_validity_is_accepted(self, valid_from, valid_to):
        unit = UnitFactory(valid_from=valid_from, valid_to=valid_to)
        assert Unit.objects.filter(pk=unit.pk).exists()


@pytest.mark.django_db
class TestMembershipConstraint:
    def test_same_user_unit_and_role_twice_is_rejected(self):
        user, unit = UserFactory(), UnitFactory()
        MembershipFactory(user=user, unit=unit, role="reporter")
        with pytest.raises(IntegrityError), transaction.atomic():
            MembershipFactory(user=user, unit=unit, role="reporter")

    def test_same_user_and_unit_with_another_role_is_accepted(self):
        user, unit = UserFactory(), UnitFactory()
        MembershipFactory(user=user, unit=unit, role="reporter")
        MembershipFactory(user=user, unit=unit, role="head")
        assert user.memberships.count() == 2


@pytest.mark.django_db
class TestSuccessionConstraints:
    def test_unit_cannot_succeed_itself(self):
        unit = UnitFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            UnitSuccession.objects.create(predecessor=unit, successor=unit, kind="rename", effective_on=MERGER_DAY)

    def test_self_succession_is_rejected_by_validation(self):
        unit = UnitFactory()
        succession = UnitSuccession(predecessor=unit, successor=unit, kind="rename", effective_on=MERGER_DAY)
        with pytest.raises(ValidationError):
            succession.full_clean()

    def test_same_predecessor_and_successor_linked_twice_is_rejected(self):
        old, new = UnitFactory(), UnitFactory()
        UnitSuccession.objects.create(predecessor=old, successor=new, kind="merge", effective_on=MERGER_DAY)
        with pytest.raises(IntegrityError), transaction.atomic():
            UnitSuccession.objects.create(predecessor=old, successor=new, kind="rename", effective_on=MERGER_DAY)

    def test_successors_and_predecessors_are_linked_both_ways(self):
        first, second, merged = UnitFactory(), UnitFactory(), UnitFactory()
        for old in (first, second):
            UnitSuccession.objects.create(predecessor=old, successor=merged, kind="merge", effective_on=MERGER_DAY)
        assert list(first.successors.all()) == [merged]
        assert set(merged.predecessors.all()) == {first, second}


# --- The tree in one query -----------------------------------------------------------------------


@pytest.mark.django_db
class TestTreeQueries:
    def test_ancestors_are_root_first_in_one_query(self, django_assert_num_queries):
        levels = build_tree(districts=2, communes=2)
        root, district = levels[1][0], levels[2][1]
        commune = fresh(levels[3][3])
        assert commune.parent_id == district.pk
        with django_assert_num_queries(1):
            ancestors = list(commune.ancestors())
        assert ancestors == [root, district]

    def test_ancestors_can_include_the_unit_itself(self, django_assert_num_queries):
        levels = build_tree(districts=1, communes=1)
        commune = fresh(levels[3][0])
        with django_assert_num_queries(1):
            ancestors = list(commune.ancestors(include_self=True))
        assert ancestors == [levels[1][0], levels[2][0], commune]

    def test_root_has_no_ancestors(self, django_assert_num_queries):
        root = fresh(build_tree(districts=1, communes=1)[1][0])
        with django_assert_num_queries(0):
            assert list(root.ancestors()) == []

    def test_descendants_are_the_whole_subtree_in_one_query(self, django_assert_num_queries):
        levels = build_tree(districts=2, communes=3)
        root, district = fresh(levels[1][0]), fresh(levels[2][0])
        with django_assert_num_queries(1):
            under_root = list(root.descendants())
        with django_assert_num_queries(1):
            under_district = list(district.descendants())
        assert set(under_root) == set(levels[2] + levels[3])
        assert len(under_root) == 8
        assert set(under_district) == set(levels[3][:3])

    def test_descendants_of_a_leaf_are_empty(self, django_assert_num_queries):
        commune = fresh(build_tree(districts=1, communes=1)[3][0])
        with django_assert_num_queries(1):
            assert list(commune.descendants()) == []

    def test_query_count_stays_one_on_a_deeper_and_bigger_tree(self, django_assert_num_queries):
        levels = build_tree(districts=4, communes=5, cells=3)
        root, cell = fresh(levels[1][0]), fresh(levels[4][-1])
        with django_assert_num_queries(1):
            everything = list(root.descendants())
        with django_assert_num_queries(1):
            ancestors = list(cell.ancestors())
        assert len(everything) == 4 + 4 * 5 + 4 * 5 * 3
        assert set(everything) == set(levels[2] + levels[3] + levels[4])
        assert ancestors == [levels[1][0], levels[2][-1], levels[3][-1]]
        assert [unit.tree_depth for unit in ancestors] == [0, 1, 2]

    def test_subtree_ids_read_the_subtree_only_in_one_query(self, django_assert_num_queries):
        levels = build_tree(districts=3, communes=2, cells=2)
        other = build_tree_other_root()
        district = levels[2][1]
        below = {u.pk for u in levels[3][2:4]} | {u.pk for u in levels[4][4:8]}
        with django_assert_num_queries(1):
            assert Unit.objects.subtree_ids(district) == {district.pk} | below
        with django_assert_num_queries(1):
            assert Unit.objects.subtree_ids(district.pk, include_self=False) == below
        with django_assert_num_queries(1):
            found = Unit.objects.subtree_ids([levels[1][0].pk, other.pk])
        assert found == {u.pk for level in levels.values() for u in level} | {other.pk}
        with django_assert_num_queries(0):
            assert Unit.objects.subtree_ids([]) == set()

    def test_in_subtree_restricts_a_queryset(self):
        levels = build_tree(districts=2, communes=2, cells=1)
        district = levels[2][0]
        cells = Unit.objects.without_tree_fields().filter(kind="party_cell").in_subtree(district, include_self=False)
        assert set(cells) == set(levels[4][:2])
        assert set(Unit.objects.without_tree_fields().in_subtree([])) == set()


def build_tree_other_root():
    return UnitFactory(code="other-root", name="Tỉnh ủy Khác", level=1)


@pytest.mark.django_db
class TestScopeRoot:
    def test_party_committee_is_its_own_scope_without_a_query(self, django_assert_num_queries):
        district = build_tree(districts=1, communes=0)[2][0]
        with django_assert_num_queries(0):
            assert district.scope_root() == district

    def test_body_under_a_district_committee_works_in_that_district(self):
        levels = build_tree(districts=2, communes=0)
        people_committee = UnitFactory(kind="peoples_committee", level=2, parent=levels[2][1])
        department = UnitFactory(kind="department", level=2, parent=people_committee)
        assert fresh(people_committee).scope_root() == levels[2][1]
        assert fresh(department).scope_root() == levels[2][1]

    def test_body_under_the_province_committee_works_in_the_province(self):
        root = build_tree(districts=1, communes=0)[1][0]
        council = UnitFactory(kind="peoples_council", level=1, parent=root)
        board = UnitFactory(kind="council_board", level=1, parent=council)
        assert fresh(board).scope_root() == root

    def test_body_with_no_committee_above_is_its_own_scope(self):
        loose = UnitFactory(kind="department", level=1)
        child = UnitFactory(kind="department", level=1, parent=loose)
        assert loose.scope_root() == loose
        assert fresh(child).scope_root() == child

    def test_scope_root_costs_one_query(self, django_assert_num_queries):
        levels = build_tree(districts=1, communes=1)
        cell = fresh(UnitFactory(kind="party_cell", level=4, parent=levels[3][0]))
        with django_assert_num_queries(1):
            assert cell.scope_root() == levels[3][0]


# --- Validity in time ----------------------------------------------------------------------------


def unit_open(valid_from=None, valid_to=None):
    return Unit(valid_from=valid_from, valid_to=valid_to)


class TestOverlaps:
    @pytest.mark.parametrize(
        ("first", "second", "expected"),
        [
            pytest.param((None, None), (None, None), True, id="both-open-ended"),
            pytest.param((None, DAY_BEFORE_MERGER), (MERGER_DAY, None), False, id="successor-opens-next-day"),
            pytest.param((None, MERGER_DAY), (MERGER_DAY, None), True, id="one-shared-day"),
            pytest.param(
                (datetime.date(2020, 1, 1), datetime.date(2020, 12, 31)),
                (datetime.date(2021, 1, 1), datetime.date(2021, 12, 31)),
                False,
                id="consecutive-years",
            ),
            pytest.param(
                (datetime.date(2020, 1, 1), datetime.date(2022, 12, 31)),
                (datetime.date(2021, 1, 1), datetime.date(2021, 12, 31)),
                True,
                id="one-inside-the-other",
            ),
            pytest.param((None, datetime.date(2020, 1, 1)), (None, datetime.date(2030, 1, 1)), True, id="open-start"),
            pytest.param((datetime.date(2020, 1, 1), None), (None, datetime.date(2019, 12, 31)), False, id="disjoint"),
        ],
    )
    def test_overlap_is_symmetric_and_inclusive(self, first, second, expected):
        a, b = unit_open(*first), unit_open(*second)
        assert a.overlaps(b) is expected
        assert b.overlaps(a) is expected

    def test_is_open_on_counts_both_ends(self):
        unit = unit_open(datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
        assert not unit.is_open_on(datetime.date(2023, 12, 31))
        assert unit.is_open_on(datetime.date(2024, 1, 1))
        assert unit.is_open_on(datetime.date(2024, 12, 31))
        assert not unit.is_open_on(datetime.date(2025, 1, 1))


@pytest.mark.django_db
class TestOpenQueries:
    @pytest.fixture
    def units(self):
        return {
            "always": UnitFactory(code="always"),
            "closed": UnitFactory(code="closed", valid_to=DAY_BEFORE_MERGER),
            "opened": UnitFactory(code="opened", valid_from=MERGER_DAY),
            "year-2024": UnitFactory(
                code="year-2024", valid_from=datetime.date(2024, 1, 1), valid_to=datetime.date(2024, 12, 31)
            ),
        }

    @staticmethod
    def codes(queryset):
        return set(queryset.filter(code__in=["always", "closed", "opened", "year-2024"]).values_list("code", flat=True))

    @pytest.mark.parametrize(
        ("day", "expected"),
        [
            (datetime.date(2023, 12, 31), {"always", "closed"}),
            (datetime.date(2024, 1, 1), {"always", "closed", "year-2024"}),
            (datetime.date(2024, 12, 31), {"always", "closed", "year-2024"}),
            (DAY_BEFORE_MERGER, {"always", "closed"}),
            (MERGER_DAY, {"always", "opened"}),
        ],
    )
    def test_open_on_includes_the_first_and_last_day(self, units, day, expected):
        assert self.codes(Unit.objects.open_on(day)) == expected

    @pytest.mark.parametrize(
        ("start", "end", "expected"),
        [
            (datetime.date(2025, 2, 1), datetime.date(2025, 3, 31), {"always", "closed", "opened"}),
            (datetime.date(2024, 12, 31), datetime.date(2024, 12, 31), {"always", "closed", "year-2024"}),
            (datetime.date(2025, 1, 1), DAY_BEFORE_MERGER, {"always", "closed"}),
            (MERGER_DAY, datetime.date(2026, 1, 1), {"always", "opened"}),
            (datetime.date(2023, 6, 1), datetime.date(2024, 1, 1), {"always", "closed", "year-2024"}),
        ],
    )
    def test_open_during_includes_units_open_on_any_day_of_the_range(self, units, start, end, expected):
        assert self.codes(Unit.objects.open_during(start, end)) == expected


# --- One lead per task and Party-committee area ---------------------------------------------------


@pytest.mark.django_db
class TestOneLeadPerArea:
    @pytest.fixture
    def area(self):
        province = UnitFactory(code="tinh", name="Tỉnh ủy Thử nghiệm", level=1)
        district_a = UnitFactory(code="huyen-a", name="Huyện ủy A", level=2, parent=province)
        return {
            "province": province,
            "district_a": district_a,
            "ubnd_a": UnitFactory(code="ubnd-a", kind="peoples_committee", level=2, parent=district_a),
            "district_b": UnitFactory(code="huyen-b", name="Huyện ủy B", level=2, parent=province),
            "propaganda": UnitFactory(
                code="btg",
                name="Ban Tuyên giáo",
                kind="advisory_body",
                level=1,
                parent=province,
                valid_to=DAY_BEFORE_MERGER,
            ),
            "merged": UnitFactory(
                code="btgdv",
                name="Ban Tuyên giáo và Dân vận",
                kind="advisory_body",
                level=1,
                parent=province,
                valid_from=MERGER_DAY,
            ),
            "task": TaskFactory(),
            "schedule": ScheduleFactory(),
        }

    @staticmethod
    def new_assignment(area, unit, role="lead"):
        return Assignment(task=area["task"], unit=unit, role=role, schedule=area["schedule"])

    def lead(self, area, unit):
        return AssignmentFactory(task=area["task"], unit=unit, role="lead", schedule=area["schedule"])

    def test_second_lead_in_the_same_district_is_rejected(self, area):
        self.lead(area, area["district_a"])
        second = self.new_assignment(area, area["ubnd_a"])
        with pytest.raises(ValidationError) as raised:
            second.full_clean()
        assert "role" in raised.value.message_dict

    def test_lead_in_another_district_is_accepted(self, area):
        self.lead(area, area["district_a"])
        self.new_assignment(area, area["district_b"]).full_clean()

    def test_coordinating_unit_in_the_same_district_is_accepted(self, area):
        self.lead(area, area["district_a"])
        self.new_assignment(area, area["ubnd_a"], role="coordinating").full_clean()

    def test_lead_for_another_task_in_the_same_district_is_accepted(self, area):
        self.lead(area, area["district_a"])
        other_task = TaskFactory(directive=area["task"].directive)
        Assignment(task=other_task, unit=area["ubnd_a"], role="lead", schedule=area["schedule"]).full_clean()

    def test_existing_lead_revalidates_without_conflicting_with_itself(self, area):
        self.lead(area, area["district_a"]).full_clean()

    def test_lead_of_a_predecessor_closed_before_its_successor_opens_is_accepted(self, area):
        UnitSuccession.objects.create(
            predecessor=area["propaganda"], successor=area["merged"], kind="merge", effective_on=MERGER_DAY
        )
        self.lead(area, area["propaganda"])
        self.new_assignment(area, area["merged"]).full_clean()

    def test_leads_of_units_open_on_the_same_day_in_the_province_are_rejected(self, area):
        self.lead(area, area["propaganda"])
        overlapping = UnitFactory(
            kind="advisory_body", level=1, parent=area["province"], valid_from=datetime.date(2025, 2, 1)
        )
        with pytest.raises(ValidationError):
            self.new_assignment(area, overlapping).full_clean()

    def test_province_lead_does_not_block_a_district_lead(self, area):
        self.lead(area, area["propaganda"])
        self.new_assignment(area, area["district_a"]).full_clean()


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "expected"),
    [
        (None, None, True),
        (None, datetime.date(2024, 12, 14), True),
        (None, datetime.date(2023, 12, 14), False),
        (datetime.date(2024, 12, 14), None, True),
        (datetime.date(2024, 12, 15), None, False),
        (datetime.date(2024, 1, 1), datetime.date(2024, 3, 1), True),
    ],
)
def test_unit_is_open_during_matches_the_queryset_rule(db, valid_from, valid_to, expected):
    unit = UnitFactory(valid_from=valid_from, valid_to=valid_to)
    start, end = datetime.date(2023, 12, 15), datetime.date(2024, 12, 14)
    assert unit.is_open_during(start, end) is expected
    assert Unit.objects.open_during(start, end).filter(pk=unit.pk).exists() is expected


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_units_kind_and_level_read_as_djangos_own_labels(language):
    # Our get_FOO_display skips Django's hashing of every translated label; it must say the same.
    with translation.override(language):
        for kind in UnitKind.values:
            for level in UnitLevel.values:
                unit = Unit(kind=kind, level=level)
                assert unit.get_kind_display() == Model._get_FIELD_display(unit, Unit._meta.get_field("kind"))
                assert unit.get_level_display() == Model._get_FIELD_display(unit, Unit._meta.get_field("level"))
        for odd in (Unit(kind="unknown", level=99), Unit(kind="", level=None)):  # not a choice: the value itself
            assert odd.get_kind_display() == Model._get_FIELD_display(odd, Unit._meta.get_field("kind"))
            assert odd.get_level_display() == Model._get_FIELD_display(odd, Unit._meta.get_field("level"))
        assert (Unit(kind="unknown").get_kind_display(), Unit(level=None).get_level_display()) == ("unknown", None)
    with translation.override("vi"):
        assert Unit(kind=UnitKind.PARTY_CELL, level=UnitLevel.GRASSROOTS).get_kind_display() == "Chi bộ"
