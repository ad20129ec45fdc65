"""Who speaks and who signs a compiled report, after Hướng dẫn 36-HD/VPTW.

Two documents are made from the same figures:

- the Standing Committee's report upward: issued by "TỈNH ỦY …" with its "*",
  numbered "Số …-BC/TU", signed "T/M BAN THƯỜNG VỤ" by the secretary or a
  deputy, sent to the bodies above;
- the office's compiled report to the Committee: "TỈNH ỦY …" over "VĂN
  PHÒNG", numbered "Số …-BC/VPTU", signed by the office's chief, sent to the
  Standing Committee.

A report never goes "để b/c" to its own issuer. Signers and recipients are
set per directive in the admin; the defaults below apply when they are empty.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Flavour(models.TextChoices):
    OFFICE = "office", _("The office's report to the Standing Committee (-BC/VPTU)")
    COMMITTEE = "committee", _("The Standing Committee's report upward (-BC/TU)")


# Blank space for the number, which the office's clerk writes in when the report is registered.
NUMBER_BLANK = "\u00a0" * 6
OFFICE_RECIPIENTS = [
    "Thường trực Tỉnh ủy (để b/c)",
    "Các đồng chí Ủy viên Ban Thường vụ Tỉnh ủy",
]
UPWARD_MARK = "để b/c"


@dataclass
class Letterhead:
    flavour: str
    issuing_body: str  # "TỈNH ỦY HẢI DƯƠNG"
    issuing_office: str  # "VĂN PHÒNG" for the office's report, else ""
    number_line: str  # "Số      -BC/TU"
    signer_lines: list  # ["T/M BAN THƯỜNG VỤ", "BÍ THƯ"] or ["CHÁNH VĂN PHÒNG"]
    signer_name: str
    recipients: list  # "- Ban Bí thư Trung ương Đảng (để b/c),", …, "- Lưu Văn phòng Tỉnh ủy."


def vi_date_words(day):
    """ "ngày 05 tháng 3 năm 2026": a leading zero only for days below 10 and
    for months 1 and 2 (Hướng dẫn 36-HD/VPTW, Nghị định 30/2020)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def vi_date_short(day):
    """ "28/9/2021", "05/02/2022": the same rule, written with slashes."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{day.day:02d}/{month}/{day.year}"


def place_date_line(place, day):
    """ "Hải Dương, ngày 05 tháng 3 năm 2026"."""
    date = vi_date_words(day)
    return f"{place}, {date}" if place else date.capitalize()


def number_suffix(directive_number):
    """The issuing body's code of the directive's number (12-CT/TU → TU)."""
    _number, slash, suffix = (directive_number or "").partition("/")
    return suffix.strip() if slash and suffix.strip() else "TU"


def _lines(value):
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def recipient_lines(entries, file_copy):
    """The "Nơi nhận" list written as a clerk writes it: a dash before each
    body, a comma after each but the last, the file copy last with a full stop."""
    bodies = [entry.strip().lstrip("-–").strip().rstrip(",.;") for entry in entries]
    bodies = [body for body in bodies if body and not body.lower().startswith("lưu")]
    return [*(f"- {body}," for body in bodies), f"- Lưu {file_copy}."]


def _upward(directive):
    """The bodies above in the directive's own distribution list."""
    return [line for line in directive.distribution_lines if UPWARD_MARK in line]


def letterhead(directive, flavour, issuing_name, issuing_short_name):
    """The letterhead, signature and recipients of ``directive``'s report in
    ``flavour``. ``issuing_name`` is the issuing unit's name ("Tỉnh ủy Hải
    Dương"), ``issuing_short_name`` its short name ("Tỉnh ủy")."""
    suffix = number_suffix(directive.number)
    short = issuing_short_name or "Tỉnh ủy"
    file_copy = f"Văn phòng {short}"
    if flavour == Flavour.COMMITTEE:
        recipients = _lines(directive.committee_recipients) or _upward(directive) or ["Ban Bí thư Trung ương Đảng"]
        return Letterhead(
            flavour=flavour,
            issuing_body=issuing_name.upper(),
            issuing_office="",
            number_line=f"Số{NUMBER_BLANK}-BC/{suffix}",
            signer_lines=["T/M BAN THƯỜNG VỤ", *(_lines(directive.committee_signer_title) or ["BÍ THƯ"])],
            signer_name=directive.committee_signer_name.strip(),
            recipients=recipient_lines(recipients, file_copy),
        )
    recipients = _lines(directive.office_recipients) or [line.replace("Tỉnh ủy", short) for line in OFFICE_RECIPIENTS]
    return Letterhead(
        flavour=Flavour.OFFICE,
        issuing_body=issuing_name.upper(),
        issuing_office="VĂN PHÒNG",
        number_line=f"Số{NUMBER_BLANK}-BC/VP{suffix}",
        signer_lines=_lines(directive.office_signer_title) or ["CHÁNH VĂN PHÒNG"],
        signer_name=directive.office_signer_name.strip(),
        recipients=recipient_lines(recipients, file_copy),
    )
