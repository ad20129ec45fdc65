from functools import partial

from django.contrib import admin
from django.db.models import Q
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from tree_queries.admin import TreeChangeList

from tracker.admin_mixins import ReadOnlyAdminMixin
from units.admin_reorganise import close_view, closed_notice, reorganise_view
from units.models import Membership, Reorganisation, Unit, UnitPlacement, UnitSuccession

# django-tree-queries' own TreeAdmin needs "tree_queries" in INSTALLED_APPS and
# the django-js-asset package for its collapse/move scripts; we only want the
# depth-first listing, so we reuse its changelist and indent the name ourselves.
# Deeper units are indented as this depth (static/units/admin.css has one rule per depth).
MAX_INDENTED_DEPTH = 10


class OpenTodayFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("Open today")), ("no", _("Not open today"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.open_on(today)
        if self.value() == "no":
            return queryset.filter(Q(valid_from__gt=today) | Q(valid_to__lt=today))
        return queryset


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role"]
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class SuccessorInline(admin.TabularInline):
    """Units that took over this unit's duties."""

    model = UnitSuccession
    fk_name = "predecessor"
    extra = 0
    fields = ["successor", "kind", "effective_on", "note"]
    autocomplete_fields = ["successor"]
    verbose_name = _("successor")
    verbose_name_plural = _("successors")


class PredecessorInline(admin.TabularInline):
    """Units whose duties this unit took over."""

    model = UnitSuccession
    fk_name = "successor"
    extra = 0
    fields = ["predecessor", "kind", "effective_on", "note"]
    autocomplete_fields = ["predecessor"]
    verbose_name = _("predecessor")
    verbose_name_plural = _("predecessors")


class PlacementInline(admin.TabularInline):
    """Where the unit stood before it moved (read only: moves are made by a reorganisation)."""

    model = UnitPlacement
    fk_name = "unit"
    extra = 0
    fields = ["parent", "ends_on"]
    readonly_fields = fields
    can_delete = False
    verbose_name = _("former place in the tree")
    verbose_name_plural = _("former places in the tree")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["indented_name", "code", "kind", "level", "valid_from", "valid_to", "is_open_today", "is_sample"]
    list_filter = ["kind", "level", OpenTodayFilter, "requires_signoff", "is_sample"]
    search_fields = ["name", "short_name", "code"]
    # Sorting by a column would break the tree apart; filters and search narrow it instead.
    sortable_by = ()
    list_per_page = 200

    class Media:
        css = {"all": ["units/admin.css"]}

    autocomplete_fields = ["parent"]
    fieldsets = [
        (None, {"fields": ["code", "name", "short_name", "kind", "level", "parent", "email"]}),
        (_("Validity"), {"fields": ["valid_from", "valid_to", "is_sample"]}),
        (_("Reporting"), {"fields": ["requires_signoff", "heads_read_descendants"]}),
    ]
    inlines = [MembershipInline, SuccessorInline, PredecessorInline, PlacementInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_tree_fields()

    # --- closed units and reorganisations (units.admin_reorganise) ---
    change_form_template = "admin/units/unit/change_form.html"
    change_list_template = "admin/units/unit/change_list.html"
    # Pickers for new assignments, memberships and successors offer open units only.
    OPEN_ONLY_PICKERS = {("reports", "assignment", "unit"), ("units", "membership", "unit"),
                         ("units", "unitsuccession", "successor")}  # fmt: skip

    def get_search_results(self, request, queryset, search_term):
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        picker = (request.GET.get("app_label"), request.GET.get("model_name"), request.GET.get("field_name"))
        if picker in self.OPEN_ONLY_PICKERS:
            queryset = queryset.exclude(valid_to__lt=timezone.localdate())
        return queryset, distinct

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("reorganise/", wrap(partial(reorganise_view, self)), name="units_unit_reorganise"),
            path("<id:pk>/close/", wrap(partial(close_view, self)), name="units_unit_close"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        unit = self.get_object(request, object_id)
        extra = {"closed": closed_notice(unit), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra)

    def get_changelist(self, request, **kwargs):
        # Orders by ``tree_ordering`` (depth first, siblings by Meta.ordering)
        # computed by one recursive query.
        return TreeChangeList

    @admin.display(description=_("name"))
    def indented_name(self, unit):
        depth = getattr(unit, "tree_depth", 0)
        if not depth:
            return unit.name
        # A hanging indent keeps wrapped lines of a long name clear of the "└";
        # one class per depth (static/units/admin.css), no inline style (CSP).
        return format_html(
            '<span class="unit-tree-name unit-tree-depth-{}">└&nbsp;{}</span>',
            min(depth, MAX_INDENTED_DEPTH),
            unit.name,
        )

    @admin.display(description=_("open today"), boolean=True)
    def is_open_today(self, unit):
        return unit.is_open_on(timezone.localdate())


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "successor", "kind", "effective_on"]
    list_filter = ["kind"]
    search_fields = ["predecessor__name", "predecessor__code", "successor__name", "successor__code", "note"]
    autocomplete_fields = ["predecessor", "successor"]
    list_select_related = ["predecessor", "successor"]
    date_hierarchy = "effective_on"


@admin.register(UnitPlacement)
class UnitPlacementAdmin(admin.ModelAdmin):
    """Former places in the tree; made by reorganisations, correctable here."""

    list_display = ["unit", "parent", "ends_on"]
    search_fields = ["unit__name", "unit__code", "parent__name", "parent__code"]
    autocomplete_fields = ["unit", "parent"]
    list_select_related = ["unit", "parent"]
    date_hierarchy = "ends_on"


@admin.register(Reorganisation)
class ReorganisationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit trail of reorganisations: read only."""

    list_display = ["applied_at", "user", "source", "filename", "changes"]
    list_select_related = ["user"]
    fields = ["applied_at", "user", "source", "filename", "changes", "summary"]
    readonly_fields = fields


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role"]
    list_filter = ["role", "unit__level"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email", "unit__name", "unit__code"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]


from units import admin_users  # noqa: E402, F401 - registers the user and group admins
