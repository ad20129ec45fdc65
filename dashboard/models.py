import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reports.storage import private_storage

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

    name = models.CharField(_("name"), max_length=120)
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
    kind = models.CharField(_("kind"), max_length=8, choices=ExportKind.choices)
    query = models.CharField(
        _("selection"), max_length=500, help_text=_("The dashboard's query string: directive and periods.")
    )
    language = models.CharField(_("language"), max_length=8, default="vi")
    state = models.CharField(_("state"), max_length=8, choices=ExportState.choices, default=ExportState.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), storage=private_storage, upload_to="exports/", max_length=255, blank=True)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0) & models.Q(progress__lte=100), name="export_progress_0_100"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.created_at:%d/%m/%Y %H:%M}"

    @property
    def is_finished(self):
        return self.state in (ExportState.DONE, ExportState.FAILED)
