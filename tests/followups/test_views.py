"""The register, the item page, directions and the items on "Việc của tôi"."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from followups.models import FollowUpItem, SourceKind
from followups.services import item_record
from notifications.models import Notification, NotificationKind
from tests.factories import PeriodFactory, ReportFactory


def register_texts(client, **query):
    response = client.get(reverse("followup_register"), query)
    assert response.status_code == 200
    return [item.text for item in response.context["page"]]


def test_each_reads_only_their_items(client_for, item, second_item, reporter_b, head_a, office_user, outsider):
    assert register_texts(client_for(reporter_b)) == [item.text]
    # Unit A is co-ordinating on the first item and leads the second.
    assert sorted(register_texts(client_for(head_a))) == sorted([item.text, second_item.text])
    assert len(register_texts(client_for(office_user))) == 2
    assert register_texts(client_for(outsider)) == []
    assert client_for(outsider).get(reverse("followup_detail", args=[item.pk])).status_code == 404


def test_the_issuing_and_verifying_body_see_theirs(client_for, item, second_item, board_staff):
    assert register_texts(client_for(board_staff)) == [item.text]


def test_filters_and_sorting(client_for, item, second_item, office_user, unit_a, board, task):
    client = client_for(office_user)
    assert register_texts(client, kind=SourceKind.INSPECTION) == [second_item.text]
    assert register_texts(client, status="overdue") == [second_item.text]
    assert register_texts(client, status="not_started", sort="-due") == [item.text, second_item.text]
    assert register_texts(client, sort="due") == [second_item.text, item.text]
    assert register_texts(client, issuer=board.pk) == [item.text]
    assert sorted(register_texts(client, addressee=unit_a.pk)) == sorted([item.text, second_item.text])
    assert register_texts(client, issued_from="2026-01-01", issued_to="2026-12-31") == [item.text]
    FollowUpItem.objects.filter(pk=item.pk).update(task=task)
    assert register_texts(client, task=task.pk) == [item.text]
    # A filter that is not an id is ignored, not an error.
    assert len(register_texts(client, addressee="١٢")) == 2


def test_the_register_reads_a_fixed_number_of_queries(client_for, office_user, item, second_item, unit_b, board):
    client = client_for(office_user)
    client.get(reverse("followup_register"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("followup_register"))
    for number in range(15):
        item_record(
            document=item.document, text=f"Kiến nghị số {number}", lead=unit_b, deadline=datetime.date(2026, 7, 1),
            verifying_unit=board, by=office_user, notify=False,
        )  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("followup_register"))
    assert len(many) == len(few)


def test_the_unit_answers_from_the_item_page(client_for, item, reporter_b):
    client = client_for(reporter_b)
    page = client.get(reverse("followup_detail", args=[item.pk]))
    assert page.context["may_answer"]
    response = client.post(
        reverse("followup_respond", args=[item.pk]),
        {"response": "Đã tổ chức 3 cuộc tiếp xúc cử tri.", "expected_version": item.version},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "in_progress" and item.response == "Đã tổ chức 3 cuộc tiếp xúc cử tri."
    # The same form sent again is stale: the page says who saved, and keeps the text typed.
    stale = client.post(reverse("followup_respond", args=[item.pk]), {"response": "Bản khác.", "expected_version": 1})
    assert stale.status_code == 409
    assert "Bản khác." in stale.content.decode()


def test_a_viewer_reads_but_does_not_answer(client_for, item, unit_b):
    from tests.factories import MembershipFactory, UserFactory

    viewer = MembershipFactory(user=UserFactory(username="viewer"), unit=unit_b, role="viewer").user
    client = client_for(viewer)
    assert not client.get(reverse("followup_detail", args=[item.pk])).context["may_answer"]
    response = client.post(reverse("followup_respond", args=[item.pk]), {"response": "x", "expected_version": 1})
    assert response.status_code == 404


def test_a_direction_on_a_report_reaches_the_unit_and_its_my_work(
    client_for, committee_user, assignment_b, reporter_b, unit_b, province
):
    report = ReportFactory(assignment=assignment_b, period=PeriodFactory(schedule=assignment_b.schedule))
    client = client_for(committee_user)
    url = reverse("followup_direction") + f"?report={report.pk}"
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"].initial["unit"] == unit_b.pk
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post(url, {"unit": unit_b.pk, "text": "Tập trung hoàn thành chỉ tiêu giám sát.",
                                 "deadline": deadline.isoformat()})  # fmt: skip
    item = FollowUpItem.objects.get()
    assert response.status_code == 302 and response.url == reverse("followup_detail", args=[item.pk])
    assert item.document.kind == SourceKind.DIRECTION and item.document.issuing_unit == province
    assert item.task == assignment_b.task and item.about_report == report
    assert list(item.units.all()) == [unit_b]
    note = Notification.objects.get(recipient=reporter_b)
    assert note.kind == NotificationKind.FOLLOWUP_DIRECTION and note.get_absolute_url() == f"/follow-ups/{item.pk}/"
    my_work = client_for(reporter_b).get(reverse("my_work"))
    assert [i.pk for i in my_work.context["followups"]] == [item.pk]
    assert deadline.strftime("%d/%m/%Y") in my_work.content.decode()


def test_unit_staff_may_not_record_directions(client_for, reporter_b, unit_b):
    client = client_for(reporter_b)
    assert client.get(reverse("followup_direction")).status_code == 403
    response = client.post(reverse("followup_direction"), {"unit": unit_b.pk, "text": "x", "deadline": "2026-12-01"})
    assert response.status_code == 403 and not FollowUpItem.objects.exists()


def test_unit_staff_record_only_items_their_unit_issues(client_for, board_staff, board, unit_b, province):
    client = client_for(board_staff)
    form = client.get(reverse("followup_new")).context["form"]
    assert list(form.fields["issuing_unit"].queryset) == [board]
    data = {"kind": SourceKind.SUPERVISION, "issued_on": "2026-03-02", "issuing_unit": province.pk,
            "text": "Kiến nghị.", "lead": unit_b.pk, "deadline": "2026-06-30", "verifying_unit": board.pk}  # fmt: skip
    assert client.post(reverse("followup_new"), data).status_code == 400
    data["issuing_unit"] = board.pk
    assert client.post(reverse("followup_new"), data).status_code == 302
    assert FollowUpItem.objects.get().document.issuing_unit == board
