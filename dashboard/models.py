import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reports.storage import private_storage
from tracker.text import NormalizedCharField, NormalizedTextField

TEMPLATE_HELP = _(
    "A Word (.docx) file with Jinja tags, rendered with docxtpl. Variables: "
    "{{ issuing_body }}, {{ number_line }}, {{ place_date }}, {{ title }}, {{ subtitle }}, {{ period_line }}; "
    "{{ situation.expected }}, .received, .on_time, .late, .overdue, .awaiting, .reporting_rate, "
    ".on_time_rate, .progress; {%p for item in taxonomy %} {{ item.label }} {{ item.count }} {%p endfor %}; "
    "{%p for task in tasks %} {{ task.number }}. {{ task.title }} {{ task.progress }} and "
    "{%p for unit in task.units %} {{ unit.name }} {{ unit.reported }} {{ unit.period }} {{ unit.status }} "
    "{{ unit.percent }} {{ unit.results }} {{ unit.difficulties }} {{ unit.proposals }} {%p endfor %} "
    "{%p endfor %}; table rows {%tr for row in indicators %} {{ row.number }} {{ row.task_number }} "
    "{{ row.name }} {{ row.unit_of_measure }} {{ row.total }} {{ row.reports }} {%tr endfor %}; "
    "{%p for unit in late_units %} {{ unit.name }} {{ unit.items_text }} {%p endfor %}; "
    "{%p for line in recipients %} {{ line }} {%p endfor %}; {{ signer_lines }}, {{ signer_name }}. "
    "The README lists every variable. An upload is checked by rendering it with sample data."
)


class SummaryTemplateQuerySet(models.QuerySet):
    def current(self):
        """The template in use: the newest active one."""
        return self.filter(is_active=True).order_by("-uploaded_at", "-pk").first()


class SummaryTemplate(models.Model):
    """A replacement for the built-in Word template of the compiled report,
    uploaded by the provincial office or an administrator."""

    name = NormalizedCharField(_("name"), max_length=120)
    file = models.FileField(
        _("Word template"),
        storage=private_storage,
        upload_to="summary-templates/",
        max_length=255,
        help_text=TEMPLATE_HELP,
    )
    is_active = models.BooleanField(
        _("in use"),
        default=True,
        help_text=_("The newest template in use is the one the summary report is built from."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = SummaryTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("summary report template")
        verbose_name_plural = _("summary report templates")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return self.name


class ExportKind(models.TextChoices):
    XLSX = "xlsx", _("Excel workbook")
    DOCX = "docx", _("Summary report (Word)")
    PDF = "pdf", _("Summary report (PDF)")


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """An export too large to build within the request: built by a worker,
    kept on private storage, downloaded by the user who asked for it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("requested by")
    )
    kind = NormalizedCharField(_("kind"), max_length=8, choices=ExportKind.choices)
    query = NormalizedCharField(
        _("selection"), max_length=500, help_text=_("The dashboard's query string: directive and periods.")
    )
    language = NormalizedCharField(_("language"), max_length=8, default="vi")
    state = NormalizedCharField(_("state"), max_length=8, choices=ExportState.choices, default=ExportState.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), storage=private_storage, upload_to="exports/", max_length=255, blank=True)
    filename = NormalizedCharField(_("file name"), max_length=255, blank=True)
    error = NormalizedTextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    is_current = models.BooleanField(
        _("answers new requests"),
        default=True,
        help_text=_(
            "The same request by the same user gets this job rather than a new one "
            "(while it is queued, being built, or recently finished)."
        ),
    )

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0) & models.Q(progress__lte=100), name="export_progress_0_100"
            ),
            # One current job per request: parallel clicks cannot each insert one.
            models.UniqueConstraint(
                fields=["user", "kind", "query", "language"],
                condition=models.Q(is_current=True),
                name="export_job_once",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.created_at:%d/%m/%Y %H:%M}"

    @property
    def is_finished(self):
        return self.state in (ExportState.DONE, ExportState.FAILED)


class Tally(models.Model):
    """The dashboard's figures for one task, one period and one top row of the
    matrix (a province, or a body directly under the single root), kept up to
    date on every report change so that the whole-directive dashboard adds up
    a few thousand rows instead of millions. Overdue and not-yet-due are not
    stored: they follow from the period's on-time limit and today."""

    directive = models.ForeignKey(
        "directives.Directive", on_delete=models.CASCADE, related_name="+", verbose_name=_("directive")
    )
    task = models.ForeignKey("directives.Task", on_delete=models.CASCADE, related_name="+", verbose_name=_("task"))
    period = models.ForeignKey(
        "reports.ReportingPeriod", on_delete=models.CASCADE, related_name="+", verbose_name=_("period")
    )
    top_unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    expected = models.IntegerField(default=0)
    received = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    completed_on_time = models.IntegerField(default=0)
    completed_late = models.IntegerField(default=0)
    in_progress_on_time = models.IntegerField(default=0)
    in_progress_overdue = models.IntegerField(default=0)
    not_yet_due = models.IntegerField(default=0)
    progress_weighted = models.BigIntegerField(default=0)
    progress_weight = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("dashboard tally")
        verbose_name_plural = _("dashboard tallies")
        constraints = [
            models.UniqueConstraint(fields=["task", "period", "top_unit"], name="unique_tally"),
        ]
        indexes = [models.Index(fields=["directive", "period"])]

    def __str__(self):
        return f"{self.task_id} · {self.period_id} · {self.top_unit_id}"


class TallyState(models.Model):
    """Whether a directive's tallies can be read: built on which day (the
    status of a period not yet past due depends on the day), or stale since a
    unit, assignment or period changed and a rebuild is due."""

    directive = models.OneToOneField(
        "directives.Directive", on_delete=models.CASCADE, related_name="+", verbose_name=_("directive")
    )
    built_on = models.DateField(_("built for the day"))
    built_at = models.DateTimeField(_("built at"))
    is_stale = models.BooleanField(_("needs a rebuild"), default=False)
    seconds = models.FloatField(_("build time (s)"), default=0)

    class Meta:
        verbose_name = _("dashboard tally state")
        verbose_name_plural = _("dashboard tally states")

    def __str__(self):
        return str(self.directive_id)
