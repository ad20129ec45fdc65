"""`load_directive`: the Hải Dương directive loaded exactly as written, its
responsible bodies and default assignments, and a second run that changes nothing."""

import datetime
import hashlib
import io
import re
import unicodedata
import zoneinfo
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

from directives.models import Directive, Indicator, Task
from directives.seed import hai_duong as seed
from reports.models import Assignment, ReportingPeriod, ReportingSchedule
from units.models import Unit, UnitLevel, UnitSuccession

D = datetime.date
# The project's own verbatim copy of the source directive, and the SHA-256 of the
# document the product team gave us (shared/seed/directive.txt on 2026-11-30):
# the copy must stay byte for byte that document, and nothing outside the
# repository is read, so the suite passes on a fresh clone.
SOURCE_PATH = Path(settings.BASE_DIR) / "directives" / "seed" / "hai_duong.txt"
SOURCE_SHA256 = "0dcb9c9f9ae3e6d4b15ff05ba430316c13ada84e5c9ddc4c5b59dd936129bf8f"
MERGER_DAY = D(2025, 3, 1)
DISTRICT_COMMITTEE_NAMES = {
    "Thành ủy Hải Dương",
    "Thành ủy Chí Linh",
    "Thị ủy Kinh Môn",
    "Huyện ủy Bình Giang",
    "Huyện ủy Cẩm Giàng",
    "Huyện ủy Gia Lộc",
    "Huyện ủy Kim Thành",
    "Huyện ủy Nam Sách",
    "Huyện ủy Ninh Giang",
    "Huyện ủy Thanh Hà",
    "Huyện ủy Thanh Miện",
    "Huyện ủy Tứ Kỳ",
}


def fold(text):
    return " ".join(text.split())


def load(*args):
    out = io.StringIO()
    call_command("load_directive", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def source():
    """The source document, as the project keeps it, checked against its pinned SHA-256."""
    data = SOURCE_PATH.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SOURCE_SHA256:
        pytest.fail(
            f"{SOURCE_PATH} is no longer the source directive: SHA-256 {digest}, expected {SOURCE_SHA256}.",
            pytrace=False,
        )
    return data.decode("utf-8")


def test_project_copy_of_the_source_is_the_pinned_document(source):
    assert hashlib.sha256(source.encode("utf-8")).hexdigest() == SOURCE_SHA256


def source_blocks(text):
    """Blank-line separated blocks of the source, with the page-break splits
    (a block that starts in lower case continues the previous one) joined."""
    blocks = []
    for block in re.split(r"\n\s*\n", text.strip()):
        block = block.strip()
        if blocks and block[:1].islower():
            blocks[-1] = f"{blocks[-1]} {block}"
        else:
            blocks.append(block)
    return blocks


def source_tasks(text):
    """Task number → its paragraph without the leading "N. "."""
    tasks = {}
    for block in source_blocks(text):
        match = re.match(r"([1-6])\. ", block)
        if match:
            tasks[int(match.group(1))] = block[match.end() :]
    return tasks


@pytest.fixture
def loaded(db):
    load()
    return Directive.objects.get(code=seed.DIRECTIVE_CODE)


# --- The text, exactly ---------------------------------------------------------------------------


class TestTextFromTheSource:
    def test_title_is_the_heading_of_the_source(self, loaded, source):
        heading = [line.strip() for line in source_blocks(source)[0].splitlines()]
        assert heading[:2] == ["CHỈ THỊ", "CỦA BAN THƯỜNG VỤ TỈNH ỦY"]
        assert loaded.title == " ".join(heading[2:])

    def test_each_task_is_its_paragraph_of_the_source(self, loaded, source):
        paragraphs = source_tasks(source)
        assert sorted(paragraphs) == [1, 2, 3, 4, 5, 6]
        for task in loaded.tasks.all():
            assert fold(task.text) == fold(paragraphs[task.number]), f"task {task.number} differs from the source"

    def test_task_text_has_no_line_breaks_or_double_spaces(self, loaded):
        for task in loaded.tasks.all():
            assert task.text == fold(task.text)

    def test_preamble_assignment_closing_and_distribution_are_the_sources(self, loaded, source):
        blocks = source_blocks(source)
        assert fold(loaded.preamble) == fold(" ".join(blocks[1:4]))
        assert loaded.assignment_text == next(block for block in blocks if block.startswith("Giao "))
        assert loaded.closing_text == next(block for block in blocks if block.startswith("Chỉ thị này"))
        recipients = next(block for block in blocks if block.startswith("- Ban Bí thư"))
        assert loaded.distribution_lines == [line.strip() for line in recipients.splitlines()]

    def test_full_text_is_the_whole_source(self, loaded, source):
        assert loaded.full_text == source.strip()


class TestTextSpotChecks:
    def test_title(self, loaded):
        assert loaded.title == (
            "VỀ TĂNG CƯỜNG SỰ LÃNH ĐẠO CỦA ĐẢNG ĐỐI VỚI HỘI ĐỒNG NHÂN DÂN CÁC CẤP TỈNH HẢI DƯƠNG, NIỆM KỲ 2021-2026"
        )

    def test_six_tasks_numbered_one_to_six(self, loaded):
        assert list(loaded.tasks.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6]
        assert list(loaded.tasks.values_list("title", flat=True)) == seed.TASK_TITLES

    def test_task_1_keeps_the_law_name_across_the_page_break(self, loaded):
        text = loaded.tasks.get(number=1).text
        assert text.startswith("Tăng cường sự lãnh đạo của các cấp ủy Đảng nhằm nâng cao nhận thức")
        assert "Luật Tổ chức chính quyền địa phương, Luật Hoạt động giám sát của Quốc hội và HĐND." in text
        assert text.endswith("nhằm đảm bảo nghị quyết đi vào cuộc sống thực sự hiệu lực, hiệu quả.")

    def test_task_4_keeps_the_motto_and_the_five_clears(self, loaded):
        text = loaded.tasks.get(number=4).text
        assert "“Chủ động, sáng tạo, quyết liệt, hiệu quả”" in text
        assert "5 rõ (rõ người, rõ việc, rõ tiến độ, rõ hiệu quả, rõ trách nhiệm)" in text

    def test_task_6_keeps_the_sentence_across_the_page_break(self, loaded):
        text = loaded.tasks.get(number=6).text
        assert "các chức danh chủ chốt và đội ngũ cán bộ chuyên trách HĐND các cấp;" in text

    def test_signature(self, loaded):
        assert loaded.signer_name == "Phạm Xuân Thăng"
        assert loaded.signer_title == "T/M BAN THƯỜNG VỤ\nBÍ THƯ"
        assert loaded.issuer_name == "Ban Thường vụ Tỉnh ủy Hải Dương"
        assert loaded.issuing_unit.code == "tinh-uy"
        assert loaded.place == "Hải Dương"
        assert loaded.term == "2021-2026"

    def test_distribution_list_has_nine_recipients(self, loaded):
        lines = loaded.distribution_lines
        assert len(lines) == 9
        assert lines[0] == "- Ban Bí thư TW Đảng (để b/c),"
        assert lines[-1] == "- Lưu VPTU."
        assert all(line.startswith("- ") for line in lines)

    def test_closing_line_and_assignment_paragraph(self, loaded):
        assert loaded.closing_text == "Chỉ thị này được phổ biến đến chi bộ./."
        assert loaded.assignment_text.startswith("Giao Đảng đoàn HĐND tỉnh, Ban cán sự Đảng Ủy ban nhân dân tỉnh,")
        assert loaded.assignment_text.endswith("báo cáo kết quả việc thực hiện Chỉ thị với Ban Thường vụ Tỉnh ủy.")

    def test_number_and_date_are_left_blank_for_the_office_to_fill(self, loaded):
        assert loaded.number == ""
        assert loaded.signed_on is None
        assert loaded.kind == "chi_thi"
        assert loaded.status == "in_force"

    def test_every_stored_text_is_unicode_nfc(self, loaded):
        texts = [
            getattr(loaded, field)
            for field in (
                "title",
                "issuer_name",
                "signer_title",
                "signer_name",
                "preamble",
                "assignment_text",
                "closing_text",
                "distribution",
                "full_text",
            )
        ]
        texts += [text for task in loaded.tasks.all() for text in (task.title, task.text)]
        texts += [name for unit in Unit.objects.all() for name in (unit.name, unit.short_name)]
        texts += list(Indicator.objects.values_list("name", flat=True))
        texts += list(UnitSuccession.objects.values_list("note", flat=True))
        assert all(unicodedata.is_normalized("NFC", text) for text in texts)
        # Precomposed letters: "ủ" is one code point, not "u" and a combining hook.
        assert "\u1ee7" in loaded.issuer_name


# --- Units, assignments, schedule ----------------------------------------------------------------


@pytest.mark.usefixtures("loaded")
class TestResponsibleBodies:
    def test_twelve_district_committees_under_the_province(self):
        districts = Unit.objects.filter(level=UnitLevel.DISTRICT, kind="party_committee")
        assert set(districts.values_list("name", flat=True)) == DISTRICT_COMMITTEE_NAMES
        assert districts.count() == 12
        assert {unit.parent.code for unit in districts} == {"tinh-uy"}

    def test_every_district_committee_leads_all_six_tasks(self):
        for unit in Unit.objects.filter(name__in=DISTRICT_COMMITTEE_NAMES):
            numbers = Assignment.objects.filter(unit=unit, role="lead").values_list("task__number", flat=True)
            assert sorted(numbers) == [1, 2, 3, 4, 5, 6], unit.name

    def test_each_task_has_one_province_lead_per_party_committee_area_on_any_date(self):
        province_leads = list(
            Assignment.objects.filter(role="lead", unit__level=UnitLevel.PROVINCE).select_related("unit", "task")
        )
        units = Unit.objects.filter(level=UnitLevel.PROVINCE)
        # The set of open units only changes on these days.
        days = {D(2021, 7, 1), D(2026, 12, 31)}
        for unit in units:
            for day in (unit.valid_from, unit.valid_to):
                if day:
                    days |= {day - datetime.timedelta(days=1), day, day + datetime.timedelta(days=1)}
        scopes = {unit.pk: unit.scope_root().code for unit in Unit.objects.filter(level=UnitLevel.PROVINCE)}
        for number in range(1, 7):
            for day in sorted(days):
                per_area = {}
                for assignment in province_leads:
                    if assignment.task.number == number and assignment.unit.is_open_on(day):
                        per_area.setdefault(scopes[assignment.unit_id], []).append(assignment.unit.code)
                assert len(per_area.get("tinh-uy", [])) == 1, (number, day, per_area)
                assert all(len(codes) == 1 for codes in per_area.values()), (number, day, per_area)

    def test_task_1_passes_from_ban_tuyen_giao_to_the_merged_board(self):
        leads = (
            Assignment.objects.filter(task__number=1, role="lead", unit__level=UnitLevel.PROVINCE)
            .exclude(unit__kind="party_committee")
            .select_related("unit")
        )
        assert [a.unit.code for a in leads if a.unit.is_open_on(D(2025, 2, 28))] == ["btgtu"]
        assert [a.unit.code for a in leads if a.unit.is_open_on(MERGER_DAY)] == ["btgdvtu"]

    def test_every_seeded_assignment_passes_validation(self):
        for assignment in Assignment.objects.select_related("unit", "task"):
            assignment.full_clean()

    def test_merger_of_tuyen_giao_and_dan_van(self):
        merged = Unit.objects.get(code="btgdvtu")
        assert merged.name == "Ban Tuyên giáo và Dân vận Tỉnh ủy"
        assert merged.valid_from == MERGER_DAY
        rows = UnitSuccession.objects.filter(successor=merged).order_by("predecessor__code")
        assert [(row.predecessor.code, row.kind, row.effective_on) for row in rows] == [
            ("bdvtu", "merge", MERGER_DAY),
            ("btgtu", "merge", MERGER_DAY),
        ]
        for row in rows:
            assert row.predecessor.valid_to == D(2025, 2, 28)
            assert not row.predecessor.overlaps(merged)

    def test_reviewing_unit_is_the_provincial_office(self):
        assert set(Assignment.objects.values_list("reviewing_unit__code", flat=True)) == {"vptu"}

    def test_sample_units_are_marked(self):
        assert set(Unit.objects.filter(is_sample=True).values_list("code", flat=True)) == {
            "du-khoi-dn",
            "du-quan-su",
            "du-cong-an",
        }


class TestSchedule:
    @pytest.fixture
    def schedule(self, db, settings):
        settings.REPORTING_CUTOFF_DAY = 14
        settings.REPORTING_DUE_DAYS_AFTER_CUTOFF = 5
        load()
        return ReportingSchedule.objects.get(code=seed.SCHEDULE["code"])

    def test_default_schedule_is_six_monthly_and_annual(self, schedule):
        assert (schedule.monthly, schedule.quarterly, schedule.semiannual, schedule.annual) == (
            False,
            False,
            True,
            True,
        )
        assert (schedule.cutoff_day, schedule.due_days_after_cutoff) == (14, 5)
        assert set(Assignment.objects.values_list("schedule", flat=True)) == {schedule.pk}

    def test_first_half_of_2024_runs_15_december_to_14_june(self, schedule):
        h1 = schedule.periods.get(key="2024-H1")
        assert (h1.kind, h1.starts_on, h1.ends_on, h1.due_on) == (
            "semiannual",
            D(2023, 12, 15),
            D(2024, 6, 14),
            D(2024, 6, 19),
        )

    def test_year_2024_runs_15_december_to_14_december(self, schedule):
        year = schedule.periods.get(key="2024")
        assert (year.kind, year.starts_on, year.ends_on, year.due_on) == (
            "annual",
            D(2023, 12, 15),
            D(2024, 12, 14),
            D(2024, 12, 19),
        )

    def test_no_second_half_report_beside_the_annual_one(self, schedule):
        assert not schedule.periods.filter(kind="semiannual", key__endswith="-H2").exists()

    def test_due_days_setting_is_honoured(self, db, settings):
        settings.REPORTING_DUE_DAYS_AFTER_CUTOFF = 10
        load()
        period = ReportingPeriod.objects.get(schedule__code=seed.SCHEDULE["code"], key="2024-H1")
        assert period.due_on == D(2024, 6, 24)

    def test_periods_are_created_a_year_ahead(self, db):
        with time_machine.travel(datetime.datetime(2024, 3, 1, 12, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))):
            load()
        keys = list(ReportingPeriod.objects.order_by("due_on", "key").values_list("key", flat=True))
        # Starts 1 July 2021: the 2021 annual window is the first that reaches it.
        assert keys == ["2021", "2022-H1", "2022", "2023-H1", "2023", "2024-H1", "2024", "2025-H1", "2025"]


# --- Running it again ----------------------------------------------------------------------------


def snapshot():
    """Row counts of every model and the rows of the seeded ones."""
    counts = {model._meta.label: model._default_manager.count() for model in apps.get_models()}
    rows = {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in (Unit, UnitSuccession, Directive, Task, Indicator, ReportingSchedule, ReportingPeriod, Assignment)
    }
    return counts, rows


@pytest.mark.django_db
class TestIdempotence:
    def test_first_run_reports_what_it_created(self):
        out = load()
        assert "task created: 6" in out
        assert "unit created: 33" in out
        assert "unitsuccession created: 2" in out
        assert Task.objects.count() == 6

    def test_second_load_changes_nothing(self):
        load()
        counts, rows = snapshot()
        updated = dict(Assignment.objects.values_list("pk", "updated_at"))
        out = load()
        assert "Nothing to do" in out
        assert snapshot() == (counts, rows)
        assert dict(Assignment.objects.values_list("pk", "updated_at")) == updated

    def test_admin_edit_survives_a_rerun_and_overwrite_restores_it(self):
        load()
        task = Task.objects.get(directive__code=seed.DIRECTIVE_CODE, number=1)
        task.title = "Tiêu đề do quản trị viên sửa"
        task.save()

        assert "Nothing to do" in load()
        task.refresh_from_db()
        assert task.title == "Tiêu đề do quản trị viên sửa"

        out = load("--overwrite")
        assert "task updated: 1" in out
        task.refresh_from_db()
        assert task.title == seed.TASK_TITLES[0]

    def test_overwrite_keeps_fields_the_seed_does_not_set(self):
        load()
        assignment = Assignment.objects.get(unit__code="hu-gia-loc", task__number=4)
        assignment.responsible_person = "Đ/c Trưởng ban"
        assignment.save()
        load("--overwrite")
        assignment.refresh_from_db()
        assert assignment.responsible_person == "Đ/c Trưởng ban"

    def test_overwrite_with_nothing_edited_changes_nothing(self):
        load()
        before = snapshot()
        assert "Nothing to do" in load("--overwrite")
        assert snapshot() == before
