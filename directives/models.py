from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import Truncator
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


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
    number = models.CharField(_("number"), max_length=40, blank=True, help_text=_("For example 12-CT/TU."))
    kind = models.CharField(_("kind"), max_length=16, choices=DirectiveKind.choices, default=DirectiveKind.DIRECTIVE)
    title = models.CharField(_("title"), max_length=500)
    short_title = models.CharField(
        _("short title"),
        max_length=80,
        blank=True,
        help_text=_(
            "A few words that tell this directive apart from the others wherever its tasks are listed, "
            "for example “Lãnh đạo HĐND các cấp”. When empty, the number (or the start of the title) is used."
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
    issuer_name = models.CharField(_("issued by"), max_length=255, blank=True)
    place = models.CharField(_("place of issue"), max_length=80, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=255, blank=True)
    signer_name = models.CharField(_("signer"), max_length=120, blank=True)
    term = models.CharField(_("term"), max_length=40, blank=True)
    preamble = models.TextField(_("preamble"), blank=True)
    assignment_text = models.TextField(_("assignment paragraph"), blank=True)
    closing_text = models.TextField(_("closing line"), blank=True)
    distribution = models.TextField(_("distribution list"), blank=True, help_text=_("One recipient per line."))
    full_text = models.TextField(_("full text"), blank=True)
    status = models.CharField(
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

    objects = DirectiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("directive")
        verbose_name_plural = _("directives")
        ordering = ["-signed_on", "title"]

    def __str__(self):
        label = self.get_kind_display() if not self.number else f"{self.number}"
        return f"{label}: {self.title}"

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


class Task(models.Model):
    directive = models.ForeignKey(
        Directive, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("directive")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("short title"), max_length=255)
    text = models.TextField(_("full text"))

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


class Indicator(models.Model):
    """A quantity a task is measured by, reported with every progress report."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("task"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=255)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=IndicatorKind.choices, default=IndicatorKind.COUNT)
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
