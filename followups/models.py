"""The follow-up register (issue #15): the Standing Committee's directions,
inspection conclusions, HĐND supervision recommendations and voters'
petitions, each followed from its source document to its settlement.

    SourceDocument 1──n FollowUpItem 1──n FollowUpAddressee (lead / co-ordinating units)
                            │  1──n FollowUpStep        (the timeline: every workflow step and progress update)
                            │  1──n FollowUpAttachment  (evidence files, each tied to the step that sent it)
                            └─ previous ──▶ FollowUpItem (re-supervision: a later round points at the earlier one)

Status (``FollowUpStatus``), see followups/workflow.py for who moves what:

    not_started ─▶ in_progress ─▶ [pending_signoff ─▶] reported ─accept─▶ settled       (claim "done")
                                                          │      ─accept─▶ not_feasible  (claim "not feasible")
                                                          └─return─▶ returned ─▶ (answered again like in_progress)

``settled`` and ``not_feasible`` are closed; every other status is open.
Overdue and on time are derived, never stored as a status: ``due_on`` is the
deadline moved to the next working day (reminders.calendar.WorkingCalendar),
an open item is overdue from the day after ``due_on``, and a closed item was
closed on time when ``completed_on`` (the day the unit sent the report that
the verifier accepted) is on or before ``due_on``. ``FollowUpItemQuerySet``
has these rules as queryset methods for the roll-ups.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from reports.storage import private_storage
from tracker.text import NormalizedCharField, NormalizedTextField


class SourceKind(models.TextChoices):
    """Where an item comes from (the register's first filter)."""

    DIRECTION = "direction", _("Direction of the Standing Committee (ý kiến chỉ đạo)")
    INSPECTION = "inspection", _("Conclusion of an inspection or supervision (kết luận kiểm tra, giám sát)")
    SUPERVISION = "supervision", _("Recommendation after a People's Council supervision (kiến nghị giám sát)")
    PETITION = "petition", _("Voters' petition forwarded (kiến nghị cử tri)")


class FollowUpStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    PENDING_SIGNOFF = "pending_signoff", _("Awaiting the head's sign-off")
    REPORTED = "reported", _("Reported, awaiting verification")
    RETURNED = "returned", _("Returned by the verifying body")
    SETTLED = "settled", _("Settled")
    NOT_FEASIBLE = "not_feasible", _("Cannot be carried out (accepted)")


# Closed: nothing more is expected of the addressed units.
CLOSED_STATUSES = (FollowUpStatus.SETTLED, FollowUpStatus.NOT_FEASIBLE)
OPEN_STATUSES = tuple(status for status in FollowUpStatus.values if status not in CLOSED_STATUSES)
# The addressed units write their response in these.
ANSWERABLE_STATUSES = (
    FollowUpStatus.NOT_STARTED,
    FollowUpStatus.IN_PROGRESS,
    FollowUpStatus.RETURNED,
    FollowUpStatus.PENDING_SIGNOFF,
)


STATUS_CSS = {
    FollowUpStatus.NOT_STARTED: "text-bg-light border",
    FollowUpStatus.IN_PROGRESS: "text-bg-info",
    FollowUpStatus.PENDING_SIGNOFF: "text-bg-secondary",
    FollowUpStatus.REPORTED: "text-bg-primary",
    FollowUpStatus.RETURNED: "text-bg-warning",
    FollowUpStatus.SETTLED: "text-bg-success",
    FollowUpStatus.NOT_FEASIBLE: "text-bg-dark",
}


class Claim(models.TextChoices):
    """What the addressed unit reports when it sends the item for verification."""

    DONE = "done", _("Carried out")
    NOT_FEASIBLE = "not_feasible", _("Cannot be carried out")


def document_file_path(instance, filename):
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"followups/documents/{uuid.uuid4().hex}.{suffix[:8]}"


def evidence_file_path(instance, filename):
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"followups/{instance.item_id}/{uuid.uuid4().hex}.{suffix[:8]}"


class SourceDocument(models.Model):
    """The document an item comes from: a direction note (thông báo ý kiến chỉ
    đạo), an inspection conclusion, a supervision report, a summary of
    voters' petitions. One document usually carries several items. A
    direction recorded from the dashboard gets a document of its own without
    a number (the direction itself is its source)."""

    kind = NormalizedCharField(_("source kind"), max_length=16, choices=SourceKind.choices)
    number = NormalizedCharField(_("number"), max_length=40, blank=True, help_text=_("For example 125-TB/TU."))
    issued_on = models.DateField(_("date of issue"))
    issuing_unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="issued_followup_documents",
        verbose_name=_("issuing body"),
    )
    title = NormalizedCharField(_("subject (trích yếu)"), max_length=500, blank=True)
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=document_file_path, max_length=255, blank=True
    )
    original_name = NormalizedCharField(_("file name"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("recorded by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords(
        verbose_name=_("source document history"),
        excluded_fields=["file"],
        history_change_reason_field=NormalizedTextField(null=True),
    )

    class Meta:
        verbose_name = _("source document")
        verbose_name_plural = _("source documents")
        ordering = ["-issued_on", "number"]
        indexes = [
            models.Index(fields=["kind", "issued_on"]),
            models.Index(fields=["issuing_unit", "kind"], name="followup_document_issuer_kind"),
            models.Index(fields=["issued_on", "id"], name="followup_document_issued_id"),
        ]

    def __str__(self):
        label = self.number or self.get_kind_display()
        return f"{label} ({self.issued_on:%d/%m/%Y})"


class FollowUpItemQuerySet(models.QuerySet):
    """The status rules as SQL, for the register and the roll-ups."""

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def closed(self):
        return self.filter(status__in=CLOSED_STATUSES)

    def overdue(self, today: datetime.date):
        """Open items whose due date (the deadline moved to a working day) is before ``today``."""
        return self.open().filter(due_on__lt=today)

    def not_overdue(self, today: datetime.date):
        return self.exclude(status__in=OPEN_STATUSES, due_on__lt=today)

    def closed_on_time(self):
        """Closed items whose accepted report was sent on or before the due date."""
        return self.closed().filter(completed_on__lte=F("due_on"))

    def closed_late(self):
        return self.closed().filter(completed_on__gt=F("due_on"))

    def settled_on_time(self):
        return self.filter(status=FollowUpStatus.SETTLED, completed_on__lte=F("due_on"))

    def settled_late(self):
        return self.filter(status=FollowUpStatus.SETTLED, completed_on__gt=F("due_on"))

    def addressed_to(self, unit_ids, role=None):
        """Items one of ``unit_ids`` is addressed by (as lead or co-ordinating, or the given ``role``)."""
        rows = FollowUpAddressee.objects.filter(unit_id__in=unit_ids)
        if role:
            rows = rows.filter(role=role)
        return self.filter(pk__in=rows.values("item_id"))


class FollowUpItem(models.Model):
    """One thing to do: a recommendation, a conclusion's point, a direction.

    ``deadline`` is the date the source gives; ``due_on`` is the same date
    moved to the next working day and is what overdue and on time are
    computed from (``followups.services.item_due_on``, set on every save by
    the services). ``completed_on`` is set when the verifier accepts the
    unit's report: the local date that report was sent. ``version`` goes up on
    every save of the response or status, as a progress report's does, so a
    stale form is refused."""

    document = models.ForeignKey(
        SourceDocument, on_delete=models.PROTECT, related_name="items", verbose_name=_("source document")
    )
    number = NormalizedCharField(_("item number"), max_length=20, blank=True, help_text=_("Its number in the source."))
    text = NormalizedTextField(_("content"))
    task = models.ForeignKey(
        "directives.Task",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followup_items",
        verbose_name=_("directive task"),
    )
    about_report = models.ForeignKey(
        "reports.ProgressReport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followup_items",
        verbose_name=_("about the report"),
        help_text=_("The progress report a direction was recorded on."),
    )
    units = models.ManyToManyField(
        "units.Unit", through="FollowUpAddressee", related_name="followup_items", verbose_name=_("addressed units")
    )
    verifying_unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="verified_followup_items",
        verbose_name=_("verifying body"),
    )
    deadline = models.DateField(_("deadline"))
    due_on = models.DateField(_("due on (working day)"))
    status = NormalizedCharField(
        _("status"), max_length=16, choices=FollowUpStatus.choices, default=FollowUpStatus.NOT_STARTED
    )
    claim = NormalizedCharField(_("reported as"), max_length=16, choices=Claim.choices, blank=True)
    response = NormalizedTextField(_("progress and result"), blank=True)
    reason = NormalizedTextField(
        _("last reason"), blank=True, help_text=_("Why it was returned, or why it cannot be carried out.")
    )
    reported_at = models.DateTimeField(_("last reported at"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("in this status since"), default=timezone.now)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_rounds",
        verbose_name=_("previous round"),
        help_text=_("The item this one re-supervises (tái giám sát)."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("recorded by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(
        verbose_name=_("follow-up item history"),
        excluded_fields=["updated_at"],
        history_change_reason_field=NormalizedTextField(null=True),
    )

    objects = FollowUpItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up item")
        verbose_name_plural = _("follow-up items")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(due_on__gte=F("deadline")), name="followup_due_not_before_deadline"),
            models.CheckConstraint(condition=Q(round__gte=1), name="followup_round_positive"),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["due_on"]),
            models.Index(fields=["verifying_unit", "status"]),
            # The register's sorts, read page by page from the index (followups/views.py).
            models.Index(fields=["due_on", "id"], name="followup_item_due_id"),
            models.Index(fields=["status", "due_on", "id"], name="followup_item_status_due_id"),
            models.Index(fields=["created_at", "id"], name="followup_item_created_id"),
            models.Index(fields=["document", "due_on"], name="followup_item_document_due"),
        ]

    def __str__(self):
        label = f"{self.document.number or self.document.get_kind_display()}"
        if self.number:
            label += f" · {self.number}"
        return label

    @property
    def is_closed(self):
        return self.status in CLOSED_STATUSES

    def is_overdue(self, today: datetime.date) -> bool:
        """The per-object twin of ``FollowUpItemQuerySet.overdue``."""
        return not self.is_closed and self.due_on < today

    @property
    def status_css(self):
        """The badge colour of the status on screens."""
        return STATUS_CSS.get(self.status, "text-bg-light border")

    @property
    def closed_on_time(self):
        """True/False for a closed item, None for an open one."""
        if not self.is_closed or self.completed_on is None:
            return None
        return self.completed_on <= self.due_on


class AddresseeRole(models.TextChoices):
    LEAD = "lead", _("Lead (chủ trì)")
    COORDINATING = "coordinating", _("Co-ordinating (phối hợp)")


class FollowUpAddressee(models.Model):
    """A unit the item is addressed to. The lead unit answers for the item; the
    co-ordinating units see it and may add their progress and evidence."""

    item = models.ForeignKey(FollowUpItem, on_delete=models.CASCADE, related_name="addressees", verbose_name=_("item"))
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="followup_addressees", verbose_name=_("unit")
    )
    role = NormalizedCharField(_("role"), max_length=16, choices=AddresseeRole.choices, default=AddresseeRole.LEAD)

    class Meta:
        verbose_name = _("addressed unit")
        verbose_name_plural = _("addressed units")
        ordering = ["role", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["item", "unit"], name="unique_followup_addressee")]
        indexes = [
            models.Index(fields=["unit", "role"]),
            # "Items addressed to these units" as an index-only scan (the register's filter, "Việc của tôi").
            models.Index(fields=["unit", "item"], name="followup_addressee_unit_item"),
        ]

    def __str__(self):
        return f"{self.unit} · {self.get_role_display()}"


class StepAction(models.TextChoices):
    RECORD = "record", _("Recorded")
    PROGRESS = "progress", _("Progress reported")
    SEND_TO_HEAD = "send_to_head", _("Sent to the unit head")
    SEND_BACK = "send_back", _("Sent back to staff")
    REPORT = "report", _("Reported to the verifying body")
    ACCEPT = "accept", _("Accepted by the verifying body")
    RETURN = "return", _("Returned by the verifying body")
    RESUPERVISE = "resupervise", _("Re-supervision opened")


class FollowUpStep(models.Model):
    """One entry of the item's timeline: a workflow step or a progress update,
    who took it, when, the status before and after, and the text (reason or
    progress) given with it."""

    item = models.ForeignKey(FollowUpItem, on_delete=models.CASCADE, related_name="steps", verbose_name=_("item"))
    action = NormalizedCharField(_("action"), max_length=16, choices=StepAction.choices)
    from_status = NormalizedCharField(_("from"), max_length=16, choices=FollowUpStatus.choices, blank=True)
    to_status = NormalizedCharField(_("to"), max_length=16, choices=FollowUpStatus.choices)
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("on behalf of")
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    text = NormalizedTextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("follow-up step")
        verbose_name_plural = _("follow-up steps")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} · {self.at:%d/%m/%Y %H:%M}"


class FollowUpAttachment(models.Model):
    """An evidence file the addressed unit sent with a step (checked like a
    report's attachments: reports/attachments.py)."""

    item = models.ForeignKey(FollowUpItem, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("item"))
    step = models.ForeignKey(
        FollowUpStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments",
        verbose_name=_("step"),
    )  # fmt: skip
    file = models.FileField(_("file"), storage=private_storage, upload_to=evidence_file_path, max_length=255)
    original_name = NormalizedCharField(_("file name"), max_length=255)
    content_type = NormalizedCharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = NormalizedCharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("uploaded by"),
    )  # fmt: skip
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    history = HistoricalRecords(
        verbose_name=_("evidence history"),
        excluded_fields=["file"],
        history_change_reason_field=NormalizedTextField(null=True),
    )

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["item", "sha256"], name="unique_followup_evidence")]

    def __str__(self):
        return self.original_name


# The reminder ledger and the import audit trail (issue #15 items 4 and 5).
from followups.roll_models import FollowUpReminder, ItemImport  # noqa: E402, F401
