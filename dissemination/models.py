"""Dissemination of a directive (issue #14): each Party committee's
implementing plan, the sessions it holds to study the directive, and every
Party cell's confirmation that it has discussed it.

Who is who (no new membership role, no change to ``units``):
- a *committee* is a unit of one of ``scope.PLAN_KINDS`` (Party committee,
  Party delegation, Party personnel committee) below the directive's issuing
  unit; it owes one implementing plan per directive (``scope.plan_units``);
- a *Party cell* is a unit of kind ``UnitKind.PARTY_CELL``; its *grassroots
  committee* is its parent unit (``Unit.parent``);
- a *cell secretary* is a user with a ``MembershipRole.HEAD`` membership of
  the cell (the secretary heads the cell; a deputy may be given ``REPORTER``
  and confirms too). ``scope.cell_secretaries`` lists them.

Deadlines are per directive (``DisseminationSetting``) and copied into each
plan and confirmation as ``due_on`` when it is saved (and refreshed when the
setting changes, ``services.setting_save``), so on time / late is a plain
query: ``issued_on <= due_on`` for a plan, ``confirmed_on <= due_on`` for a
cell. Missing = no row.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from reports.storage import private_storage
from tracker.text import NormalizedCharField, NormalizedTextField

# A cell's note is short: it is typed on a phone.
CELL_NOTE_MAX_CHARS = 500


class DisseminationSetting(models.Model):
    """The directive's deadlines for dissemination, in days from ``counted_from``
    (the directive's signing day when blank). One row per directive; a directive
    without a row uses the defaults (``services.setting_for``)."""

    directive = models.OneToOneField(
        "directives.Directive",
        on_delete=models.CASCADE,
        related_name="dissemination_setting",
        verbose_name=_("directive"),
    )
    counted_from = models.DateField(
        _("deadlines counted from"),
        null=True,
        blank=True,
        help_text=_("Empty: the day the directive was signed."),
    )
    plan_due_days = models.PositiveSmallIntegerField(
        _("days to issue the implementing plan"),
        default=30,
        help_text=_("Each Party committee issues its implementing plan within this many days."),
    )
    cell_due_days = models.PositiveSmallIntegerField(
        _("days for Party cells to confirm"),
        default=90,
        help_text=_("Each Party cell discusses the directive and confirms within this many days."),
    )

    class Meta:
        verbose_name = _("dissemination setting")
        verbose_name_plural = _("dissemination settings")

    def __str__(self):
        return str(self.directive)

    def start_on(self):
        return self.counted_from or self.directive.signed_on

    def plan_due_on(self):
        start = self.start_on()
        return start + datetime.timedelta(days=self.plan_due_days) if start else None

    def cell_due_on(self):
        start = self.start_on()
        return start + datetime.timedelta(days=self.cell_due_days) if start else None


class PlanKind(models.TextChoices):
    PLAN = "ke_hoach", _("Plan (kế hoạch)")
    OFFICIAL_LETTER = "cong_van", _("Official letter (công văn)")
    GUIDANCE = "huong_dan", _("Guidance (hướng dẫn)")


def plan_file_path(instance, filename):
    # A random stored name, as for report attachments: the user's name is data.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"dissemination/plans/{instance.directive_id}/{uuid.uuid4().hex}.{suffix[:8]}"


class ImplementingPlan(models.Model):
    """A committee's implementing document for a directive: one per committee
    and directive (a second save edits it). On time when ``issued_on <= due_on``;
    ``due_on`` is the directive's plan deadline when the plan was saved (None
    when the directive has no signing day)."""

    directive = models.ForeignKey(
        "directives.Directive", on_delete=models.CASCADE, related_name="implementing_plans", verbose_name=_("directive")
    )
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="implementing_plans", verbose_name=_("committee")
    )
    kind = NormalizedCharField(_("kind of document"), max_length=16, choices=PlanKind.choices, default=PlanKind.PLAN)
    number = NormalizedCharField(_("number"), max_length=40, help_text=_("For example 45-KH/HU."))
    issued_on = models.DateField(_("signed on"))
    signer = NormalizedCharField(_("signed by"), max_length=120)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    file = models.FileField(_("file"), storage=private_storage, upload_to=plan_file_path, max_length=255, blank=True)
    original_name = NormalizedCharField(_("file name"), max_length=255, blank=True)
    content_type = NormalizedCharField(_("content type"), max_length=120, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    sha256 = NormalizedCharField(_("SHA-256"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    history = HistoricalRecords(
        verbose_name=_("implementing plan history"),
        excluded_fields=["file"],
        history_change_reason_field=NormalizedTextField(null=True),
    )

    class Meta:
        verbose_name = _("implementing plan")
        verbose_name_plural = _("implementing plans")
        ordering = ["-issued_on", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["directive", "unit"], name="unique_plan_per_committee"),
        ]

    def __str__(self):
        return f"{self.number} · {self.unit}"

    @property
    def is_late(self):
        return self.due_on is not None and self.issued_on > self.due_on


class SessionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    GRASSROOTS = "grassroots", _("Grassroots")
    CELL = "cell", _("Party cell")


class SessionForm(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    COMBINED = "combined", _("In person and online")


class DisseminationSession(models.Model):
    """A session (hội nghị học tập, quán triệt) a committee held for a directive.
    A unit may hold several (make-up sessions for those absent). Attendance by
    group; ``party_members_present`` of ``party_members_expected``."""

    directive = models.ForeignKey(
        "directives.Directive",
        on_delete=models.CASCADE,
        related_name="dissemination_sessions",
        verbose_name=_("directive"),
    )
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="dissemination_sessions", verbose_name=_("held by")
    )
    held_on = models.DateField(_("held on"))
    level = NormalizedCharField(_("level"), max_length=16, choices=SessionLevel.choices)
    form = NormalizedCharField(_("form"), max_length=16, choices=SessionForm.choices, default=SessionForm.IN_PERSON)
    committee_members_present = models.PositiveIntegerField(_("committee members present"), default=0)
    party_members_present = models.PositiveIntegerField(_("Party members present"), default=0)
    party_members_expected = models.PositiveIntegerField(_("Party members expected"), default=0)
    others_present = models.PositiveIntegerField(_("others present"), default=0)
    note = NormalizedTextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    history = HistoricalRecords(
        verbose_name=_("dissemination session history"),
        history_change_reason_field=NormalizedTextField(null=True),
    )

    class Meta:
        verbose_name = _("dissemination session")
        verbose_name_plural = _("dissemination sessions")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["directive", "unit"], name="diss_session_directive_unit")]
        constraints = [
            models.CheckConstraint(
                condition=Q(party_members_present__lte=F("party_members_expected")),
                name="session_present_within_expected",
                violation_error_message=_("More Party members present than expected."),
            ),
        ]

    def __str__(self):
        return f"{self.unit} · {self.held_on:%d/%m/%Y}"

    @property
    def total_present(self):
        return self.committee_members_present + self.party_members_present + self.others_present


def session_attachment_path(instance, filename):
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"dissemination/sessions/{instance.session_id}/{uuid.uuid4().hex}.{suffix[:8]}"


class SessionAttachment(models.Model):
    """Minutes or photos of a session, checked like report attachments
    (``reports.attachments.attachment_check``)."""

    session = models.ForeignKey(
        DisseminationSession, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("session")
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to=session_attachment_path, max_length=255)
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

    class Meta:
        verbose_name = _("session attachment")
        verbose_name_plural = _("session attachments")
        ordering = ["uploaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "sha256"], name="unique_attachment_per_session"),
        ]

    def __str__(self):
        return self.original_name


class CellConfirmation(models.Model):
    """A Party cell's confirmation that it discussed the directive: at most one
    per cell and directive, so a cell counts once. Confirming again updates
    this row (``history`` keeps every version); ``confirmed_at`` and
    ``confirmed_on`` (local date) stay those of the first confirmation, so a
    correction after the deadline does not make an on-time cell late. Late when
    ``confirmed_on > due_on``. ``on_behalf`` is set when the grassroots
    committee (the cell's parent) confirmed for the cell."""

    directive = models.ForeignKey(
        "directives.Directive",
        on_delete=models.CASCADE,
        related_name="cell_confirmations",
        verbose_name=_("directive"),
    )
    cell = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="cell_confirmations", verbose_name=_("Party cell")
    )
    met_on = models.DateField(_("date of the cell meeting"))
    members_present = models.PositiveIntegerField(_("members present"))
    members_total = models.PositiveIntegerField(_("members in the cell"))
    note = NormalizedTextField(_("note"), blank=True)  # forms: at most CELL_NOTE_MAX_CHARS
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    on_behalf = models.BooleanField(_("confirmed by the grassroots committee on the cell's behalf"), default=False)
    confirmed_at = models.DateTimeField(_("first confirmed at"))
    confirmed_on = models.DateField(_("first confirmed on"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    history = HistoricalRecords(
        verbose_name=_("cell confirmation history"),
        history_change_reason_field=NormalizedTextField(null=True),
    )

    class Meta:
        verbose_name = _("cell confirmation")
        verbose_name_plural = _("cell confirmations")
        ordering = ["-confirmed_at"]
        constraints = [
            models.UniqueConstraint(fields=["directive", "cell"], name="unique_confirmation_per_cell"),
            models.CheckConstraint(
                condition=Q(members_present__lte=F("members_total")),
                name="confirmation_present_within_total",
                violation_error_message=_("More members present than the cell has."),
            ),
        ]

    def __str__(self):
        return f"{self.cell} · {self.met_on:%d/%m/%Y}"

    @property
    def is_late(self):
        return self.due_on is not None and self.confirmed_on > self.due_on


class CellSize(models.Model):
    """The number of Party members of a cell, for the share of members reached
    before the cell confirms. Updated by each confirmation (``members_total``);
    the demo and scale data fill it for their cells."""

    cell = models.OneToOneField(
        "units.Unit",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="cell_size",
        verbose_name=_("Party cell"),
    )
    party_members = models.PositiveIntegerField(_("Party members"))
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("Party cell size")
        verbose_name_plural = _("Party cell sizes")

    def __str__(self):
        return f"{self.cell}: {self.party_members}"


from dissemination.reminder_models import DisseminationReminder  # noqa: E402, F401  (the reminders' ledger)
