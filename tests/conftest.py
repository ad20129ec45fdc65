"""Shared fixtures: one user per role (reporter and head of unit A, reporter of
unit B, office, committee, administrator) on a small tree with one task."""

import pytest

from tests.factories import (
    PASSWORD,
    AssignmentFactory,
    MembershipFactory,
    ScheduleFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)
from units.roles import ADMIN_GROUP, COMMITTEE_GROUP, OFFICE_GROUP


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Tests create users by the dozen; the real hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    # The in-memory cache outlives each test's database; nothing may leak between tests.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def site_language():
    # Every test starts in the site's language (Vietnamese): a request in English
    # leaves English active in its thread after the response (LocaleMiddleware
    # activates, nothing deactivates), and the next test on that worker read
    # English messages where it expected Vietnamese.
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def province(db):
    return UnitFactory(code="province", name="Tỉnh ủy Thử nghiệm", level=1)


@pytest.fixture
def unit_a(province):
    return UnitFactory(code="unit-a", name="Huyện ủy Gia Lộc (thử)", parent=province)


@pytest.fixture
def unit_b(province):
    return UnitFactory(code="unit-b", name="Huyện ủy Tứ Kỳ (thử)", parent=province)


@pytest.fixture
def task(db):
    return TaskFactory(number=1, title="Nâng cao nhận thức về vai trò của HĐND")


@pytest.fixture
def schedule(db):
    return ScheduleFactory()


@pytest.fixture
def assignment_a(task, unit_a, schedule):
    return AssignmentFactory(task=task, unit=unit_a, schedule=schedule)


@pytest.fixture
def assignment_b(task, unit_b, schedule):
    return AssignmentFactory(task=task, unit=unit_b, schedule=schedule)


@pytest.fixture
def reporter_a(unit_a):
    return MembershipFactory(user=UserFactory(username="reporter-a"), unit=unit_a, role="reporter").user


@pytest.fixture
def head_a(unit_a):
    return MembershipFactory(user=UserFactory(username="head-a"), unit=unit_a, role="head").user


@pytest.fixture
def reporter_b(unit_b):
    return MembershipFactory(user=UserFactory(username="reporter-b"), unit=unit_b, role="reporter").user


@pytest.fixture
def office_user(db):
    return UserFactory(username="office", groups=[OFFICE_GROUP])


@pytest.fixture
def committee_user(db):
    return UserFactory(username="committee", groups=[COMMITTEE_GROUP])


@pytest.fixture
def admin_user(db):
    user = UserFactory(username="admin", groups=[ADMIN_GROUP])
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def client_for(client):
    """Signs the test client in as the given user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
