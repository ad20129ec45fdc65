"""The follow-up register at scale (followups/scale.py, via demo_data --scale)
on a tiny tree: 2 provinces x 3 communes. PostgreSQL only (COPY)."""

import datetime

import pytest
from django.db import connection
from django.db.models import Count, F

from followups.dashboard import followup_figures
from followups.models import CLOSED_STATUSES, FollowUpAddressee, FollowUpItem, SourceDocument
from reports.demo_scale import Scale, demo_scale_create

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="demo_data --scale loads with PostgreSQL COPY"),
]

TODAY = datetime.date(2026, 11, 26)
TINY = Scale(provinces=2, communes=3)
# A province's own bodies issue 220 items; each commune 35, and the inspection committee 5 more.
PER_PROVINCE = 220 + 3 * 40


@pytest.fixture
def scale_data():
    return demo_scale_create(scale=TINY, today=TODAY, seed=2021, progress=False)


def test_every_province_gets_its_items_in_every_state(scale_data):
    assert scale_data.counts["follow-up items"] == FollowUpItem.objects.count() == 2 * PER_PROVINCE
    statuses = set(FollowUpItem.objects.values_list("status", flat=True))
    assert statuses >= {"not_started", "in_progress", "returned", "reported", "settled", "not_feasible"}
    assert set(SourceDocument.objects.values_list("kind", flat=True)) == {
        "direction", "inspection", "supervision", "petition"}  # fmt: skip
    # Every item has exactly one lead unit; the constraints held for every row COPY wrote.
    leads = FollowUpAddressee.objects.filter(role="lead").values("item").annotate(n=Count("pk"))
    assert leads.count() == FollowUpItem.objects.count() and {row["n"] for row in leads} == {1}
    assert not FollowUpItem.objects.filter(due_on__lt=F("deadline")).exists()
    assert not FollowUpItem.objects.filter(status__in=CLOSED_STATUSES, completed_on__isnull=True).exists()
    assert not FollowUpItem.objects.filter(completed_on__gt=TODAY).exists()
    # Some settled late, some overdue: the dashboard has something to say.
    figures = followup_figures(today=TODAY)
    assert figures.total.settled_late > 0 and figures.total.overdue > 0
    assert 40 < figures.total.on_time_rate < 95


def test_new_items_after_the_scale_data_get_fresh_ids(scale_data, make_item):
    lead = FollowUpAddressee.objects.first().unit

    item = make_item(lead, number="moi")

    assert item.pk > 2 * PER_PROVINCE
