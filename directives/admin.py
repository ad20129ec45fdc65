from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import BLANK_CHOICE_DASH, Count
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from directives.models import Directive, Indicator, Task
from reminders.admin import ReminderPolicyInline
from reminders.models import ReminderPolicy
from reports.admin import message_period_sync, periods_ahead_until
from reports.models import Assignment, AssignmentRole, ReportingSchedule
from reports.services import assignments_bulk_create, schedule_sync_periods
from units.models import Unit, UnitKind, UnitLevel

COMPACT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}}


class TaskInline(admin.TabularInline):
    model = Task
    extra = 0
    fields = ["number", "title", "text"]
    formfield_overrides = COMPACT_TEXT
    show_change_link = True


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ["position", "code", "name", "unit_of_measure", "kind", "aggregation"]


class AssignmentInline(admin.TabularInline):
    """Existing assignments are listed read-only with a link to their own page
    (the "5 rõ" need room); new ones can be added here."""

    model = Assignment
    extra = 0
    fields = ["unit", "role", "schedule", "reviewing_unit", "deadline"]
    autocomplete_fields = ["unit", "reviewing_unit"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit", "schedule", "reviewing_unit")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Directive)
class DirectiveAdmin(admin.ModelAdmin):
    list_display = ["number", "short_title", "title", "kind", "status", "signed_on", "issuing_unit"]
    list_display_links = ["number", "title"]
    list_filter = ["status", "kind"]
    search_fields = ["number", "code", "title", "short_title"]
    autocomplete_fields = ["issuing_unit"]
    list_select_related = ["issuing_unit"]
    date_hierarchy = "signed_on"
    fieldsets = [
        (None, {"fields": ["code", "number", "kind", "title", "short_title", "subject", "status"]}),
        (
            _("Issue and signature"),
            {
                "fields": [
                    "issuing_unit",
                    "issuer_name",
                    "place",
                    "signed_on",
                    "signer_title",
                    "signer_name",
                    "term",
                    "term_ends_on",
                ]
            },
        ),
        (
            _("Text"),
            {
                "classes": ["collapse"],
                "fields": ["preamble", "assignment_text", "closing_text", "distribution", "full_text"],
            },
        ),
        (
            _("Compiled report: who signs, who receives"),
            {
                "fields": [
                    "committee_signer_title",
                    "committee_signer_name",
                    "committee_recipients",
                    "office_signer_title",
                    "office_signer_name",
                    "office_recipients",
                ]
            },
        ),
        (
            _("Dashboard: how a task's progress is averaged"),
            {"fields": ["progress_lead_weight", "progress_coordinating_weight", "progress_missing_as_zero"]},
        ),
    ]
    inlines = [ReminderPolicyInline, TaskInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Every directive has a reminder policy: the defaults unless one was filled in.
        ReminderPolicy.objects.get_or_create(directive=form.instance)
        if "term_ends_on" in form.changed_data:
            # The term bounds the periods of every schedule its tasks are assigned on.
            today = timezone.localdate()
            for schedule in ReportingSchedule.objects.filter(assignments__task__directive=form.instance).distinct():
                sync = schedule_sync_periods(schedule=schedule, through=periods_ahead_until(), today=today)
                message_period_sync(self, request, schedule, sync)


class BulkAssignmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Unit kind"), choices=[*BLANK_CHOICE_DASH, *UnitKind.choices])
    level = forms.TypedChoiceField(label=_("Unit level"), choices=[*BLANK_CHOICE_DASH, *UnitLevel.choices], coerce=int)
    role = forms.ChoiceField(label=_("Role"), choices=AssignmentRole.choices, initial=AssignmentRole.LEAD)
    schedule = forms.ModelChoiceField(label=_("Reporting schedule"), queryset=ReportingSchedule.objects.all())
    reviewing_unit = forms.ModelChoiceField(
        label=_("Reviewing unit"),
        queryset=Unit.objects.all(),
        required=False,
        widget=AutocompleteSelect(Assignment._meta.get_field("reviewing_unit"), admin.site),
    )
    only_open = forms.BooleanField(label=_("Only units open today"), initial=True, required=False)


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "directive", "indicator_count", "assignment_count"]
    list_display_links = ["number", "title"]
    list_filter = ["directive__status", "directive"]
    search_fields = ["title", "text", "directive__number", "directive__title"]
    autocomplete_fields = ["directive"]
    list_select_related = ["directive"]
    formfield_overrides = COMPACT_TEXT
    inlines = [IndicatorInline, AssignmentInline]
    actions = ["assign_to_units"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                indicator_total=Count("indicators", distinct=True),
                assignment_total=Count("assignments", distinct=True),
            )
        )

    @admin.display(description=_("indicators"), ordering="indicator_total")
    def indicator_count(self, task):
        return task.indicator_total

    @admin.display(description=_("assignments"), ordering="assignment_total")
    def assignment_count(self, task):
        return task.assignment_total

    def has_assign_permission(self, request):
        return request.user.has_perm("reports.add_assignment")

    @admin.action(
        description=_("Assign the selected tasks to all units of a kind and level"),
        permissions=["assign"],
    )
    def assign_to_units(self, request, queryset):
        # Django's pattern for actions with an intermediate page: the form posts
        # back to the changelist with ``action`` and the selected ids; ``apply``
        # marks the confirmation.
        form = BulkAssignmentForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created, skipped = assignments_bulk_create(
                    tasks=queryset,
                    kind=data["kind"],
                    level=data["level"],
                    role=data["role"],
                    schedule=data["schedule"],
                    reviewing_unit=data["reviewing_unit"],
                    open_on=timezone.localdate() if data["only_open"] else None,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self._report_assigned(request, created, skipped)
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Assign tasks to units"),
            "opts": self.opts,
            "form": form,
            "tasks": queryset.select_related("directive"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/directives/task/assign_to_units.html", context)

    def _report_assigned(self, request, created, skipped):
        if not created and not skipped:
            self.message_user(request, _("No unit matches the chosen kind and level."), messages.WARNING)
            return
        if created:
            self.message_user(
                request,
                ngettext(
                    "%(count)d assignment was created.",
                    "%(count)d assignments were created.",
                    created,
                )
                % {"count": created},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d assignment already existed and was left unchanged.",
                    "%(count)d assignments already existed and were left unchanged.",
                    skipped,
                )
                % {"count": skipped},
                messages.INFO,
            )


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "task", "kind", "aggregation", "unit_of_measure", "position"]
    list_filter = ["kind", "aggregation", "task__directive"]
    search_fields = ["name", "code", "task__title"]
    autocomplete_fields = ["task"]
    list_select_related = ["task"]
