"""DRF's messages the API answers with come out in our Vietnamese."""

from django.utils import translation


def test_drf_messages_render_in_vietnamese():
    from api.third_party_messages import MESSAGES

    english = []
    with translation.override("vi"):
        for message in MESSAGES["rest_framework"]:
            if isinstance(message, str):
                msgid, shown = message, translation.gettext(message)
            else:
                msgid = message._kw["singular"]
                shown = translation.ngettext(msgid, message._kw["plural"], 2)
            if shown == msgid:
                english.append(msgid)
    assert not english


def test_an_api_error_is_in_vietnamese_by_default(client, db):
    response = client.get("/api/v1/reports/")
    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Chưa gửi thông tin xác thực (khóa API hoặc phiên đăng nhập).",
    }
