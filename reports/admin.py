import datetime

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from directives.models import Indicator
from reports.attachments import CONTENT_TYPES, attachment_check, clean_file_name, file_sha256
from reports.models import (
    Assignment,
    Attachment,
    IndicatorValue,
    PeriodKind,
    ProgressReport,
    ReportingPeriod,
    ReportingSchedule,
    ReportTransition,
)
from reports.services import period_place_due_date, schedule_extend_periods, schedule_sync_periods

REPORT_RELATIONS = ["assignment__task", "assignment__unit", "period"]


def periods_ahead_until():
    """How far ahead periods are created: the end of next year."""
    return datetime.date(timezone.localdate().year + 1, 12, 31)


def message_moved_due_dates(modeladmin, request, moved):
    """Tells the administrator which due dates a change moved, and where."""
    if not moved:
        return
    lines = "; ".join(
        _("%(period)s (%(schedule)s): %(old)s → %(new)s")
        % {"period": period, "schedule": period.schedule, "old": f"{old:%d/%m/%Y}", "new": f"{period.due_on:%d/%m/%Y}"}
        for period, old in moved
    )
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d due date not yet passed was moved: %(periods)s.",
            "%(count)d due dates not yet passed were moved: %(periods)s.",
            len(moved),
        )
        % {"count": len(moved), "periods": lines},
        messages.INFO,
    )


def message_period_sync(modeladmin, request, schedule, sync):
    """Tells the administrator what saving a schedule or a directive did to the
    schedule's periods."""
    if sync.created:
        modeladmin.message_user(
            request,
            ngettext(
                "%(schedule)s: %(count)d reporting period was created.",
                "%(schedule)s: %(count)d reporting periods were created.",
                len(sync.created),
            )
            % {"schedule": schedule, "count": len(sync.created)},
            messages.SUCCESS,
        )
    if sync.removed:
        modeladmin.message_user(
            request,
            _("%(schedule)s: periods starting after its end were deleted: %(periods)s.")
            % {"schedule": schedule, "periods": ", ".join(sync.removed)},
            messages.INFO,
        )
    if sync.kept_past_end:
        modeladmin.message_user(
            request,
            _(
                "%(schedule)s: these periods start after its end but already have reports or reminders, so they were "
                "kept: %(periods)s."
            )  # fmt: skip
            % {"schedule": schedule, "periods": ", ".join(str(period) for period in sync.kept_past_end)},
            messages.WARNING,
        )
    message_moved_due_dates(modeladmin, request, sync.moved)


class PeriodInline(admin.TabularInline):
    """Periods are generated from the schedule; each one opens on its own page
    for the rare correction (an extended due date, an ad hoc title)."""

    model = ReportingPeriod
    extra = 0
    fields = ["key", "kind", "title", "starts_on", "ends_on", "due_on", "nominal_due_on"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReportingSchedule)
class ReportingScheduleAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "monthly",
        "quarterly",
        "semiannual",
        "annual",
        "cutoff_day",
        "move_to_working_day",
        "starts_on",
        "ends_on",
    ]
    list_filter = ["monthly", "quarterly", "semiannual", "annual", "move_to_working_day"]
    search_fields = ["name", "code"]
    fieldsets = [
        (
            None,
            {
                "fields": ["code", "name", "starts_on", "ends_on"],
                "description": _(
                    "Saving the schedule creates its reporting periods up to the end of next year (a nightly job "
                    "keeps extending them), never past its end or the end of the term of the directives assigned "
                    "on it, and moves the due dates not yet passed when the deadline rules change."
                ),
            },
        ),
        (_("Reports owed"), {"fields": ["monthly", "quarterly", "semiannual", "annual"]}),
        (
            _("Deadlines"),
            {"fields": ["cutoff_day", "due_days_after_cutoff", "move_to_working_day", "grace_days"]},
        ),
    ]
    inlines = [PeriodInline]
    actions = ["extend_periods"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        sync = schedule_sync_periods(schedule=form.instance, through=periods_ahead_until(), today=timezone.localdate())
        message_period_sync(self, request, form.instance, sync)

    @admin.action(description=_("Create the missing reporting periods up to the end of next year"))
    def extend_periods(self, request, queryset):
        through = periods_ahead_until()
        created = sum(len(schedule_extend_periods(schedule=schedule, through=through)) for schedule in queryset)
        self.message_user(
            request,
            ngettext("%(count)d reporting period was created.", "%(count)d reporting periods were created.", created)
            % {"count": created},
            messages.SUCCESS,
        )


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ["__str__", "schedule", "kind", "key", "starts_on", "ends_on", "due_on"]
    list_filter = ["kind", "schedule"]
    search_fields = ["key", "title", "schedule__name"]
    list_select_related = ["schedule"]
    date_hierarchy = "due_on"
    fields = ["schedule", "kind", "key", "title", "starts_on", "ends_on", "due_on", "nominal_due_on"]
    readonly_fields = ["nominal_due_on"]

    def save_model(self, request, obj, form, change):
        # An ad hoc period's date follows the schedule's working-day rule like a
        # computed one; a due date typed on a periodic period is an extension
        # and stays as typed (later calendar changes leave it alone).
        ad_hoc = obj.kind == PeriodKind.AD_HOC
        if ad_hoc or "due_on" in form.changed_data:
            typed = obj.due_on
            if period_place_due_date(period=obj, due_on=typed, by_rule=ad_hoc):
                self.message_user(
                    request,
                    _("%(typed)s is not a working day: the due date was moved to %(due)s.")
                    % {"typed": f"{typed:%d/%m/%Y}", "due": f"{obj.due_on:%d/%m/%Y}"},
                    messages.WARNING,
                )
        super().save_model(request, obj, form, change)


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["task", "unit", "role", "schedule", "reviewing_unit", "deadline"]
    list_filter = ["role", "schedule", "task__directive", "unit__level", "unit__kind"]
    search_fields = ["unit__name", "unit__code", "task__title", "task__directive__number", "responsible_person"]
    autocomplete_fields = ["task", "unit", "reviewing_unit"]
    list_select_related = ["task", "unit", "schedule", "reviewing_unit"]
    date_hierarchy = "deadline"
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["task", "unit", "role", "schedule", "reviewing_unit"]}),
        (
            _("The five clarities (5 rõ)"),
            {"fields": ["responsible_person", "work", "deadline", "expected_result", "accountable_official"]},
        ),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        # Also for the autocomplete on progress reports, which lists assignments
        # by name. The changelist skips list_select_related once a queryset has
        # select_related, hence the same list here.
        return super().get_queryset(request).select_related(*self.list_select_related)


class IndicatorValueInline(admin.TabularInline):
    model = IndicatorValue
    extra = 0
    fields = ["indicator", "value"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("indicator")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            # Only the indicators of the report's own task make sense here.
            formset.form.base_fields["indicator"].queryset = Indicator.objects.filter(task_id=obj.assignment.task_id)
        return formset


class AttachmentForm(forms.ModelForm):
    """Checks the file as the report page does (type by content, size) and takes
    its name, type, size and checksum from the file itself."""

    class Meta:
        model = Attachment
        fields = ["file"]
        # A plain input: the stored file has no public URL to link to.
        widgets = {"file": forms.FileInput}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if "file" in self.changed_data:
            extension = attachment_check(upload)
            self.instance.original_name = clean_file_name(upload.name)
            self.instance.size = upload.size
            self.instance.sha256 = file_sha256(upload)
            self.instance.content_type = CONTENT_TYPES[extension]
        return upload

    def clean(self):
        cleaned_data = super().clean()
        # The form leaves sha256 out, so Django cannot check the unique
        # (report, sha256) constraint itself.
        report = cleaned_data.get("report") or getattr(self.instance, "report", None)
        if report is not None and report.pk and self.instance.sha256:
            duplicates = Attachment.objects.filter(report=report, sha256=self.instance.sha256)
            if duplicates.exclude(pk=self.instance.pk).exists():
                self.add_error("file", _("This file is already attached to the report."))
        return cleaned_data


def download_link(attachment):
    """The permission-checked download, the only way a stored file is served."""
    if not attachment.pk:
        return "—"
    url = reverse("attachment_download", args=[attachment.report_id, attachment.pk])
    return format_html('<a href="{}">{}</a>', url, attachment.original_name)


class ReportTransitionInline(admin.TabularInline):
    model = ReportTransition
    extra = 0
    can_delete = False
    fields = ["at", "action", "from_state", "to_state", "by", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


class AttachmentInline(admin.TabularInline):
    model = Attachment
    form = AttachmentForm
    extra = 0
    fields = ["download", "file", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = ["download", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")

    @admin.display(description=_("file name"))
    def download(self, attachment):
        return download_link(attachment)


@admin.register(ProgressReport)
class ProgressReportAdmin(SimpleHistoryAdmin):
    list_display = [
        "unit",
        "task",
        "period",
        "state",
        "implementation_status",
        "percent_complete",
        "submitted_at",
    ]
    list_filter = ["state", "implementation_status", "period__kind", "assignment__task__directive"]
    search_fields = ["assignment__unit__name", "assignment__unit__code", "assignment__task__title", "period__key"]
    autocomplete_fields = ["assignment", "period", "created_by", "submitted_by"]
    list_select_related = REPORT_RELATIONS
    date_hierarchy = "period__due_on"
    readonly_fields = ["version", "created_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["assignment", "period", "state"]}),
        (
            _("Progress"),
            {
                "fields": [
                    "implementation_status",
                    "percent_complete",
                    "results",
                    "difficulties",
                    "proposals",
                    "next_steps",
                ]
            },
        ),
        (
            _("Record"),
            {
                "fields": [
                    "version",
                    "created_by",
                    "created_at",
                    "updated_at",
                    "submitted_by",
                    "submitted_at",
                    "accepted_at",
                ]
            },
        ),
    ]
    inlines = [IndicatorValueInline, AttachmentInline, ReportTransitionInline]

    def get_queryset(self, request):
        # Reports are named by assignment and period, here and in autocompletes.
        return super().get_queryset(request).select_related(*self.list_select_related)

    @admin.display(description=_("unit"), ordering="assignment__unit__name")
    def unit(self, report):
        return report.assignment.unit

    @admin.display(description=_("task"), ordering="assignment__task__number")
    def task(self, report):
        return report.assignment.task

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is Attachment:
            for attachment_form in formset.forms:
                if attachment_form.instance.uploaded_by_id is None:
                    attachment_form.instance.uploaded_by = request.user
        super().save_formset(request, form, formset, change)


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ["indicator", "value", "report"]
    list_filter = ["indicator__kind", "indicator__task"]
    search_fields = ["indicator__name", "report__assignment__unit__name"]
    autocomplete_fields = ["report", "indicator"]
    list_select_related = ["indicator", *(f"report__{relation}" for relation in REPORT_RELATIONS)]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    form = AttachmentForm
    list_display = ["original_name", "report", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["content_type"]
    search_fields = ["original_name", "sha256", "report__assignment__unit__name"]
    autocomplete_fields = ["report"]
    list_select_related = ["uploaded_by", *(f"report__{relation}" for relation in REPORT_RELATIONS)]
    date_hierarchy = "uploaded_at"
    fields = ["report", "download", "file", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = ["download", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]

    @admin.display(description=_("file name"))
    def download(self, attachment):
        return download_link(attachment)

    def save_model(self, request, obj, form, change):
        if obj.uploaded_by_id is None:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ReportTransition)
class ReportTransitionAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "report", "by", "reason"]
    list_filter = ["action"]
    search_fields = ["report__assignment__unit__name", "by__username", "reason"]
    list_select_related = ["by", *(f"report__{relation}" for relation in REPORT_RELATIONS)]
    date_hierarchy = "at"
    readonly_fields = ["report", "action", "from_state", "to_state", "by", "at", "reason"]

    def has_add_permission(self, request):
        return False  # steps are recorded by the workflow, never typed in
