"""The compiled report's body as a synthesis of what the units wrote.

Sections II–V of a Party progress report are not every unit's text one after
another (that is the appendix): they are the most significant results of each
task, lead units first; the difficulties, next steps and proposals gathered
from all units, the same point made by several units written once with their
names; and proposals grouped by the body they address where the text says so.
Long texts are shortened at a word boundary with a reference to the appendix,
where every unit's text stands in full: nothing a unit wrote is lost.
"""

import re
import unicodedata
from dataclasses import dataclass, field

# How much of one unit's text the body quotes, and how many units' results it
# quotes per task, before it refers to the appendix.
QUOTE_CHARS = 400
HIGHLIGHTS_PER_TASK = 5
POINTS_PER_SECTION = 12
SEE_APPENDIX = "(xem Phụ lục 2)"

# Bodies a proposal is addressed to, as units write them; longest first wins.
ADDRESSEES = [
    ("Ban Chấp hành Trung ương", r"ban chấp hành trung ương"),
    ("Ban Bí thư", r"ban bí thư"),
    ("Trung ương", r"trung ương"),
    ("Quốc hội", r"quốc hội|ủy ban thường vụ quốc hội"),
    ("Chính phủ", r"chính phủ|các bộ(?:,| ngành)?"),
    ("Ban Thường vụ Tỉnh ủy", r"ban thường vụ tỉnh ủy|thường trực tỉnh ủy|tỉnh ủy"),
    ("Hội đồng nhân dân tỉnh", r"hội đồng nhân dân tỉnh|hđnd tỉnh|thường trực hđnd tỉnh|thường trực hội đồng nhân dân"),
    ("Ủy ban nhân dân tỉnh", r"ủy ban nhân dân tỉnh|ubnd tỉnh|ban cán sự đảng ubnd tỉnh"),
    ("Các sở, ban, ngành", r"các sở|sở tài chính|sở nội vụ|các ban, ngành|các ngành"),
]
_ADDRESSEE_PATTERNS = [
    (name, re.compile(rf"(?:đề nghị|kiến nghị|đề xuất|xin)\s+(?:với\s+)?(?:{pattern})(?!\w)", re.IGNORECASE))
    for name, pattern in ADDRESSEES
]
OTHER_ADDRESSEE = "Các đề xuất, kiến nghị khác"


def shorten(value, limit=QUOTE_CHARS):
    """``value`` cut at a word boundary before ``limit`` characters, with "…"
    and the appendix reference when cut; (text, was_cut)."""
    value = " ".join(value.split())
    if len(value) <= limit:
        return value, False
    cut = value[:limit].rsplit(" ", 1)[0].rstrip(",;:.–- ")
    return f"{cut}… {SEE_APPENDIX}", True


def _key(value):
    """Two texts that say the same: the same letters, whatever the case, spaces or final stop."""
    folded = unicodedata.normalize("NFC", value).casefold()
    return " ".join(re.sub(r"[^\w\s%]", " ", folded).split())


def sentence(value):
    """A point written as a sentence: capital first letter, final stop."""
    value = value.strip().rstrip(";,")
    if not value:
        return value
    value = value[:1].upper() + value[1:]
    return value if value[-1] in ".!?…)" else f"{value}."


@dataclass
class Point:
    """One point of the body, made by one or more units."""

    text: str
    units: list = field(default_factory=list)  # unit names, lead units first
    shortened: bool = False

    @property
    def units_text(self):
        return ", ".join(self.units)

    @property
    def line(self):
        """ "Kinh phí còn hạn chế (Huyện ủy A, Huyện ủy B)." """
        body = self.text.rstrip(".")
        return f"{body} ({self.units_text})." if self.units else f"{body}."


@dataclass
class Section:
    points: list  # Point
    more: int = 0  # points left to the appendix


@dataclass
class Written:
    """One unit's text of one kind, for gathering."""

    unit: str
    text: str
    is_lead: bool
    rank: tuple = ()  # order among units: lead first, then as given


# "Không có", "Không có đề xuất, kiến nghị.", "Chưa có": a unit saying it has nothing to say.
NOTHING = re.compile(r"^(?:không|chưa)(?: có)?(?: gì)?(?: (?:đề xuất|kiến nghị|khó khăn|vướng mắc)[\w ,]*)?$")


def _paragraphs(value):
    """A unit's text split into its points: one per line, without its bullet
    (a dash inside a line, as in "kinh tế - xã hội", is not a bullet)."""
    lines = (re.sub(r"^\s*(?:[-–•+*]|\d+[.)])\s+", "", line).strip() for line in value.splitlines())
    return [line for line in lines if line and not NOTHING.match(_key(line))]


def gather(written, *, limit=POINTS_PER_SECTION):
    """The points of ``written`` (Written rows), the same point from several
    units once with their names, the points most units made first."""
    points = {}
    order = []
    for row in sorted(written, key=lambda row: (not row.is_lead, row.rank)):
        for paragraph in _paragraphs(row.text):
            key = _key(paragraph)
            if not key:
                continue
            if key not in points:
                text, cut = shorten(paragraph)
                points[key] = Point(sentence(text), [], cut)
                order.append(key)
            if row.unit not in points[key].units:
                points[key].units.append(row.unit)
    ranked = sorted(order, key=lambda key: (-len(points[key].units), order.index(key)))
    return Section([points[key] for key in ranked[:limit]], more=max(0, len(ranked) - limit))


def addressee(value):
    """The body a proposal is addressed to, or None when the text does not say."""
    found = [(match.start(), name) for name, pattern in _ADDRESSEE_PATTERNS if (match := pattern.search(value))]
    return min(found)[1] if found else None


@dataclass
class ProposalGroup:
    body: str
    points: list  # Point


def group_proposals(written, *, limit=POINTS_PER_SECTION):
    """Proposals by the body they address (in the order of ADDRESSEES), those
    that name none last."""
    by_body = {}
    for row in written:
        for paragraph in _paragraphs(row.text):
            body = addressee(paragraph) or OTHER_ADDRESSEE
            by_body.setdefault(body, []).append(Written(row.unit, paragraph, row.is_lead, row.rank))
    names = [name for name, _pattern in ADDRESSEES] + [OTHER_ADDRESSEE]
    groups = []
    for name in names:
        if name in by_body:
            section = gather(by_body[name], limit=limit)
            groups.append(ProposalGroup(name, section.points))
    return groups


def highlights(written, *, limit=HIGHLIGHTS_PER_TASK):
    """The results the body quotes for a task: lead units first, then those
    that completed more; each shortened. Returns (points, units left out)."""
    chosen = [row for row in sorted(written, key=lambda row: (not row.is_lead, row.rank)) if row.text.strip()]
    points = []
    for row in chosen[:limit]:
        text, cut = shorten(row.text)
        points.append(Point(sentence(text), [row.unit], cut))
    return points, max(0, len(chosen) - limit)
