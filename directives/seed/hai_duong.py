"""The first customer's directive: Ban Thường vụ Tỉnh ủy Hải Dương on Party
leadership over the People's Councils, term 2021-2026.

The text itself is ``hai_duong.txt`` beside this module, a verbatim copy of the
source document. Its parts are cut out by the markers below, so every stored
string is the source's own. Inside one paragraph the source has page-break
artefacts (a sentence split by a blank line); a task's text is that paragraph
with its whitespace folded to single spaces, nothing else changed.
"""

import datetime
import re
from pathlib import Path

SOURCE = (Path(__file__).with_name("hai_duong.txt")).read_text(encoding="utf-8")

DIRECTIVE_CODE = "hai-duong-hdnd-2021-2026"
TASK_COUNT = 6


def _between(text, start, end=None):
    begin = text.index(start)
    finish = text.index(end, begin) if end else len(text)
    return text[begin:finish]


def _fold(text):
    return " ".join(text.split())


def _heading():
    lines = [line.strip() for line in _between(SOURCE, "CHỈ THỊ", "Trong những năm qua").splitlines() if line.strip()]
    # "CHỈ THỊ" / "CỦA BAN THƯỜNG VỤ TỈNH ỦY" / the title over three lines.
    return " ".join(lines[2:])


def _tasks():
    body = _between(SOURCE, "\n1. ", "\nGiao ")
    parts = re.split(r"\n(?=[1-6]\. )", body.strip("\n"))
    tasks = []
    for number, part in enumerate(parts, start=1):
        prefix = f"{number}. "
        assert part.startswith(prefix), part[:20]
        tasks.append(_fold(part[len(prefix) :]))
    assert len(tasks) == TASK_COUNT
    return tasks


TASK_TITLES = [
    "Nâng cao nhận thức, trách nhiệm về vị trí, vai trò của HĐND; tuyên truyền, phổ biến pháp luật và nghị quyết HĐND",
    "Phát huy dân chủ trong hoạt động của HĐND; nâng cao trách nhiệm, chất lượng đại biểu HĐND",
    "Hoạt động của HĐND bám sát nghị quyết đại hội Đảng các cấp",
    "Lãnh đạo Ủy ban nhân dân thực hiện nghị quyết HĐND theo phương châm “5 rõ”",
    "Tăng cường kiểm tra, giám sát; phát huy giám sát, phản biện xã hội của MTTQ",
    "Công tác tổ chức, cán bộ và điều kiện bảo đảm hoạt động của HĐND",
]

SHORT_TITLE = "Lãnh đạo HĐND các cấp 2021–2026"

DIRECTIVE = {
    "number": "",
    "kind": "chi_thi",
    "title": _heading(),
    # Ours, not the source's: how the directive is told apart from others on every screen.
    "short_title": SHORT_TITLE,
    "issuer_name": "Ban Thường vụ Tỉnh ủy Hải Dương",
    "place": "Hải Dương",
    "signed_on": None,
    "signer_title": "T/M BAN THƯỜNG VỤ\nBÍ THƯ",
    "signer_name": "Phạm Xuân Thăng",
    # The compiled report upward is signed like the directive (editable when the signer changes).
    "committee_signer_name": "Phạm Xuân Thăng",
    "term": "2021-2026",
    # The term's last report is the annual report of 2026, whose window closes on
    # 14 December 2026 (Nghị định 09/2019); no period of 2027 is owed.
    "term_ends_on": datetime.date(2026, 12, 14),
    "preamble": _between(SOURCE, "Trong những năm qua", "\n1. ").strip(),
    "assignment_text": _between(SOURCE, "Giao ", "\n").strip(),
    "closing_text": _between(SOURCE, "Chỉ thị này được phổ biến", "\n").strip(),
    "distribution": "\n".join(
        line.strip() for line in _between(SOURCE, "- Ban Bí thư", "**").splitlines() if line.strip()
    ),
    "full_text": SOURCE.strip(),
    "status": "in_force",
}

TASKS = [
    {"number": n, "title": title, "text": text}
    for n, (title, text) in enumerate(zip(TASK_TITLES, _tasks(), strict=True), 1)
]

# Indicators are our default proposal for measuring each task (editable in the admin).
# (task number, code, name, unit of measure, kind, how it adds up over a range)
INDICATORS = [
    (
        1,
        "hoi-nghi-quan-triet",
        "Số hội nghị quán triệt, tuyên truyền về HĐND và pháp luật",
        "hội nghị",
        "count",
        "per_period",
    ),
    (1, "tin-bai-nghi-quyet", "Số tin, bài tuyên truyền nghị quyết HĐND", "tin, bài", "count", "per_period"),
    (2, "ky-hop-hdnd", "Số kỳ họp HĐND được tổ chức", "kỳ họp", "count", "per_period"),
    (2, "dai-bieu-boi-duong", "Số lượt đại biểu HĐND được bồi dưỡng kỹ năng", "lượt", "count", "per_period"),
    (
        3,
        "nghi-quyet-ban-hanh",
        "Số nghị quyết HĐND ban hành cụ thể hóa nghị quyết đại hội",
        "nghị quyết",
        "count",
        "per_period",
    ),
    (4, "ty-le-nghi-quyet-thuc-hien", "Tỷ lệ nghị quyết HĐND được UBND tổ chức thực hiện", "%", "percent", "percent"),
    (4, "ke-hoach-5-ro", "Số nghị quyết HĐND có kế hoạch thực hiện theo “5 rõ”", "nghị quyết", "count", "stock"),
    (5, "cuoc-kiem-tra-giam-sat", "Số cuộc kiểm tra, giám sát", "cuộc", "count", "per_period"),
    (5, "kien-nghi-da-giai-quyet", "Số kiến nghị sau giám sát đã được giải quyết", "kiến nghị", "count", "per_period"),
    (5, "tiep-xuc-cu-tri", "Số buổi tiếp xúc cử tri", "buổi", "count", "per_period"),
    (6, "can-bo-dao-tao", "Số cán bộ chuyên trách HĐND được đào tạo, bồi dưỡng", "người", "count", "per_period"),
    (
        6,
        "kinh-phi-bao-dam",
        "Kinh phí bảo đảm hoạt động của HĐND được bố trí đủ (1 = có, 0 = không)",
        "",
        "yes_no",
        "yes_no",
    ),
]

# Units: (code, name, short name, kind, level, parent code, valid_from, valid_to, is_sample)
# Checked against public sources (../shared/seed/README.md), except where is_sample is True.
PROVINCE = 1
DISTRICT = 2
MERGER_DAY = datetime.date(2025, 3, 1)
UNITS = [
    ("tinh-uy", "Tỉnh ủy Hải Dương", "Tỉnh ủy", "party_committee", PROVINCE, None, None, None, False),
    ("vptu", "Văn phòng Tỉnh ủy", "VPTU", "advisory_body", PROVINCE, "tinh-uy", None, None, False),
    ("btctu", "Ban Tổ chức Tỉnh ủy", "Ban Tổ chức", "advisory_body", PROVINCE, "tinh-uy", None, None, False),
    ("ubkttu", "Ủy ban Kiểm tra Tỉnh ủy", "UBKT Tỉnh ủy", "advisory_body", PROVINCE, "tinh-uy", None, None, False),
    (
        "btgtu",
        "Ban Tuyên giáo Tỉnh ủy",
        "Ban Tuyên giáo",
        "advisory_body",
        PROVINCE,
        "tinh-uy",
        None,
        MERGER_DAY - datetime.timedelta(days=1),
        False,
    ),
    (
        "bdvtu",
        "Ban Dân vận Tỉnh ủy",
        "Ban Dân vận",
        "advisory_body",
        PROVINCE,
        "tinh-uy",
        None,
        MERGER_DAY - datetime.timedelta(days=1),
        False,
    ),
    (
        "btgdvtu",
        "Ban Tuyên giáo và Dân vận Tỉnh ủy",
        "Ban Tuyên giáo và Dân vận",
        "advisory_body",
        PROVINCE,
        "tinh-uy",
        MERGER_DAY,
        None,
        False,
    ),
    ("bnctu", "Ban Nội chính Tỉnh ủy", "Ban Nội chính", "advisory_body", PROVINCE, "tinh-uy", None, None, False),
    ("dd-hdnd", "Đảng đoàn HĐND tỉnh", "Đảng đoàn HĐND", "party_delegation", PROVINCE, "tinh-uy", None, None, False),
    (
        "bcs-ubnd",
        "Ban cán sự đảng UBND tỉnh",
        "BCS đảng UBND",
        "party_personnel_committee",
        PROVINCE,
        "tinh-uy",
        None,
        None,
        False,
    ),
    ("hdnd-tinh", "Hội đồng nhân dân tỉnh", "HĐND tỉnh", "peoples_council", PROVINCE, "tinh-uy", None, None, False),
    ("tt-hdnd", "Thường trực HĐND tỉnh", "Thường trực HĐND", "council_board", PROVINCE, "hdnd-tinh", None, None, False),
    ("ban-pc", "Ban Pháp chế HĐND tỉnh", "Ban Pháp chế", "council_board", PROVINCE, "hdnd-tinh", None, None, False),
    (
        "ban-ktns",
        "Ban Kinh tế - Ngân sách HĐND tỉnh",
        "Ban KT-NS",
        "council_board",
        PROVINCE,
        "hdnd-tinh",
        None,
        None,
        False,
    ),
    (
        "ban-vhxh",
        "Ban Văn hóa - Xã hội HĐND tỉnh",
        "Ban VH-XH",
        "council_board",
        PROVINCE,
        "hdnd-tinh",
        None,
        None,
        False,
    ),
    ("ubnd-tinh", "Ủy ban nhân dân tỉnh", "UBND tỉnh", "peoples_committee", PROVINCE, "tinh-uy", None, None, False),
    (
        "mttq-tinh",
        "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
        "MTTQ tỉnh",
        "fatherland_front",
        PROVINCE,
        "tinh-uy",
        None,
        None,
        False,
    ),
    (
        "du-khoi-cq",
        "Đảng ủy Khối các cơ quan tỉnh",
        "ĐU Khối các cơ quan",
        "party_committee",
        PROVINCE,
        "tinh-uy",
        None,
        None,
        False,
    ),
    (
        "du-khoi-dn",
        "Đảng ủy Khối doanh nghiệp tỉnh",
        "ĐU Khối doanh nghiệp",
        "party_committee",
        PROVINCE,
        "tinh-uy",
        None,
        None,
        True,
    ),
    ("du-quan-su", "Đảng ủy Quân sự tỉnh", "ĐU Quân sự", "party_committee", PROVINCE, "tinh-uy", None, None, True),
    ("du-cong-an", "Đảng ủy Công an tỉnh", "ĐU Công an", "party_committee", PROVINCE, "tinh-uy", None, None, True),
]
DISTRICT_COMMITTEES = [
    ("thu-hai-duong", "Thành ủy Hải Dương"),
    ("thu-chi-linh", "Thành ủy Chí Linh"),
    ("txu-kinh-mon", "Thị ủy Kinh Môn"),
    ("hu-binh-giang", "Huyện ủy Bình Giang"),
    ("hu-cam-giang", "Huyện ủy Cẩm Giàng"),
    ("hu-gia-loc", "Huyện ủy Gia Lộc"),
    ("hu-kim-thanh", "Huyện ủy Kim Thành"),
    ("hu-nam-sach", "Huyện ủy Nam Sách"),
    ("hu-ninh-giang", "Huyện ủy Ninh Giang"),
    ("hu-thanh-ha", "Huyện ủy Thanh Hà"),
    ("hu-thanh-mien", "Huyện ủy Thanh Miện"),
    ("hu-tu-ky", "Huyện ủy Tứ Kỳ"),
]
UNITS += [
    (code, name, name, "party_committee", DISTRICT, "tinh-uy", None, None, False) for code, name in DISTRICT_COMMITTEES
]

# (predecessor, successor, kind, effective_on, note)
SUCCESSIONS = [
    ("btgtu", "btgdvtu", "merge", MERGER_DAY, "Hợp nhất Ban Tuyên giáo và Ban Dân vận Tỉnh ủy"),
    ("bdvtu", "btgdvtu", "merge", MERGER_DAY, "Hợp nhất Ban Tuyên giáo và Ban Dân vận Tỉnh ủy"),
]

# Default assignments by function (the reasoning is in README.md).
# task number -> (lead units, co-ordinating units) at province level.
PROVINCE_ASSIGNMENTS = {
    1: (["btgtu", "btgdvtu"], ["dd-hdnd", "bdvtu"]),
    2: (["dd-hdnd"], ["btctu"]),
    3: (["dd-hdnd"], ["bcs-ubnd", "vptu"]),
    4: (["bcs-ubnd"], ["dd-hdnd", "vptu"]),
    5: (["ubkttu"], ["dd-hdnd", "bdvtu", "btgdvtu", "bnctu"]),
    6: (["btctu"], ["dd-hdnd", "bcs-ubnd"]),
}
# Each district committee leads every task in its own district.
DISTRICT_TASKS = [1, 2, 3, 4, 5, 6]
# Party committees directly under the Tỉnh ủy lead the tasks that concern their own
# Party organisations: awareness and education (1) and inspection and supervision (5).
DIRECT_COMMITTEES = ["du-khoi-cq", "du-khoi-dn", "du-quan-su", "du-cong-an"]
DIRECT_COMMITTEE_TASKS = [1, 5]
REVIEWING_UNIT = "vptu"
ISSUING_UNIT = "tinh-uy"

SCHEDULE = {
    "code": "sau-thang-va-nam",
    "name": "Báo cáo 6 tháng và báo cáo năm",
    "semiannual": True,
    "annual": True,
    "move_to_working_day": True,
    "starts_on": datetime.date(2021, 7, 1),
}
