"""A directive's title made the phrase that follows "Kết quả thực hiện Chỉ thị
số … của …" in a report: titles are printed in capitals ("VỀ TĂNG CƯỜNG SỰ
LÃNH ĐẠO CỦA ĐẢNG ĐỐI VỚI HỘI ĐỒNG NHÂN DÂN ..."), a report's sentence is not.

Only names a Party report always capitalises are restored; anything else is
for the administrator to write in the directive's subject field."""

import re
import unicodedata

# Lower-case phrase → its written form. "của Đảng": the Party, not "đảng viên".
NAMES = [
    ("của đảng", "của Đảng"),
    ("đảng bộ", "Đảng bộ"),
    ("hội đồng nhân dân", "Hội đồng nhân dân"),
    ("ủy ban nhân dân", "Ủy ban nhân dân"),
    ("ủy ban mặt trận tổ quốc", "Ủy ban Mặt trận Tổ quốc"),
    ("mặt trận tổ quốc", "Mặt trận Tổ quốc"),
    ("ban thường vụ", "Ban Thường vụ"),
    ("tỉnh ủy", "Tỉnh ủy"),
    ("nhân dân", "Nhân dân"),
    ("quốc hội", "Quốc hội"),
    ("chính phủ", "Chính phủ"),
    ("trung ương", "Trung ương"),
]
# Typing slips of source documents, corrected where the title is shown (the
# verbatim title stays as loaded).
SLIPS = [("niệm kỳ", "nhiệm kỳ")]


def _is_capitals(value):
    letters = [char for char in value if char.isalpha()]
    return bool(letters) and all(char.isupper() for char in letters)


def subject_from_title(title, *, place=""):
    value = unicodedata.normalize("NFC", " ".join((title or "").split()))
    if not value:
        return ""
    if _is_capitals(value):
        value = value.lower()
        # "nhân dân" inside "Hội đồng nhân dân" stays lower-case: names are applied longest first.
        for lower, written in sorted(NAMES, key=lambda pair: -len(pair[0])):
            value = re.sub(rf"(?<!\w){re.escape(lower)}(?!\w)", lambda _m, w=written: w, value)
        value = re.sub(r"Hội đồng Nhân dân|Ủy ban Nhân dân", lambda m: m.group(0).replace("Nhân", "nhân"), value)
        if place:
            value = re.sub(rf"(?<!\w){re.escape(place.lower())}(?!\w)", place, value)
    for slip, right in SLIPS:
        value = re.sub(rf"(?<!\w){slip}(?!\w)", right, value, flags=re.IGNORECASE)
    return value[:1].lower() + value[1:] if value.lower().startswith("về ") else value


def corrected(title):
    """The title with the source's typing slips corrected, in the title's own
    case ("NIỆM KỲ" → "NHIỆM KỲ"), for screens; the verbatim title stays as loaded."""
    value = unicodedata.normalize("NFC", title or "")
    for slip, right in SLIPS:
        value = re.sub(
            rf"(?<!\w){slip}(?!\w)",
            lambda match, right=right: right.upper() if match.group(0).isupper() else right,
            value,
            flags=re.IGNORECASE,
        )
    return value
