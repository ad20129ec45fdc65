"""The follow-up register in real Chromium: the office filters the register,
unit B's reporter answers an item from "Việc của tôi" with a file and sends it
to the head, the head reports it, the verifying board accepts it; the Standing
Committee records a direction on unit B. axe-core and the phone-width check
run on every page on the way, at 1366 and 375 px. Screenshots go to
$VAR_DIR/screenshots/ for a person to look at."""

import datetime
import pathlib

import pytest
from django.conf import settings
from django.utils import timezone

from followups.models import FollowUpItem, FollowUpStatus, SourceKind
from followups.services import document_record, item_record
from tests.browser.test_accessibility import AXE_RUN, AXE_SOURCE, AXE_TAGS, PHONE_CHECK
from tests.factories import MembershipFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = pathlib.Path(settings.VAR_DIR) / "screenshots"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def register_data(province, unit_a, unit_b, reporter_b, office_user, committee_user):
    board = UnitFactory(code="ban-pc", name="Ban Pháp chế HĐND tỉnh (thử)", kind="council_board", level=1,
                        parent=province)  # fmt: skip
    MembershipFactory(user=UserFactory(username="board-staff"), unit=board, role="reporter")
    MembershipFactory(user=UserFactory(username="head-b"), unit=unit_b, role="head")
    today = timezone.localdate()
    session = document_record(
        kind=SourceKind.SUPERVISION, issued_on=today - datetime.timedelta(days=90), issuing_unit=board,
        by=office_user, number="45/BC-HĐND", title="Báo cáo kết quả giám sát việc giải quyết kiến nghị cử tri",
    )  # fmt: skip
    answered = item_record(
        document=session, number="1", lead=unit_b, coordinating=[unit_a], verifying_unit=board, by=office_user,
        deadline=today + datetime.timedelta(days=20),
        text="Rà soát, trả lời dứt điểm các kiến nghị cử tri tồn đọng về đất đai, gửi kết quả về Thường trực HĐND.",
    )  # fmt: skip
    late = item_record(
        document=session, number="2", lead=unit_a, verifying_unit=board, by=office_user,
        deadline=today - datetime.timedelta(days=10),
        text="Xây dựng quy chế phối hợp tiếp công dân giữa Huyện ủy và Thường trực HĐND huyện.",
    )  # fmt: skip
    return answered, late


def check_page(page, name):
    """axe at 1366 px and the phone check at 375 px, with a screenshot at each width."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    violations = page.evaluate(AXE_RUN, AXE_TAGS)
    page.screenshot(path=str(SHOTS / f"followups-{name}-1366.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 812})
    phone = page.evaluate(PHONE_CHECK)
    page.screenshot(path=str(SHOTS / f"followups-{name}-375.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    assert violations == [], violations
    assert phone == [], phone


def sign_out(page):
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(lambda url: "/login/" in url)


def test_the_register_from_recording_to_settlement(page, sign_in, register_data, tmp_path):
    answered, late = register_data
    # The office filters the register.
    sign_in("office")
    page.goto(f"{page.base_url}/follow-ups/")
    assert page.get_by_test_id("followup-row").count() == 2
    check_page(page, "register")
    page.locator("select[name=status]").select_option("overdue")
    page.get_by_role("button", name="Lọc", exact=True).click()
    page.wait_for_url(lambda url: "status=overdue" in url)
    rows = page.get_by_test_id("followup-row")
    assert rows.count() == 1 and "quy chế phối hợp" in rows.first.inner_text()
    assert rows.first.get_by_test_id("followup-overdue").is_visible()
    page.goto(f"{page.base_url}/follow-ups/new/")
    check_page(page, "new-item")
    sign_out(page)

    # Unit B's reporter finds the item on "Việc của tôi", answers with a file and sends it to the head.
    sign_in("reporter-b")
    page.goto(f"{page.base_url}/my-work/")
    mine = page.get_by_test_id("my-followups")
    assert answered.due_on.strftime("%d/%m/%Y") in mine.inner_text()
    check_page(page, "my-work")
    mine.get_by_role("link", name="Rà soát, trả lời dứt điểm").click()
    page.get_by_role("textbox", name="Tiến độ và kết quả thực hiện").fill(
        "Đã trả lời 14/16 kiến nghị; 2 kiến nghị đang xác minh."
    )
    evidence = tmp_path / "Văn bản trả lời cử tri.pdf"
    evidence.write_bytes(PDF)
    page.get_by_label("Tài liệu chứng minh (văn bản, biên bản, hình ảnh)").set_input_files(str(evidence))
    page.get_by_role("button", name="Lưu tiến độ").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("evidence").inner_text().startswith("Văn bản trả lời cử tri.pdf")
    check_page(page, "item-answering")
    page.get_by_test_id("action-send_to_head").get_by_role("button").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("item-status").inner_text() == "Chờ lãnh đạo đơn vị ký duyệt"
    sign_out(page)

    # The head reports it to the verifying board.
    sign_in("head-b")
    page.goto(f"{page.base_url}/follow-ups/{answered.pk}/")
    page.get_by_test_id("action-report").get_by_role("button").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("item-status").inner_text() == "Đã báo cáo, chờ đánh giá"
    sign_out(page)

    # The board accepts it: settled on time, every step on the timeline.
    sign_in("board-staff")
    page.goto(f"{page.base_url}/follow-ups/{answered.pk}/")
    page.get_by_test_id("action-accept").get_by_role("button").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("item-status").inner_text() == "Đã hoàn thành"
    assert page.get_by_test_id("item-on-time").is_visible()
    assert page.get_by_test_id("timeline-step").count() == 5
    check_page(page, "item-settled")
    answered.refresh_from_db()
    assert answered.status == FollowUpStatus.SETTLED


def test_a_committee_member_records_a_direction_on_a_unit(page, sign_in, register_data, unit_b, reporter_b):
    sign_in("committee")
    page.goto(f"{page.base_url}/follow-ups/direction/?unit={unit_b.pk}")
    check_page(page, "direction")
    page.get_by_label("Ý kiến chỉ đạo").fill("Huyện ủy Tứ Kỳ báo cáo kết quả giải quyết kiến nghị trước ngày 15.")
    page.get_by_label("Thời hạn").fill((timezone.localdate() + datetime.timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Ghi ý kiến chỉ đạo").click()
    page.wait_for_url(lambda url: "/direction/" not in url)
    item = FollowUpItem.objects.get(document__kind=SourceKind.DIRECTION)
    assert page.url.endswith(f"/follow-ups/{item.pk}/")
    assert list(item.units.all()) == [unit_b]
    check_page(page, "direction-recorded")


def test_a_closed_item_with_the_longest_status_fits_a_phone(page, sign_in, register_data):
    answered, _late = register_data
    FollowUpItem.objects.filter(pk=answered.pk).update(
        status=FollowUpStatus.NOT_FEASIBLE, claim="not_feasible", response="Vượt thẩm quyền cấp huyện.",
        reason="Thuộc thẩm quyền của Trung ương.", completed_on=answered.due_on,
    )  # fmt: skip
    sign_in("office")
    page.goto(f"{page.base_url}/follow-ups/{answered.pk}/")
    assert page.get_by_test_id("item-status").inner_text() == "Không thể thực hiện (đã được chấp nhận)"
    check_page(page, "item-not-feasible")


def test_the_office_finds_a_unit_s_items_by_typing_its_name(page, sign_in, register_data):
    """The unit filters are text boxes (a code or part of a name), not lists of every unit."""
    sign_in("office")
    page.goto(f"{page.base_url}/follow-ups/")
    assert page.locator("#register-filters option").count() < 40
    page.get_by_role("textbox", name="Đơn vị được giao").fill("Gia Lộc")
    page.get_by_role("button", name="Lọc", exact=True).click()
    page.wait_for_url(lambda url: "addressee=" in url)
    rows = page.get_by_test_id("followup-row")
    # Unit A (Gia Lộc) leads the late item and co-ordinates the other.
    assert rows.count() == 2
    page.get_by_role("textbox", name="Đơn vị được giao").fill("unit-b")
    page.get_by_role("textbox", name="Cơ quan ban hành").fill("Pháp chế")
    page.get_by_role("button", name="Lọc", exact=True).click()
    page.wait_for_url(lambda url: "addressee=unit-b" in url)
    assert rows.count() == 1 and "dứt điểm" in rows.first.inner_text()
    check_page(page, "register-unit-filter")
