"""Every list of the API answers with the same number of queries whatever the
number of rows (asserted at two sizes)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import NotificationKind
from notifications.services import notification_send
from reports.attachments import attachment_add
from reports.models import Attachment, IndicatorValue
from tests.factories import (
    AssignmentFactory,
    IndicatorFactory,
    MembershipFactory,
    PeriodFactory,
    ReportFactory,
    SuccessionFactory,
    TaskFactory,
    UnitFactory,
)

LISTS = [
    "api-directive-list",
    "api-task-list",
    "api-indicator-list",
    "api-unit-list",
    "api-assignment-list",
    "api-period-list",
    "api-due-list",
    "api-report-list",
    "api-notification-list",
]


@pytest.fixture
def private_files(tmp_path, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path))


def grow(count, *, province, schedule, user, office_user, report_holder):
    """``count`` more of everything every list shows, all readable by ``user``."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    for _ in range(count):
        unit = UnitFactory(parent=province)
        MembershipFactory(user=user, unit=unit, role="reporter")
        task = TaskFactory()
        indicator = IndicatorFactory(task=task)
        assignment = AssignmentFactory(task=task, unit=unit, schedule=schedule, reviewing_unit=province)
        period = PeriodFactory(schedule=schedule)
        report = ReportFactory(assignment=assignment, period=period)
        IndicatorValue.objects.create(report=report, indicator=indicator, value=2)
        SuccessionFactory(predecessor=UnitFactory(parent=province, valid_to="2024-01-01"), successor=unit,
                          effective_on="2024-01-02")  # fmt: skip
        notification_send(recipients=[user], kind=NotificationKind.REPORT_RETURNED, report=report,
                          actor=office_user, reason="Bổ sung.")  # fmt: skip
        body = b"%PDF-1.4\n%" + str(report.pk).encode() + b"\n%%EOF\n"
        attachment_add(report=report_holder, upload=SimpleUploadedFile(f"{report.pk}.pdf", body), by=user)


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured), response


@pytest.mark.parametrize("name", [*LISTS, "api-attachment-list", "api-figures"])
def test_a_list_costs_the_same_queries_for_two_and_for_six_rows(name, private_files, province, schedule, unit_a,
                                                                 reporter_a, office_user, api_client_for):  # fmt: skip
    holder = ReportFactory(assignment=AssignmentFactory(unit=unit_a, schedule=schedule), period=PeriodFactory(
        schedule=schedule))  # fmt: skip
    # Units, assignments and reports of the reporter's own units (due), the rest as the office sees them.
    reader = reporter_a if name in ("api-due-list", "api-notification-list", "api-attachment-list") else office_user
    client = api_client_for(reader)
    url = reverse(name, args=[holder.pk]) if name == "api-attachment-list" else reverse(name)
    client.get(url)  # the key's first use records its time; later ones within a minute do not
    counts = []
    for size in (2, 6):
        grow(size - (2 if size == 6 else 0), province=province, schedule=schedule, user=reporter_a,
             office_user=office_user, report_holder=holder)  # fmt: skip
        count, response = queries(client, url)
        counts.append(count)
    assert counts[0] == counts[1], f"{name}: {counts[0]} queries for the smaller list, {counts[1]} for the larger"
