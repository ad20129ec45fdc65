"""The follow-up register at national size for ``demo_data --scale`` (called by
reports/demo_scale.py): about 2,940 items per province, so about 100,000 for
the 34 provinces, written with COPY like the rest of the scale data.

Per province: the People's Council's Standing Board and its boards recommend
to the provincial People's Committee and departments after supervisions, the
inspection committee concludes on the province's bodies and the communes'
Party committees, the Standing Committee gives directions, the Fatherland
Front forwards voters' petitions; in each commune the People's Council
recommends to the commune's People's Committee and the commune's Front
forwards petitions. Issued over the last two years, deadlines 30 to 180 days
later; an item's state follows its deadline: most past ones settled (a quarter
of those late), some reported or not feasible, the rest open and overdue; most
future ones open. No timeline, history or notification rows, as for the
generated reports. Deterministic for a given seed and day."""

import datetime
import random
from collections import Counter

from followups.models import AddresseeRole, FollowUpAddressee, FollowUpItem, FollowUpStatus, SourceDocument, SourceKind
from reminders.calendar import WorkingCalendar
from reports.demo_scale_copy import copy_tuples, sequence_reset

S = FollowUpStatus
ITEMS_PER_DOCUMENT = 10
# (issuer suffix, kind, lead suffixes, co-ordinating suffixes, items, number format) for a province's own bodies.
PROVINCIAL = [
    ("tt-hdnd", SourceKind.SUPERVISION, ["ubnd"], ["snv"], 60, "{n}/BC-HĐND"),
    ("ban-ktns", SourceKind.SUPERVISION, ["ubnd"], [], 30, "{n}/BC-KTNS"),
    ("ban-vhxh", SourceKind.SUPERVISION, ["ubnd", "snv"], [], 30, "{n}/BC-VHXH"),
    ("ubkt", SourceKind.INSPECTION, ["btc", "btgdv", "bnc", "du-ubnd", "du-cqd"], [], 40, "{n}-KL/UBKT"),
    ("", SourceKind.DIRECTION, ["ubnd", "btc", "btgdv", "du-ubnd", "mttq"], [], 30, "{n}-TB/TU"),
    ("mttq", SourceKind.PETITION, ["ubnd"], ["snv"], 30, "{n}/BC-MTTQ"),
]
# Per commune: (issuer suffix, kind, lead suffix, items, number format); "" is the commune's Party committee.
COMMUNE = [
    ("hdnd", SourceKind.SUPERVISION, "ubnd", 25, "{n}/BC-HĐND"),
    ("mttq", SourceKind.PETITION, "ubnd", 10, "{n}/BC-MTTQ"),
]
COMMUNE_INSPECTIONS = 5  # by the province's inspection committee, to the commune's Party committee
TEXTS = {
    SourceKind.SUPERVISION: [
        "Rà soát, lập phương án sử dụng trụ sở, tài sản công dôi dư sau sắp xếp đơn vị hành chính.",
        "Đẩy nhanh tiến độ giải phóng mặt bằng các dự án trọng điểm; công khai phương án bồi thường.",
        "Chấn chỉnh việc giải quyết thủ tục hành chính quá hạn tại bộ phận một cửa.",
        "Bố trí đủ kinh phí duy tu, sửa chữa trường học xuống cấp trước năm học mới.",
        "Kiểm tra, xử lý dứt điểm các điểm tập kết rác thải tự phát gây ô nhiễm.",
    ],
    SourceKind.INSPECTION: [
        "Khắc phục hạn chế trong công tác quản lý, sử dụng tài chính đảng; báo cáo kết quả.",
        "Kiểm điểm, làm rõ trách nhiệm tập thể, cá nhân để xảy ra vi phạm được chỉ ra.",
        "Hoàn thiện quy chế làm việc, quy chế chi tiêu nội bộ theo kết luận kiểm tra.",
    ],
    SourceKind.DIRECTION: [
        "Tham mưu kế hoạch tổ chức thực hiện Chỉ thị, báo cáo Ban Thường vụ.",
        "Rà soát, đánh giá kết quả thực hiện nhiệm vụ được giao; đề xuất giải pháp tháo gỡ vướng mắc.",
        "Chủ trì phối hợp giải quyết dứt điểm vụ việc khiếu nại kéo dài.",
    ],
    SourceKind.PETITION: [
        "Cử tri đề nghị sửa chữa tuyến đường liên xã bị hư hỏng nặng.",
        "Cử tri đề nghị giải quyết chế độ cho người có công còn tồn đọng.",
        "Cử tri phản ánh tình trạng ngập úng khu dân cư khi mưa lớn.",
    ],
}
TITLES = {
    SourceKind.SUPERVISION: "Báo cáo kết quả giám sát (dữ liệu mẫu)",
    SourceKind.INSPECTION: "Kết luận kiểm tra (dữ liệu mẫu)",
    SourceKind.DIRECTION: "Thông báo ý kiến chỉ đạo (dữ liệu mẫu)",
    SourceKind.PETITION: "Báo cáo tổng hợp kiến nghị cử tri (dữ liệu mẫu)",
}
DOCUMENT_FIELDS = ["id", "kind", "number", "issued_on", "issuing_unit", "title", "file", "original_name", "created_at"]
ITEM_FIELDS = ["id", "document", "number", "text", "verifying_unit", "deadline", "due_on", "status", "claim",
               "response", "reason", "reported_at", "completed_on", "closed_at", "status_changed_at", "round",
               "version", "created_at", "updated_at"]  # fmt: skip
ADDRESSEE_FIELDS = ["id", "item", "unit", "role"]


def _plan(units):
    """[(issuer id, kind, lead id, [co-ordinating ids], count, number format)] for every province and commune."""
    by_code = {unit.code: unit for unit in units}
    plan = []
    for province in (unit for unit in units if unit.parent_id is None):
        slug = province.code

        def unit_id(suffix, base=slug):
            return by_code[f"{base}-{suffix}"].id if suffix else by_code[base].id

        for issuer, kind, leads, coordinating, count, number in PROVINCIAL:
            issuer_id = unit_id(issuer)
            for index, lead in enumerate(leads):
                share = count // len(leads) + (1 if index < count % len(leads) else 0)
                plan.append((issuer_id, kind, unit_id(lead), [unit_id(c) for c in coordinating], share, number))
        communes = [u for u in units if u.parent_id == province.id and u.code.startswith(f"{slug}-x")]
        for commune in communes:
            for issuer, kind, lead, count, number in COMMUNE:
                plan.append((unit_id(issuer, commune.code), kind, unit_id(lead, commune.code), [], count, number))
            plan.append((unit_id("ubkt"), SourceKind.INSPECTION, commune.id, [], COMMUNE_INSPECTIONS, "{n}-KL/UBKT"))
    return plan


def _state(rng, due_on, issued_on, today):
    """(status, completed_on, reported day) for an item due on ``due_on``."""
    draw = rng.random()
    if due_on < today:
        if draw < 0.48:
            early = min((due_on - issued_on).days, rng.randint(0, 25))
            return S.SETTLED, due_on - datetime.timedelta(days=early), None
        if draw < 0.64:
            late = due_on + datetime.timedelta(days=rng.randint(1, 60))
            return S.SETTLED, min(late, today - datetime.timedelta(days=1)), None
        if draw < 0.69:
            return S.NOT_FEASIBLE, due_on - datetime.timedelta(days=rng.randint(0, 10)), None
        if draw < 0.79:
            return S.REPORTED, None, min(today, due_on + datetime.timedelta(days=rng.randint(-10, 20)))
        return rng.choice([S.IN_PROGRESS, S.IN_PROGRESS, S.RETURNED, S.NOT_STARTED]), None, None
    if draw < 0.12:
        return S.SETTLED, min(today, issued_on + datetime.timedelta(days=rng.randint(5, 40))), None
    if draw < 0.22:
        return S.REPORTED, None, today - datetime.timedelta(days=rng.randint(0, 5))
    return rng.choice([S.IN_PROGRESS, S.NOT_STARTED, S.NOT_STARTED, S.PENDING_SIGNOFF]), None, None


def _moment(day):
    return f"{day.isoformat()} 09:00:00+07"


def followups_scale_create(cursor, *, units, today: datetime.date, seed) -> Counter:
    """Writes the items for ``units`` (reports.demo_scale_reports.UnitRow, the
    generated tree) with COPY; answers their counts by status (and "documents",
    "addressees")."""
    rng = random.Random(f"{seed}:followups")
    calendar = WorkingCalendar()
    due_cache = {}
    documents, items, addressees = [], [], []
    counts = Counter()
    serials = Counter()
    for issuer_id, kind, lead_id, coordinating, count, number_format in _plan(units):
        for start in range(0, count, ITEMS_PER_DOCUMENT):
            serials[issuer_id] += 1
            issued_on = today - datetime.timedelta(days=rng.randint(0, 730))
            document_id = len(documents) + 1
            documents.append((document_id, kind.value, number_format.format(n=serials[issuer_id] * 7 % 900 + 1),
                              issued_on.isoformat(), issuer_id, TITLES[kind], "", "", _moment(issued_on)))  # fmt: skip
            for position in range(start, min(count, start + ITEMS_PER_DOCUMENT)):
                deadline = issued_on + datetime.timedelta(days=rng.randint(30, 180))
                due_on = due_cache.get(deadline) or due_cache.setdefault(deadline, calendar.next_working_day(deadline))
                status, completed_on, reported_on = _state(rng, due_on, issued_on, today)
                closed = status in (S.SETTLED, S.NOT_FEASIBLE)
                reported_on = reported_on or completed_on
                changed = (completed_on + datetime.timedelta(days=rng.randint(0, 7)) if closed else reported_on) or (
                    issued_on
                )
                changed = min(changed, today)
                item_id = len(items) + 1
                claim = "not_feasible" if status == S.NOT_FEASIBLE else ("done" if closed or status == S.REPORTED
                                                                         else "")  # fmt: skip
                items.append((
                    item_id, document_id, str(position - start + 1), rng.choice(TEXTS[kind]), issuer_id,
                    deadline.isoformat(), due_on.isoformat(), status.value, claim,
                    "Đã triển khai thực hiện (dữ liệu mẫu)." if status != S.NOT_STARTED else "",
                    "Lý do khách quan (dữ liệu mẫu)." if status in (S.NOT_FEASIBLE, S.RETURNED) else "",
                    _moment(reported_on) if reported_on else None,
                    completed_on.isoformat() if completed_on else None,
                    _moment(changed) if closed else None,
                    _moment(changed), 1, 1, _moment(issued_on), _moment(changed),
                ))  # fmt: skip
                addressees.append((len(addressees) + 1, item_id, lead_id, AddresseeRole.LEAD.value))
                for unit_id in coordinating:
                    addressees.append((len(addressees) + 1, item_id, unit_id, AddresseeRole.COORDINATING.value))
                counts[status.value] += 1
    copy_tuples(cursor, SourceDocument, DOCUMENT_FIELDS, documents)
    copy_tuples(cursor, FollowUpItem, ITEM_FIELDS, items)
    copy_tuples(cursor, FollowUpAddressee, ADDRESSEE_FIELDS, addressees)
    for model in (SourceDocument, FollowUpItem, FollowUpAddressee):
        sequence_reset(cursor, model)
        cursor.execute(f"ANALYZE {model._meta.db_table}")
    counts["documents"], counts["addressees"] = len(documents), len(addressees)
    return counts
