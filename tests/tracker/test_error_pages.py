"""The error pages (issue #10.10): 400, 403, 404, 500 and a refused form in the
site's layout and in Vietnamese, each with a way back; a report submitted twice
(a double click) says so on the report page. pytest-django runs with DEBUG off,
as production does."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client, RequestFactory
from django.urls import get_resolver, include, path, reverse
from django.utils import translation

from reports.models import ProgressReport, ReportState
from reports.services import REPORT_FIELDS
from tests.factories import ReportFactory
from tracker import errors

ERROR_PAGE = 'data-testid="error-page"'


def page_of(response):
    body = response.content.decode()
    assert ERROR_PAGE in body, body[:500]
    assert 'lang="vi"' in body
    assert 'href="/"' in body or f'href="{reverse("home")}"' in body  # a way back
    return body


def test_django_uses_the_sites_error_views(settings):
    resolver = get_resolver()
    assert resolver.resolve_error_handler(400) is errors.bad_request
    assert resolver.resolve_error_handler(403) is errors.permission_denied
    assert resolver.resolve_error_handler(404) is errors.page_not_found
    assert resolver.resolve_error_handler(500) is errors.server_error
    assert settings.CSRF_FAILURE_VIEW == "tracker.errors.csrf_failure"
    assert settings.DEBUG is False


def test_a_missing_page_is_404_in_vietnamese_with_the_menu(client_for, committee_user):
    response = client_for(committee_user).get(
        "/khong-co-trang-nay/", headers={"referer": "http://testserver/dashboard/"}
    )
    assert response.status_code == 404
    body = page_of(response)
    assert "Trang này không tồn tại" in body
    assert 'data-testid="current-user"' in body  # the site's layout, signed in
    assert 'data-testid="error-back" href="http://testserver/dashboard/"' not in body  # attribute order aside:
    assert 'href="http://testserver/dashboard/"' in body  # back to where the visitor came from


def test_the_way_back_never_leads_off_the_site(client_for, committee_user):
    response = client_for(committee_user).get("/khong-co/", headers={"referer": "https://evil.example/phish"})
    assert "evil.example" not in response.content.decode()


def test_a_page_the_role_may_not_open_is_403_in_vietnamese(client_for, reporter_a):
    response = client_for(reporter_a).get(reverse("dashboard"))
    assert response.status_code == 403
    assert "Bạn không có quyền truy cập trang này" in page_of(response)


def test_a_bad_request_is_400_in_vietnamese(client, settings):
    response = client.get(reverse("login"), headers={"host": "evil.example"})
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in page_of(response)


def test_an_expired_form_is_403_in_vietnamese_and_changes_nothing(reporter_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reporter_a)
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    body = page_of(response)
    assert "Biểu mẫu đã hết hạn" in body
    assert "CSRF" not in body
    assert client.get(reverse("my_work")).status_code == 200  # still signed in


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_500_page_renders_without_the_database_or_the_request(language):
    """No database fixture: any query would fail the test."""
    request = RequestFactory().get("/")
    with translation.override(language):
        response = errors.server_error(request)
    assert response.status_code == 500
    body = response.content.decode()
    assert ERROR_PAGE in body and 'href="/"' in body and "css/app.css" in body
    expected = "Đã có lỗi ở phía hệ thống" if language == "vi" else "Something went wrong on our side"
    assert expected in body


def _broken(request):
    raise RuntimeError("a bug")


# This module is the URLconf of the next test: the project's pages and one that fails.
urlpatterns = [path("hong/", _broken), path("", include("tracker.urls"))]
handler500 = "tracker.errors.server_error"


@pytest.mark.urls(__name__)
def test_an_unhandled_error_answers_the_500_page_in_vietnamese(client, committee_user):
    client.force_login(committee_user)
    client.raise_request_exception = False
    response = client.get("/hong/")
    assert response.status_code == 500
    body = response.content.decode()
    assert ERROR_PAGE in body and "Đã có lỗi ở phía hệ thống" in body and "a bug" not in body


def _submit(client, report):
    data = {field: getattr(report, field) for field in REPORT_FIELDS}
    data.update(expected_version=report.version, action="submit", results="Đã tổ chức 3 hội nghị.")
    data.update(implementation_status="in_progress", percent_complete=30)
    return client.post(reverse("report_detail", args=[report.pk]), data)


def test_a_double_clicked_submit_tells_the_head_it_is_already_submitted(client_for, assignment_a, head_a):
    report = ReportFactory(assignment=assignment_a, created_by=head_a, state=ReportState.DRAFT, percent_complete=30)
    client = client_for(head_a)
    first = _submit(client, report)
    assert first.status_code == 302
    second = _submit(client, report)  # the same form, posted again
    assert second.status_code == 302
    assert second.url == reverse("report_detail", args=[report.pk])
    assert [str(m) for m in get_messages(second.wsgi_request)][-1] == (
        "Báo cáo này đã được gửi; không có thay đổi nào khác."
    )
    shown = client.get(second.url)
    assert shown.status_code == 200 and ERROR_PAGE not in shown.content.decode()
    report = ProgressReport.objects.get(pk=report.pk)
    assert report.state == ReportState.SUBMITTED and report.transitions.count() == 1


def test_a_double_clicked_workflow_action_says_it_no_longer_applies(client_for, assignment_a, office_user):
    report = ReportFactory(assignment=assignment_a, state=ReportState.SUBMITTED, percent_complete=30)
    client = client_for(office_user)
    url = reverse("report_action", args=[report.pk, "accept"])
    assert client.post(url).status_code == 302
    again = client.post(url)
    assert again.status_code == 302 and again.url == reverse("report_detail", args=[report.pk])
    assert "không còn áp dụng" in str(list(get_messages(again.wsgi_request))[-1])
    assert ProgressReport.objects.get(pk=report.pk).transitions.count() == 1
