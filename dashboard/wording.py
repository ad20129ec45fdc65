"""How the compiled report writes things: composed Unicode, numbers the
Vietnamese way (1.442; 76,6 %), dates, and the fixed wording of a Party
document. The document is always in Vietnamese: its wording is written here,
not translated."""

import unicodedata

from django.utils import translation
from django.utils.formats import number_format

from dashboard.measures import Category
from directives.models import DirectiveKind
from reports.models import ImplementationStatus

# The categories by their content (the Government Office's taxonomy is a state
# term; a Party report names what they are).
CATEGORY_TEXT = {
    Category.COMPLETED_ON_TIME: "Đã hoàn thành đúng hạn",
    Category.COMPLETED_LATE: "Đã hoàn thành nhưng quá hạn",
    Category.IN_PROGRESS_ON_TIME: "Đang thực hiện, còn trong hạn",
    Category.IN_PROGRESS_OVERDUE: "Đang thực hiện, đã quá hạn",
    Category.NOT_YET_DUE: "Chưa đến hạn",
}
# The same, short enough for a table cell (the appendix's legend spells them out).
CATEGORY_SHORT = {
    Category.COMPLETED_ON_TIME: "HT đúng hạn",
    Category.COMPLETED_LATE: "HT quá hạn",
    Category.IN_PROGRESS_ON_TIME: "Đang TH trong hạn",
    Category.IN_PROGRESS_OVERDUE: "Đang TH quá hạn",
    Category.NOT_YET_DUE: "Chưa đến hạn",
}
STATUS_TEXT = {
    ImplementationStatus.NOT_STARTED: "chưa bắt đầu",
    ImplementationStatus.IN_PROGRESS: "đang thực hiện",
    ImplementationStatus.COMPLETED: "đã hoàn thành",
}
KIND_TEXT = {
    DirectiveKind.DIRECTIVE: "Chỉ thị",
    DirectiveKind.RESOLUTION: "Nghị quyết",
    DirectiveKind.CONCLUSION: "Kết luận",
    DirectiveKind.PLAN: "Kế hoạch",
}
NOTHING_SENT = "chưa gửi báo cáo trong kỳ."


def text(value):
    """Composed Unicode: a tone mark typed as a combining character (as some
    keyboards do) becomes the one precomposed letter every font has."""
    return unicodedata.normalize("NFC", str(value or "")).strip()


def vi_number(value, places=0):
    """A number written the Vietnamese way (1.234,5); an empty string for None."""
    if value is None:
        return ""
    with translation.override("vi"):
        return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def vi_percent(value):
    return f"{vi_number(value, 1)}\u00a0%" if value is not None else "chưa có số liệu"


def vi_date(day):
    """ "05/3/2026": a leading zero for days below 10 and months 1 and 2 only."""
    from dashboard.letterhead import vi_date_short

    return vi_date_short(day)


def lower_first(value):
    """A label used mid-sentence: "Năm 2024" → "năm 2024"."""
    return value[:1].lower() + value[1:]
