"""Small presentation helpers for the dashboard: status badges that carry an
icon and a word as well as a colour, rate colours, trend sparklines and the
cells of the unit × task matrix."""

from django import template
from django.urls import reverse
from django.utils.formats import date_format, localize, number_format
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from dashboard.measures import Category, ReportStatus

register = template.Library()

STATUS_STYLE = {
    ReportStatus.ON_TIME: ("bi-check-circle-fill", "text-success-emphasis"),
    ReportStatus.LATE: ("bi-clock-history", "text-warning-emphasis"),
    ReportStatus.OVERDUE: ("bi-x-circle-fill", "text-danger-emphasis"),
    ReportStatus.AWAITING: ("bi-hourglass-split", "text-body-secondary"),
}
STATUS_WORDS = {
    ReportStatus.ON_TIME: gettext_noop("On time"),
    ReportStatus.LATE: gettext_noop("Late"),
    ReportStatus.OVERDUE: gettext_noop("Overdue"),
    ReportStatus.AWAITING: gettext_noop("Not yet due"),
}
CATEGORY_STYLE = {
    Category.COMPLETED_ON_TIME: "success",
    Category.COMPLETED_LATE: "warning",
    Category.IN_PROGRESS_ON_TIME: "primary",
    Category.IN_PROGRESS_OVERDUE: "danger",
    Category.NOT_YET_DUE: "secondary",
}


@register.simple_tag
def status_badge(status, days=0):
    """An expected report's status as icon + word (colour only adds to them)."""
    icon, css = STATUS_STYLE[status]
    words = _(STATUS_WORDS[status])  # only the one shown is translated: a page has hundreds
    if status == ReportStatus.OVERDUE and days:
        words = ngettext("Overdue %(days)d day", "Overdue %(days)d days", days) % {"days": days}
    return format_html(
        '<span class="{} text-nowrap"><span class="bi {}" aria-hidden="true"></span> {}</span>', css, icon, words
    )


@register.filter
def rate_css(rate):
    """Green from 90 %, amber from 60 %, red below; grey when nothing is expected."""
    if rate is None:
        return "rate-none"
    if rate >= 90:
        return "rate-good"
    return "rate-fair" if rate >= 60 else "rate-poor"


@register.filter
def rate_icon(rate):
    if rate is None:
        return "bi-dash"
    if rate >= 90:
        return "bi-check-circle"
    return "bi-exclamation-circle" if rate >= 60 else "bi-x-circle"


@register.filter
def category_css(category):
    return CATEGORY_STYLE.get(category, "secondary")


@register.filter
def pct(value):
    """12.5 → "12,5 %" (the decimal comma is the locale's; a no-break space
    keeps the sign on the number's line), None → "—"."""
    if value is None:
        return "—"
    return f"{number_format(value, 1)}\u00a0%"


@register.simple_tag
def sparkline(values, width=96, height=24):
    """A tiny inline SVG line of percentages (gaps where a value is None),
    with the values in its accessible name."""
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    label = ", ".join("—" if v is None else f"{v}" for v in values)
    if len(values) < 2 or not points:
        return format_html('<span class="text-body-secondary" title="{}">—</span>', label)
    step = width / (len(values) - 1)
    coords = " ".join(f"{i * step:.1f},{height - float(v) / 100 * (height - 2) - 1:.1f}" for i, v in points)
    return format_html(
        '<svg class="sparkline" width="{}" height="{}" viewBox="0 0 {} {}" role="img" aria-label="{}">'
        '<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="{}"/></svg>',
        width,
        height,
        width,
        height,
        _("Reporting rate by period: %(values)s") % {"values": label},
        coords,
    )


@register.filter
def category_label(category):
    """The category's name; a dash for a unit with no status at the end of the range."""
    return Category(category).label if category else "—"


@register.simple_tag
def matrix_cell(rows_url, query, row, task, block, cell):
    """One cell of the matrix (a unit × a task), links to the rows behind it.
    Built here rather than in the template: a province's page has hundreds,
    and the template language took a fifth of its time to render them."""
    if block is None:
        return format_html(
            '<span class="text-body-secondary" title="{}">·</span><span class="visually-hidden">{}</span>',
            _("Not assigned"),
            _("Not assigned"),
        )
    if cell and not row.has_children:
        count = ""
        if len(cell.expected) > 1:
            words = _("%(count)s of %(expected)s reports") % {
                "count": localize(cell.status_count),
                "expected": localize(cell.counts.expected),
            }
            count = format_html('<br><span class="text-body-secondary" data-testid="status-count">{}</span>', words)
        percent = "—" if cell.percent is None else f"{localize(cell.percent)}%"
        return format_html(
            '<a href="{}?{}&unit={}&scope=own&task={}" class="text-decoration-none" data-testid="matrix-cell">'
            '{} {}<br><span class="text-body-secondary">{}</span></a>',
            rows_url, query, row.unit.pk, task.pk,
            status_badge(cell.status, cell.days_overdue), count, percent,
        )  # fmt: skip
    counts = block.counts
    overdue = ""
    if counts.overdue:
        words = ngettext("%(counter)s overdue", "%(counter)s overdue", counts.overdue) % {
            "counter": localize(counts.overdue)
        }
        overdue = format_html('<br><span class="due-overdue">{}</span>', words)
    scope = "&scope=own" if row.own_only else ""
    return format_html(
        '<a href="{}?{}&unit={}' + scope + '&task={}" class="text-decoration-none {}-text" data-testid="matrix-cell">'
        '<span class="bi {}" aria-hidden="true"></span> {}/{}{}</a>',
        rows_url, query, row.unit.pk, task.pk,
        rate_css(counts.reporting_rate), rate_icon(counts.reporting_rate),
        localize(counts.received), localize(counts.expected), overdue,
    )  # fmt: skip


@register.simple_tag(takes_context=True)
def late_row(context, row, query, may_remind):
    """One row of the late list, with its "Remind now" form for those who may
    send one. Built here rather than in the template, as the matrix's cells:
    the template language took a sixth of the dashboard's time for 25 rows."""
    days = ngettext("%(counter)s day", "%(counter)s days", row.days_overdue) % {"counter": localize(row.days_overdue)}
    cells = format_html(
        '<td><a href="{}?{}">{}</a></td><td>{}. {}</td><td class="text-end due-overdue">{}</td>'
        '<td class="text-end">{}</td><td>{}<br><span class="small text-body-secondary">{} {}</span></td><td>{}</td>',
        reverse("dashboard_unit", args=[row.unit.pk]), query, row.unit.name,
        localize(row.task.number), Truncator(row.task.title).words(6, truncate=" …"),
        days, localize(row.reminders_sent),
        row.period.label, _("due"), date_format(row.due_on, "SHORT_DATE_FORMAT"),
        ", ".join(row.heads) or "—",
    )  # fmt: skip
    remind = ""
    if may_remind:
        remind = format_html(
            '<td><form method="post" action="{}"><input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<input type="hidden" name="next" value="{}"><button type="submit" '
            'class="btn btn-sm btn-outline-danger text-nowrap"><span class="bi bi-bell" aria-hidden="true"></span> '
            "{}</button></form></td>",
            reverse("dashboard_remind_now", args=[row.assignment.pk, row.period.pk]),
            context.get("csrf_token"), context["request"].get_full_path(), _("Remind now"),
        )  # fmt: skip
    return format_html('<tr data-testid="late-row">{}{}</tr>', cells, remind)
