"""The notification pages: e-mail settings, the list, opening and marking
read, and the bell's unread count in the navigation bar."""

import re

import pytest
from django.urls import reverse

from notifications.models import EmailMode, Notification, NotificationKind, NotificationPreference
from tests.factories import ReportFactory

SETTINGS_URL = "/notifications/settings/"
LIST_URL = "/notifications/"


@pytest.fixture
def report(assignment_a, reporter_a):
    return ReportFactory(assignment=assignment_a, created_by=reporter_a, state="returned")


@pytest.fixture
def make_items(report):
    def make(user, count, read=False):
        return [
            Notification.objects.create(
                recipient=user,
                kind=NotificationKind.REPORT_RETURNED,
                report=report,
                assignment=report.assignment,
                period=report.period,
                read_at="2025-06-12T09:00:00+07:00" if read else None,
            )
            for _n in range(count)
        ]

    return make


def unread(user):
    return Notification.objects.for_user(user).unread().count()


def bell_count(page):
    found = re.search(r'data-testid="unread-count">\s*(\d+)\s*<', page)
    return int(found.group(1)) if found else None


# --- e-mail settings -----------------------------------------------------------------------------


def test_settings_page_needs_login(client):
    response = client.get(SETTINGS_URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={SETTINGS_URL}"


def test_settings_page_offers_the_two_choices_in_vietnamese(reporter_a, client_for):
    response = client_for(reporter_a).get(SETTINGS_URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="h3">Cài đặt e-mail</h1>' in page
    assert "Mỗi thông báo một e-mail" in page
    assert "Một thư tổng hợp mỗi ngày" in page
    assert "Cách nhận e-mail" in page
    assert len(re.findall(r'<input type="radio"[^>]*name="email_mode"', page)) == 2
    # One e-mail per notification until the user chooses otherwise.
    assert re.search(r'value="individual"[^>]*checked', page)
    assert NotificationPreference.objects.get(user=reporter_a).email_mode == EmailMode.INDIVIDUAL


def test_saving_the_digest_choice_persists_and_says_so_in_vietnamese(reporter_a, client_for):
    client = client_for(reporter_a)

    response = client.post(SETTINGS_URL, {"email_mode": "digest"}, follow=True)

    assert response.redirect_chain == [(SETTINGS_URL, 302)]
    page = response.content.decode()
    assert "Đã lưu cài đặt thông báo." in page
    assert re.search(r'value="digest"[^>]*checked', page)
    assert NotificationPreference.objects.get(user=reporter_a).email_mode == EmailMode.DIGEST


def test_switching_back_to_individual_emails_persists(reporter_a, client_for):
    NotificationPreference.objects.create(user=reporter_a, email_mode=EmailMode.DIGEST)

    client_for(reporter_a).post(SETTINGS_URL, {"email_mode": "individual"})

    assert NotificationPreference.objects.get(user=reporter_a).email_mode == EmailMode.INDIVIDUAL


def test_settings_page_refuses_an_unknown_choice(reporter_a, client_for):
    response = client_for(reporter_a).post(SETTINGS_URL, {"email_mode": "weekly"})

    assert response.status_code == 200
    assert "Đã lưu cài đặt thông báo." not in response.content.decode()
    assert NotificationPreference.objects.get(user=reporter_a).email_mode == EmailMode.INDIVIDUAL


def test_settings_change_only_the_users_own_preference(reporter_a, head_a, client_for):
    client_for(reporter_a).post(SETTINGS_URL, {"email_mode": "digest"})

    assert not NotificationPreference.objects.filter(user=head_a).exists()


# --- the list, opening and marking read ----------------------------------------------------------


def test_notification_list_links_to_the_email_settings(reporter_a, client_for):
    page = client_for(reporter_a).get(LIST_URL).content.decode()

    assert f'href="{SETTINGS_URL}">Cài đặt e-mail</a>' in page


def test_notification_list_needs_login(client):
    assert client.get(LIST_URL).status_code == 302


def test_opening_a_notification_marks_only_it_read_and_goes_to_the_report(reporter_a, make_items, report, client_for):
    first, second = make_items(reporter_a, 2)

    response = client_for(reporter_a).post(reverse("notification_open", args=[first.pk]))

    assert response.status_code == 302
    assert response.url == f"/reports/{report.pk}/"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None


def test_opening_needs_a_post(reporter_a, make_items, client_for):
    [item] = make_items(reporter_a, 1)

    assert client_for(reporter_a).get(reverse("notification_open", args=[item.pk])).status_code == 405
    assert unread(reporter_a) == 1


def test_opening_someone_elses_notification_changes_nothing(reporter_a, head_a, make_items, client_for):
    [theirs] = make_items(head_a, 1)

    response = client_for(reporter_a).post(reverse("notification_open", args=[theirs.pk]))

    assert response.url == LIST_URL
    assert unread(head_a) == 1


def test_mark_all_read_marks_every_item_of_the_user_only(reporter_a, head_a, make_items, client_for):
    make_items(reporter_a, 3)
    make_items(head_a, 2)

    response = client_for(reporter_a).post(reverse("notification_mark_all_read"))

    assert response.url == LIST_URL
    assert unread(reporter_a) == 0
    assert unread(head_a) == 2


def test_bell_shows_the_number_of_unread_notifications(reporter_a, make_items, client_for):
    make_items(reporter_a, 3)
    make_items(reporter_a, 2, read=True)
    client = client_for(reporter_a)

    assert bell_count(client.get(LIST_URL).content.decode()) == 3

    client.post(reverse("notification_open", args=[Notification.objects.unread().first().pk]))
    assert bell_count(client.get(LIST_URL).content.decode()) == 2

    client.post(reverse("notification_mark_all_read"))
    page = client.get(LIST_URL).content.decode()
    assert bell_count(page) is None
    assert 'data-testid="unread-count"' not in page
    assert 'aria-label="Thông báo: 0 chưa đọc"' in page


def test_bell_label_reads_the_unread_count_in_vietnamese(reporter_a, make_items, client_for):
    make_items(reporter_a, 4)

    page = client_for(reporter_a).get(SETTINGS_URL).content.decode()

    assert bell_count(page) == 4
    assert 'aria-label="Thông báo: 4 chưa đọc"' in page


def test_list_shows_unread_items_as_new(reporter_a, make_items, client_for):
    make_items(reporter_a, 1)
    make_items(reporter_a, 1, read=True)

    page = client_for(reporter_a).get(LIST_URL).content.decode()

    assert page.count(">mới</span>") == 1
    assert page.count("Báo cáo bị Văn phòng Tỉnh ủy trả lại") >= 2
