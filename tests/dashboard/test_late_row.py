"""A row of the late list, built by a template tag (``late_row``): the same
HTML as the template markup it replaced, in both languages, with and
without the "Remind now" form, names escaped."""

import datetime
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from dashboard.late import LateRow

# The row as the late list's template wrote it before the tag (a file: its lines are long).
MARKUP = Template((Path(__file__).parent / "late_row_before.html").read_text(encoding="utf-8"))
TAG = Template("{% load dashboard_tags %}{% late_row row selection.query may_remind %}")
QUERY = "directive=1&start=2026-10&end=2026-11"


def _row(*, name, title, days, sent, heads):
    unit = SimpleNamespace(pk=42, name=name)
    task = SimpleNamespace(pk=7, number=3, title=title)
    period = SimpleNamespace(pk=9, label="Tháng 10/2026")
    assignment = SimpleNamespace(pk=1234)
    return LateRow(unit, task, period, assignment, datetime.date(2026, 11, 5), days, sent, heads)


ROWS = [
    _row(name="Đảng ủy xã A & B <Hà Nội>", title="Nâng cao nhận thức, trách nhiệm của cấp ủy, tổ chức đảng",
         days=1, sent=0, heads=[]),
    _row(name="Huyện ủy Tứ Kỳ", title="Ngắn", days=1234, sent=12, heads=["Lê Thị Hoa", "Trần Văn \"Bình\""]),
]  # fmt: skip


def _html(template, row, may_remind):
    request = RequestFactory().get("/dashboard/?" + QUERY + "&late_sort=days&x=<b>")
    context = Context({"row": row, "selection": SimpleNamespace(query=QUERY), "may_remind": may_remind,
                       "request": request, "csrf_token": "token-value"})  # fmt: skip
    return re.sub(r">\s+<", "><", template.render(context)).strip()


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("may_remind", [True, False])
@pytest.mark.parametrize("row", ROWS, ids=["one-day-no-head", "many-days-two-heads"])
def test_the_tag_writes_the_row_the_template_wrote(row, may_remind, language):
    with translation.override(language):
        ours, theirs = _html(TAG, row, may_remind), _html(MARKUP, row, may_remind)
    assert ours == theirs
    assert ("Remind now" in ours or "Nhắc ngay" in ours) is may_remind


def test_names_are_escaped_and_the_words_are_vietnamese():
    with translation.override("vi"):
        html = _html(TAG, ROWS[0], True)
    assert "Đảng ủy xã A &amp; B &lt;Hà Nội&gt;</a>" in html
    assert "1 ngày" in html and ">—</td>" in html
    assert 'value="/dashboard/?directive=1&amp;start=2026-10&amp;end=2026-11&amp;late_sort=days&amp;x=%3Cb%3E"' in html
    assert 'action="/dashboard/remind/1234/9/"' in html
