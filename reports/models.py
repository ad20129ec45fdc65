from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from reports.storage import attachment_path, private_storage
from tracker.text import NormalizedCharField, NormalizedTextField


def default_cutoff_day():
    return settings.REPORTING_CUTOFF_DAY


def default_due_days():
    return settings.REPORTING_DUE_DAYS_AFTER_CUTOFF


class ReportingSchedule(models.Model):
    """Which periodic reports an assignment owes, and when each is due.

    Cut-off windows follow Nghị định 09/2019/NĐ-CP: data runs from the day after
    the cut-off day of the previous window to the cut-off day (the 14th by
    default); a report is due a set number of days after its cut-off.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = NormalizedCharField(_("name"), max_length=255)
    monthly = models.BooleanField(_("monthly reports"), default=False)
    quarterly = models.BooleanField(_("quarterly reports"), default=False)
    semiannual = models.BooleanField(_("six-monthly reports"), default=False)
    annual = models.BooleanField(_("annual reports"), default=False)
    cutoff_day = models.PositiveSmallIntegerField(
        _("cut-off day"),
        default=default_cutoff_day,
        help_text=_("Last day of the month whose data a report covers (Nghị định 09/2019: the 14th)."),
    )
    due_days_after_cutoff = models.PositiveSmallIntegerField(
        _("days to submit after cut-off"), default=default_due_days
    )
    grace_days = models.PositiveSmallIntegerField(
        _("grace days"), default=0, help_text=_("A report this many days after the due date still counts as on time.")
    )
    move_to_working_day = models.BooleanField(
        _("move due dates to a working day"),
        default=True,
        help_text=_("A due date on a weekend or public holiday moves to the next working day."),
    )
    starts_on = models.DateField(_("first period starts"))
    ends_on = models.DateField(_("last period ends"), null=True, blank=True)

    class Meta:
        verbose_name = _("reporting schedule")
        verbose_name_plural = _("reporting schedules")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cutoff_day__gte=1) & Q(cutoff_day__lte=28), name="schedule_cutoff_day_1_28"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=F("starts_on")), name="schedule_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if not (self.monthly or self.quarterly or self.semiannual or self.annual):
            raise ValidationError(_("Choose at least one kind of periodic report."))


class PeriodKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    SEMIANNUAL = "semiannual", _("Six-monthly")
    ANNUAL = "annual", _("Annual")
    AD_HOC = "ad_hoc", _("Ad hoc")


class ReportingPeriodQuerySet(models.QuerySet):
    def due_between(self, start, end):
        return self.filter(due_on__gte=start, due_on__lte=end)

    def past_due(self, on):
        return self.filter(due_on__lt=on)


class ReportingPeriod(models.Model):
    """One concrete report every assignment on the schedule owes, so that
    "expected reports" is a count of rows rather than a computation."""

    schedule = models.ForeignKey(
        ReportingSchedule, on_delete=models.CASCADE, related_name="periods", verbose_name=_("schedule")
    )
    kind = NormalizedCharField(_("kind"), max_length=16, choices=PeriodKind.choices)
    key = NormalizedCharField(_("key"), max_length=32, help_text=_("For example 2024-H1, 2024, 2024-03."))
    title = NormalizedCharField(
        _("title"), max_length=120, blank=True, help_text=_("Only for ad hoc reports; periodic ones are named by key.")
    )
    starts_on = models.DateField(_("data from"))
    ends_on = models.DateField(_("data until"))
    due_on = models.DateField(_("due on"))
    nominal_due_on = models.DateField(
        _("due date by the rule"),
        null=True,
        blank=True,
        help_text=_(
            "The due date the rule gives before it is moved to a working day; empty when the due date was set by "
            "hand. Due dates with a rule follow later changes to the working-day calendar."
        ),
    )

    objects = ReportingPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["due_on", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "key"], name="unique_period_key"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="period_ends_after_start"),
            models.CheckConstraint(condition=Q(due_on__gte=F("ends_on")), name="period_due_after_end"),
        ]
        indexes = [models.Index(fields=["schedule", "due_on"])]

    def __str__(self):
        return str(self.label)

    @property
    def label(self):
        if self.title:
            return self.title
        year, _dash, part = self.key.partition("-")
        if self.kind == PeriodKind.MONTHLY:
            return _("Month %(month)s/%(year)s") % {"month": part, "year": year}
        if self.kind == PeriodKind.QUARTERLY:
            return _("Quarter %(quarter)s/%(year)s") % {"quarter": part.lstrip("Q"), "year": year}
        if self.kind == PeriodKind.SEMIANNUAL:
            if part == "H2":
                return _("Second half of %(year)s") % {"year": year}
            return _("First six months of %(year)s") % {"year": year}
        if self.kind == PeriodKind.ANNUAL:
            return _("Year %(year)s") % {"year": year}
        return self.key


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead (chủ trì)")
    COORDINATING = "coordinating", _("Co-ordinating (phối hợp)")


class AssignmentQuerySet(models.QuerySet):
    pass


class Assignment(models.Model):
    """A task given to a unit, with the "5 rõ": rõ người, rõ việc, rõ tiến độ,
    rõ hiệu quả, rõ trách nhiệm."""

    task = models.ForeignKey(
        "directives.Task", on_delete=models.CASCADE, related_name="assignments", verbose_name=_("task")
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="assignments", verbose_name=_("unit"))
    role = NormalizedCharField(_("role"), max_length=16, choices=AssignmentRole.choices, default=AssignmentRole.LEAD)
    responsible_person = NormalizedCharField(_("responsible person (rõ người)"), max_length=255, blank=True)
    work = NormalizedTextField(_("work to do (rõ việc)"), blank=True)
    deadline = models.DateField(_("deadline (rõ tiến độ)"), null=True, blank=True)
    expected_result = NormalizedTextField(_("expected result (rõ hiệu quả)"), blank=True)
    accountable_official = NormalizedCharField(_("accountable official (rõ trách nhiệm)"), max_length=255, blank=True)
    reviewing_unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_assignments",
        verbose_name=_("reviewing unit"),
    )
    schedule = models.ForeignKey(
        ReportingSchedule, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("reporting schedule")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(
        verbose_name=_("assignment history"), history_change_reason_field=NormalizedTextField(null=True)
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["task", "role", "unit__level", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit"], name="unique_assignment_task_unit"),
        ]

    def __str__(self):
        return f"{self.task} — {self.unit}"

    def clean(self):
        from units.models import closed_unit_message, unit_changed

        # A closed unit takes no new assignment (its successor does); one it holds can still be edited.
        if self.unit_id and unit_changed(self, Assignment) and self.unit.closed_before(timezone.localdate()):
            raise ValidationError({"unit": closed_unit_message(self.unit)})
        if self.role == AssignmentRole.LEAD and self.task_id and self.unit_id:
            self._check_one_lead_per_scope()

    def _check_one_lead_per_scope(self):
        scope = self.unit.scope_root()
        leads = (
            Assignment.objects.filter(task_id=self.task_id, role=AssignmentRole.LEAD)
            .exclude(pk=self.pk)
            .select_related("unit")
        )
        for other in leads:
            if other.unit.overlaps(self.unit) and other.unit.scope_root().pk == scope.pk:
                raise ValidationError(
                    {"role": _("%(unit)s already leads this task in the same area.") % {"unit": other.unit}}
                )


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_SIGNOFF = "pending_signoff", _("Awaiting sign-off")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")


class ImplementationStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class ProgressReportQuerySet(models.QuerySet):
    def awaiting_review(self):
        return self.filter(state=ReportState.SUBMITTED)


class ProgressReport(models.Model):
    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="reports", verbose_name=_("assignment")
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="reports", verbose_name=_("period")
    )
    state = NormalizedCharField(_("state"), max_length=16, choices=ReportState.choices, default=ReportState.DRAFT)
    implementation_status = NormalizedCharField(
        _("implementation status"),
        max_length=16,
        choices=ImplementationStatus.choices,
        default=ImplementationStatus.NOT_STARTED,
    )
    percent_complete = models.PositiveSmallIntegerField(_("percent complete"), default=0)
    results = NormalizedTextField(_("results"), blank=True)
    difficulties = NormalizedTextField(_("difficulties"), blank=True)
    proposals = NormalizedTextField(_("proposals"), blank=True)
    next_steps = NormalizedTextField(_("next steps"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    state_changed_at = models.DateTimeField(_("in this state since"), null=True, blank=True)
    # The change reason is a workflow reason (thousands of characters): django-simple-history's
    # default, a CharField of 100, would refuse a longer one on PostgreSQL.
    history = HistoricalRecords(
        verbose_name=_("report history"),
        excluded_fields=["updated_at"],
        history_change_reason_field=NormalizedTextField(null=True),
    )

    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-period__due_on", "assignment"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "period"], name="unique_report_per_period"),
            models.CheckConstraint(
                condition=Q(percent_complete__gte=0) & Q(percent_complete__lte=100),
                name="report_percent_0_100",
                violation_error_message=_("Percent complete must be between 0 and 100."),
            ),
        ]
        indexes = [
            models.Index(fields=["state", "submitted_at"]),
            models.Index(fields=["state", "state_changed_at"]),
            # The inbox's period filter offers the periods that have reports waiting: one probe per period.
            models.Index(fields=["period"], condition=Q(state="submitted"), name="report_waiting_period"),
        ]

    def __str__(self):
        return f"{self.assignment} · {self.period}"

    @property
    def is_editable_state(self):
        return self.state in EDITABLE_STATES


EDITABLE_STATES = (ReportState.DRAFT, ReportState.RETURNED, ReportState.PENDING_SIGNOFF)


class TransitionAction(models.TextChoices):
    SEND_TO_HEAD = "send_to_head", _("Sent to the unit head")
    SEND_BACK = "send_back", _("Sent back to staff")
    SUBMIT = "submit", _("Submitted to the provincial office")
    RETURN = "return", _("Returned by the provincial office")
    ACCEPT = "accept", _("Accepted by the provincial office")
    REOPEN = "reopen", _("Reopened by the provincial office")


class ReportTransition(models.Model):
    """One step of a report's workflow: who moved it, when, from which state to
    which, and why. Shown as the report's timeline."""

    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("report")
    )
    action = NormalizedCharField(_("action"), max_length=16, choices=TransitionAction.choices)
    from_state = NormalizedCharField(_("from"), max_length=16, choices=ReportState.choices)
    to_state = NormalizedCharField(_("to"), max_length=16, choices=ReportState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = NormalizedTextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("report transition")
        verbose_name_plural = _("report transitions")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} · {self.at:%d/%m/%Y %H:%M}"


class IndicatorValue(models.Model):
    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="indicator_values", verbose_name=_("report")
    )
    indicator = models.ForeignKey(
        "directives.Indicator", on_delete=models.PROTECT, related_name="values", verbose_name=_("indicator")
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="unique_indicator_value"),
        ]

    def __str__(self):
        return f"{self.indicator}: {self.value}"

    def clean(self):
        if self.indicator_id is None:
            return  # the form reports the missing indicator itself
        self.indicator.validate_value(self.value)


class Attachment(models.Model):
    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("report")
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to=attachment_path, max_length=255)
    original_name = NormalizedCharField(_("file name"), max_length=255)
    content_type = NormalizedCharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = NormalizedCharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # Who added or removed which file, and when, for the report's change history.
    history = HistoricalRecords(
        verbose_name=_("attachment history"),
        excluded_fields=["file"],
        history_change_reason_field=NormalizedTextField(null=True),
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["report", "sha256"], name="unique_attachment_per_report"),
        ]

    def __str__(self):
        return self.original_name
