"""Names for the scale demo (reports/demo_scale.py): the 34 provincial-level
units of Việt Nam after the 2025 reorganisation, the bodies under each Party
committee, generated commune names and short report texts. Data, not logic:
the province names are real, everything below them is clearly labelled sample."""

import unicodedata

from units.models import UnitKind

# (place, is a centrally governed city). The first one is the province of
# ``--scale province``: Hải Phòng took in Hải Dương, the seed directive's province.
PROVINCES = [
    ("Hải Phòng", True),
    ("Hà Nội", True),
    ("Huế", True),
    ("Đà Nẵng", True),
    ("Hồ Chí Minh", True),
    ("Cần Thơ", True),
    ("Lai Châu", False),
    ("Điện Biên", False),
    ("Sơn La", False),
    ("Lạng Sơn", False),
    ("Quảng Ninh", False),
    ("Thanh Hóa", False),
    ("Nghệ An", False),
    ("Hà Tĩnh", False),
    ("Cao Bằng", False),
    ("Tuyên Quang", False),
    ("Lào Cai", False),
    ("Thái Nguyên", False),
    ("Phú Thọ", False),
    ("Bắc Ninh", False),
    ("Hưng Yên", False),
    ("Ninh Bình", False),
    ("Quảng Trị", False),
    ("Quảng Ngãi", False),
    ("Gia Lai", False),
    ("Khánh Hòa", False),
    ("Lâm Đồng", False),
    ("Đắk Lắk", False),
    ("Đồng Nai", False),
    ("Tây Ninh", False),
    ("Vĩnh Long", False),
    ("Đồng Tháp", False),
    ("Cà Mau", False),
    ("An Giang", False),
]

REVIEWER_SUFFIX = "vptu"

# Bodies directly under a provincial Party committee: (code suffix, name, short
# name, kind). {tu} is "Tỉnh ủy"/"Thành ủy", {tinh} "tỉnh"/"thành phố", {place} the name.
PROVINCIAL_BODIES = [
    (REVIEWER_SUFFIX, "Văn phòng {tu} {place}", "Văn phòng {tu}", UnitKind.ADVISORY_BODY),
    ("btc", "Ban Tổ chức {tu} {place}", "Ban Tổ chức", UnitKind.ADVISORY_BODY),
    ("ubkt", "Ủy ban Kiểm tra {tu} {place}", "UBKT {tu}", UnitKind.ADVISORY_BODY),
    ("btgdv", "Ban Tuyên giáo và Dân vận {tu} {place}", "Ban Tuyên giáo và Dân vận", UnitKind.ADVISORY_BODY),
    ("bnc", "Ban Nội chính {tu} {place}", "Ban Nội chính", UnitKind.ADVISORY_BODY),
    ("bcscl", "Ban Chính sách, chiến lược {tu} {place}", "Ban Chính sách, chiến lược", UnitKind.ADVISORY_BODY),
    ("tct", "Trường Chính trị {tinh} {place}", "Trường Chính trị", UnitKind.OTHER),
    ("du-cqd", "Đảng ủy các cơ quan Đảng {tinh} {place}", "ĐU các cơ quan Đảng", UnitKind.PARTY_COMMITTEE),
    ("du-ubnd", "Đảng ủy Ủy ban nhân dân {tinh} {place}", "ĐU UBND {tinh}", UnitKind.PARTY_COMMITTEE),
    ("du-qs", "Đảng ủy Quân sự {tinh} {place}", "ĐU Quân sự", UnitKind.PARTY_COMMITTEE),
    ("du-ca", "Đảng ủy Công an {tinh} {place}", "ĐU Công an", UnitKind.PARTY_COMMITTEE),
    ("hdnd", "Hội đồng nhân dân {tinh} {place}", "HĐND {tinh}", UnitKind.PEOPLES_COUNCIL),
    ("tt-hdnd", "Thường trực HĐND {tinh} {place}", "Thường trực HĐND", UnitKind.COUNCIL_BOARD),
    ("ban-pc", "Ban Pháp chế HĐND {tinh} {place}", "Ban Pháp chế", UnitKind.COUNCIL_BOARD),
    ("ban-ktns", "Ban Kinh tế - Ngân sách HĐND {tinh} {place}", "Ban KT-NS", UnitKind.COUNCIL_BOARD),
    ("ban-vhxh", "Ban Văn hóa - Xã hội HĐND {tinh} {place}", "Ban VH-XH", UnitKind.COUNCIL_BOARD),
    ("ubnd", "Ủy ban nhân dân {tinh} {place}", "UBND {tinh}", UnitKind.PEOPLES_COMMITTEE),
    ("mttq", "Ủy ban Mặt trận Tổ quốc Việt Nam {tinh} {place}", "MTTQ {tinh}", UnitKind.FATHERLAND_FRONT),
    ("dbqh", "Đoàn đại biểu Quốc hội {tinh} {place}", "Đoàn ĐBQH", UnitKind.DELEGATE_GROUP),
    ("snv", "Sở Nội vụ {tinh} {place}", "Sở Nội vụ", UnitKind.DEPARTMENT),
]

# Bodies under every commune Party committee: (code suffix, name prefix, short prefix, kind).
COMMUNE_BODIES = [
    ("hdnd", "Hội đồng nhân dân", "HĐND", UnitKind.PEOPLES_COUNCIL),
    ("ubnd", "Ủy ban nhân dân", "UBND", UnitKind.PEOPLES_COMMITTEE),
    ("mttq", "Ủy ban MTTQ Việt Nam", "MTTQ", UnitKind.FATHERLAND_FRONT),
]

# Commune names are two common place-name syllables: plausible, and labelled sample.
COMMUNE_FIRST = [
    "An", "Tân", "Hòa", "Phú", "Bình", "Thạnh", "Hưng", "Long", "Thuận", "Vĩnh", "Đông", "Tây",
    "Nam", "Bắc", "Quang", "Minh", "Hồng", "Thanh", "Xuân", "Đức", "Kim", "Ngọc", "Hải", "Trường",
]  # fmt: skip
COMMUNE_SECOND = [
    "Lợi", "Phú", "Hưng", "Thịnh", "Bình", "An", "Hòa", "Lộc", "Phong", "Thành", "Tiến", "Sơn",
    "Lâm", "Hải", "Khánh", "Mỹ", "Trung", "Nghĩa", "Quý", "Tường", "Điền", "Giang", "Xuyên", "Đạt",
]  # fmt: skip
SAMPLE_LABEL = "dữ liệu mẫu"

# Short report texts (one sentence each, repeated across the millions of rows).
RESULTS = {
    1: [
        "Đã tổ chức quán triệt Chỉ thị đến cán bộ, đảng viên.",
        "Đã tuyên truyền nghị quyết HĐND trên loa truyền thanh.",
    ],
    2: ["Đã tổ chức kỳ họp HĐND đúng luật, dành thời gian cho chất vấn.", "Đã bồi dưỡng kỹ năng cho đại biểu HĐND."],
    3: ["Đã cụ thể hóa nghị quyết đại hội thành nghị quyết chuyên đề.", "Đã rà soát chương trình hành động của HĐND."],
    4: ["Đã ban hành kế hoạch thực hiện nghị quyết HĐND theo “5 rõ”.", "UBND báo cáo tiến độ thực hiện nghị quyết."],
    5: ["Đã tổ chức giám sát việc thực hiện nghị quyết HĐND.", "Đã đôn đốc giải quyết kiến nghị của cử tri."],
    6: ["Đã kiện toàn tổ chức, cán bộ chuyên trách HĐND.", "Đã bố trí kinh phí bảo đảm hoạt động của HĐND."],
}
NOT_STARTED_RESULT = "Chưa triển khai trong kỳ; đang xây dựng kế hoạch thực hiện."
COMPLETED_RESULT = "Đã hoàn thành nhiệm vụ; tiếp tục duy trì và theo dõi kết quả."
DIFFICULTIES = [
    "Thiếu cán bộ chuyên trách.",
    "Kinh phí bố trí còn hạn chế.",
    "Một số cơ quan phối hợp chưa kịp thời.",
    "Khối lượng công việc sau sắp xếp bộ máy lớn.",
]
PROPOSALS = [
    "Đề nghị bổ sung biên chế cán bộ chuyên trách.",
    "Đề nghị cấp trên hướng dẫn mẫu báo cáo thống nhất.",
    "Đề nghị bố trí thêm kinh phí tập huấn.",
]


def slugify_vi(text):
    """ASCII slug of a Vietnamese name: "Đắk Lắk" -> "dak-lak"."""
    ascii_text = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    ascii_text = ascii_text.encode("ascii", "ignore").decode()
    return "-".join(ascii_text.lower().split())


def province_words(place, is_city):
    """The words a province's bodies are named with."""
    return {"tu": "Thành ủy" if is_city else "Tỉnh ủy", "tinh": "thành phố" if is_city else "tỉnh", "place": place}


def commune_names(rng, count):
    """``count`` distinct generated commune names."""
    pairs = [(a, b) for a in COMMUNE_FIRST for b in COMMUNE_SECOND if a != b]
    return [f"{a} {b}" for a, b in rng.sample(pairs, count)]
