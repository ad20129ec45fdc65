from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import Truncator
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from tracker.text import DocumentTextField, NormalizedCharField, NormalizedTextField


class DirectiveKind(models.TextChoices):
    DIRECTIVE = "chi_thi", _("Directive (Chỉ thị)")
    RESOLUTION = "nghi_quyet", _("Resolution (Nghị quyết)")
    CONCLUSION = "ket_luan", _("Conclusion (Kết luận)")
    PLAN = "ke_hoach", _("Plan (Kế hoạch)")
    OTHER = "other", _("Other")


class DirectiveStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("directive status", "Draft")
    IN_FORCE = "in_force", _("In force")
    CLOSED = "closed", _("Closed")


# Words (Vietnamese syllables) of the title kept when a directive has neither a number nor a short title.
SHORT_TITLE_WORDS = 12


class DirectiveQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(status=DirectiveStatus.IN_FORCE)


class Directive(models.Model):
    code = models.SlugField(_("code"), max_length=80, unique=True, help_text=_("A stable identifier used by imports."))
    number = NormalizedCharField(_("number"), max_length=40, blank=True, help_text=_("For example 12-CT/TU."))
    kind = NormalizedCharField(_("kind"), max_length=16, choices=DirectiveKind.choices, default=DirectiveKind.DIRECTIVE)
    title = NormalizedCharField(_("title"), max_length=500, help_text=_("As in the source document, verbatim."))
    short_title = NormalizedCharField(
        _("short title"),
        max_length=80,
        blank=True,
        help_text=_(
            "A few words that tell this directive apart from the others wherever its tasks are listed, "
            "for example “Lãnh đạo HĐND các cấp”. When empty, the number (or the start of the title) is used."
        ),
    )
    subject = NormalizedCharField(
        _("subject (trích yếu)"),
        max_length=500,
        blank=True,
        help_text=_(
            "The title as a phrase, used on screens and in compiled reports, for example “về tăng cường sự lãnh "
            "đạo của Đảng đối với Hội đồng nhân dân các cấp”. Empty: derived from the title."
        ),
    )
    issuing_unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issued_directives",
        verbose_name=_("issuing unit"),
    )
    issuer_name = NormalizedCharField(_("issued by"), max_length=255, blank=True)
    place = NormalizedCharField(_("place of issue"), max_length=80, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signer_title = NormalizedCharField(_("signer's title"), max_length=255, blank=True)
    signer_name = NormalizedCharField(_("signer"), max_length=120, blank=True)
    term = NormalizedCharField(_("term"), max_length=40, blank=True)
    term_ends_on = models.DateField(
        _("term ends on"),
        null=True,
        blank=True,
        help_text=_(
            "No reporting period starting after this day is created for the directive's assignments. Under "
            "Nghị định 09/2019 the next year's windows start on 15 December, so a term whose last report is the "
            "annual report of its final year ends on 14 December of that year."
        ),
    )
    preamble = NormalizedTextField(_("preamble"), blank=True)
    assignment_text = NormalizedTextField(_("assignment paragraph"), blank=True)
    closing_text = NormalizedTextField(_("closing line"), blank=True)
    distribution = NormalizedTextField(_("distribution list"), blank=True, help_text=_("One recipient per line."))
    full_text = DocumentTextField(_("full text"), blank=True)
    status = NormalizedCharField(
        _("status"), max_length=16, choices=DirectiveStatus.choices, default=DirectiveStatus.IN_FORCE
    )
    # The dashboard's rule for a task's progress: a weighted average of each
    # unit's latest reported percentage.
    progress_lead_weight = models.PositiveSmallIntegerField(_("weight of a lead unit in a task's progress"), default=2)
    progress_coordinating_weight = models.PositiveSmallIntegerField(
        _("weight of a co-ordinating unit in a task's progress"), default=1
    )
    progress_missing_as_zero = models.BooleanField(
        _("units that have not reported count as 0 %"),
        default=True,
        help_text=_("When off, units without a report are left out of the average."),
    )

    # Who speaks and who signs the compiled reports (Hướng dẫn 36-HD/VPTW): the
    # Standing Committee's report upward, and the office's report to the Committee.
    committee_signer_title = NormalizedTextField(
        _("title of the Committee's signer"),
        default="BÍ THƯ",
        help_text=_("Under “T/M BAN THƯỜNG VỤ”: BÍ THƯ, or PHÓ BÍ THƯ when a deputy signs. One line each."),
    )
    committee_signer_name = NormalizedCharField(_("name of the Committee's signer"), max_length=120, blank=True)
    committee_recipients = NormalizedTextField(
        _("recipients of the Committee's report"),
        blank=True,
        help_text=_(
            "“Nơi nhận”, one per line. Empty: the bodies above in the directive's distribution list "
            "(the lines marked “để b/c”) and the office's file copy."
        ),
    )
    office_signer_title = NormalizedTextField(
        _("title of the office's signer"),
        default="CHÁNH VĂN PHÒNG",
        help_text=_("For example CHÁNH VĂN PHÒNG, or K/T CHÁNH VĂN PHÒNG and PHÓ CHÁNH VĂN PHÒNG. One line each."),
    )
    office_signer_name = NormalizedCharField(_("name of the office's signer"), max_length=120, blank=True)
    office_recipients = NormalizedTextField(
        _("recipients of the office's report"),
        blank=True,
        help_text=_("“Nơi nhận”, one per line. Empty: the Standing Committee and the office's file copy."),
    )

    objects = DirectiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("directive")
        verbose_name_plural = _("directives")
        ordering = ["-signed_on", "title"]

    def __str__(self):
        label = self.get_kind_display() if not self.number else f"{self.number}"
        return f"{label}: {self.display_title}"

    @property
    def display_title(self):
        """The title as screens show it: verbatim but for the source's typing slips."""
        from directives.subject import corrected

        return corrected(self.title)

    @property
    def short_label(self):
        """The directive's name where space is short: its number and short
        title ("05-CT/TU – Chuyển đổi số"), either one alone when the other is
        blank, else the first words of its title."""
        parts = [part for part in (self.number.strip(), self.short_title.strip()) if part]
        return " – ".join(parts) if parts else Truncator(self.title).words(SHORT_TITLE_WORDS)

    @property
    def distribution_lines(self):
        return [line for line in self.distribution.splitlines() if line.strip()]

    @property
    def subject_text(self):
        """The subject as a phrase ("về ..."), for screens and documents: the
        field when set, else the title with a title in capitals made a sentence."""
        from directives.subject import subject_from_title

        return self.subject.strip() or subject_from_title(self.title, place=self.place)


class Task(models.Model):
    directive = models.ForeignKey(
        Directive, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("directive")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = NormalizedCharField(_("short title"), max_length=255)
    text = NormalizedTextField(_("full text"))

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["directive", "number"]
        constraints = [
            models.UniqueConstraint(fields=["directive", "number"], name="unique_task_number"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    @property
    def label(self):
        """ "Nhiệm vụ 1. Tuyên truyền …" (the task without its directive)."""
        return gettext("Task %(number)s. %(title)s") % {"number": self.number, "title": self.title}

    @property
    def with_directive(self):
        """The one way to print a task to people who follow several directives:
        "05-CT/TU – Chuyển đổi số · Nhiệm vụ 1. Số hóa hồ sơ". Select the
        directive with the task (``select_related("task__directive")``)."""
        return gettext("%(directive)s · %(task)s") % {"directive": self.directive.short_label, "task": self.label}


class IndicatorKind(models.TextChoices):
    COUNT = "count", _("Count")
    NUMBER = "number", _("Number")
    PERCENT = "percent", _("Percent")
    YES_NO = "yes_no", _("Yes / no")


class IndicatorAggregation(models.TextChoices):
    """How an indicator's values add up over a range of periods and units."""

    PER_PERIOD = "per_period", _("Count per period")
    CUMULATIVE = "cumulative", _("Cumulative (latest total)")
    STOCK = "stock", _("Stock (latest level)")
    PERCENT = "percent", _("Percentage (weighted average)")
    YES_NO = "yes_no", _("Yes / no (units saying yes)")


# The aggregation a kind of indicator must use; counts and numbers may choose among the rest.
KIND_AGGREGATION = {
    "percent": IndicatorAggregation.PERCENT,
    "yes_no": IndicatorAggregation.YES_NO,
}


class Indicator(models.Model):
    """A quantity a task is measured by, reported with every progress report."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("task"))
    code = models.SlugField(_("code"), max_length=40)
    name = NormalizedCharField(_("name"), max_length=255)
    unit_of_measure = NormalizedCharField(_("unit of measure"), max_length=40, blank=True)
    kind = NormalizedCharField(_("kind"), max_length=16, choices=IndicatorKind.choices, default=IndicatorKind.COUNT)
    aggregation = NormalizedCharField(
        _("adds up as"),
        max_length=16,
        choices=IndicatorAggregation.choices,
        default=IndicatorAggregation.PER_PERIOD,
        help_text=_(
            "How the compiled report totals the values over a range. A count per period is summed over periods "
            "that do not overlap (a six-month window lies inside the annual one); cumulative and stock figures "
            "take each unit's latest value; percentages average each unit's latest value with the progress "
            "weights; yes/no counts the units whose latest answer is yes. Percentages and yes/no indicators always "
            "add up as their kind."
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["task", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["task", "code"], name="unique_indicator_code"),
        ]

    def __str__(self):
        return f"{self.name} ({self.unit_of_measure})" if self.unit_of_measure else self.name

    def save(self, *args, **kwargs):
        # A percentage or yes/no indicator has only one way to add up; set it rather
        # than make every caller (seed, admin, imports) repeat the rule.
        self.aggregation = KIND_AGGREGATION.get(self.kind, self.aggregation)
        if self.aggregation in KIND_AGGREGATION.values() and self.kind not in KIND_AGGREGATION:
            self.aggregation = IndicatorAggregation.PER_PERIOD
        super().save(*args, **kwargs)

    def clean(self):
        required = KIND_AGGREGATION.get(self.kind)
        if required:
            self.aggregation = required
        elif self.aggregation in KIND_AGGREGATION.values():
            raise ValidationError(
                {"aggregation": _("A count or a number adds up per period, cumulatively or as a stock.")}
            )

    def validate_value(self, value):
        """Checks one reported value against the indicator's kind."""
        if value is None:
            return
        if value < 0:
            raise ValidationError(_("The value cannot be negative."))
        if self.kind == IndicatorKind.PERCENT and value > 100:
            raise ValidationError(_("A percentage cannot exceed 100."))
        if self.kind == IndicatorKind.YES_NO and value not in (0, 1):
            raise ValidationError(_("Enter 1 for yes or 0 for no."))
        if self.kind == IndicatorKind.COUNT and value != int(value):
            raise ValidationError(_("A count must be a whole number."))
