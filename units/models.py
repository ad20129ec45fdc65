from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from tree_queries.models import TreeNode
from tree_queries.query import TreeQuerySet

from tracker.text import NormalizedCharField


class UnitKind(models.TextChoices):
    PARTY_COMMITTEE = "party_committee", _("Party committee")
    PARTY_DELEGATION = "party_delegation", _("Party delegation")
    PARTY_PERSONNEL_COMMITTEE = "party_personnel_committee", _("Party personnel committee")
    ADVISORY_BODY = "advisory_body", _("Advisory body")
    PEOPLES_COUNCIL = "peoples_council", _("People's Council")
    COUNCIL_BOARD = "council_board", _("People's Council standing board or committee")
    DELEGATE_GROUP = "delegate_group", _("Delegate group")
    PEOPLES_COMMITTEE = "peoples_committee", _("People's Committee")
    FATHERLAND_FRONT = "fatherland_front", _("Fatherland Front")
    MASS_ORGANISATION = "mass_organisation", _("Mass organisation")
    DEPARTMENT = "department", _("Department or agency")
    PARTY_CELL = "party_cell", _("Party cell")
    OTHER = "other", _("Other")


class UnitLevel(models.IntegerChoices):
    PROVINCE = 1, _("Province")
    DISTRICT = 2, _("District")
    COMMUNE = 3, _("Commune")
    GRASSROOTS = 4, _("Grassroots")


# The units below some roots, by their parent links from the roots down: one
# query that reads only the subtree (the tree fields' query ranks every unit).
SUBTREE_SQL = (
    "WITH RECURSIVE subtree(id) AS ("
    " SELECT id FROM units_unit WHERE id IN ({roots})"
    " UNION SELECT child.id FROM units_unit child INNER JOIN subtree ON child.parent_id = subtree.id"
    ") SELECT id FROM subtree{exclude}"
)


def _subtree_sql(roots, include_self):
    roots = [int(getattr(root, "pk", root)) for root in roots]
    marks = ", ".join(["%s"] * len(roots))
    exclude = "" if include_self else f" WHERE id NOT IN ({marks})"
    return SUBTREE_SQL.format(roots=marks, exclude=exclude), roots + ([] if include_self else roots)


class UnitQuerySet(TreeQuerySet):
    def subtree_ids(self, roots, *, include_self=True):
        """Pks of the units below ``roots`` (units or pks; a single one is
        taken as a list of one), and of the roots themselves unless
        ``include_self`` is False. One query that reads the subtree only."""
        roots = [roots] if isinstance(roots, int | models.Model) else list(roots)
        if not roots:
            return set()
        sql, params = _subtree_sql(roots, include_self)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return {row[0] for row in cursor.fetchall()}

    def in_subtree(self, roots, *, include_self=True):
        """These units, restricted to the subtree of ``roots`` (as a subquery)."""
        roots = [roots] if isinstance(roots, int | models.Model) else list(roots)
        if not roots:
            return self.none()
        return self.filter(pk__in=RawSQL(*_subtree_sql(roots, include_self)))  # noqa: S611 - ids only, as parameters

    def open_on(self, day):
        """Units that exist on ``day`` (validity dates are inclusive)."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )

    def open_during(self, start, end):
        """Units open on at least one day between ``start`` and ``end``."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=end),
            Q(valid_to__isnull=True) | Q(valid_to__gte=start),
        )


def _choice_label(choices, value):
    """The label of ``value`` among ``choices``; otherwise the value, as
    Django's own ``get_FOO_display`` gives it (None stays None)."""
    try:
        return choices(value).label
    except ValueError:
        return force_str(value, strings_only=True)


class Unit(TreeNode):
    """A responsible body. Units are never deleted once they have reports:
    they are closed (``valid_to``) and linked to their successors."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = NormalizedCharField(_("name"), max_length=255)
    short_name = NormalizedCharField(_("short name"), max_length=80, blank=True)
    kind = NormalizedCharField(_("kind"), max_length=32, choices=UnitKind.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=UnitLevel.choices)
    valid_from = models.DateField(_("open from"), null=True, blank=True)
    valid_to = models.DateField(_("open until"), null=True, blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    requires_signoff = models.BooleanField(
        _("reports need the head's sign-off"),
        default=True,
        help_text=_("When off, reporters send reports to the provincial office themselves."),
    )
    heads_read_descendants = models.BooleanField(
        _("heads read subordinate units' reports"),
        default=False,
        help_text=_("The unit's heads may read the reports of every unit below it."),
    )
    is_sample = models.BooleanField(
        _("sample data"), default=False, help_text=_("Generated for demonstration, not a real body.")
    )
    successors = models.ManyToManyField(
        "self",
        through="UnitSuccession",
        symmetrical=False,
        related_name="predecessors",
        blank=True,
        verbose_name=_("successors"),
    )

    objects = UnitQuerySet.as_manager(with_tree_fields=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["level", "name"]
        # The late list walks units by name, a page at a time (dashboard/late.py).
        indexes = [models.Index(fields=["name", "id"], name="unit_name_id")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="unit_valid_to_after_valid_from",
                violation_error_message=_("The closing date must be after the opening date."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def display_name(self):
        return self.short_name or self.name

    # Django's own get_FOO_display hashes every choice's translated label on each
    # call: a province's task page (300 units) spent a quarter of its time there.
    def get_kind_display(self):
        return _choice_label(UnitKind, self.kind)

    def get_level_display(self):
        return _choice_label(UnitLevel, self.level)

    def is_open_on(self, day):
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or self.valid_to >= day)

    def is_open_during(self, start, end):
        """Whether the unit was open on at least one day from ``start`` to ``end``
        (the per-object twin of ``UnitQuerySet.open_during``)."""
        return (self.valid_from is None or self.valid_from <= end) and (self.valid_to is None or self.valid_to >= start)

    def overlaps(self, other):
        """Whether the two units were ever open on the same day."""
        return (self.valid_to is None or other.valid_from is None or self.valid_to >= other.valid_from) and (
            other.valid_to is None or self.valid_from is None or other.valid_to >= self.valid_from
        )

    def closed_before(self, day):
        """Whether the unit had closed before ``day``."""
        return self.valid_to is not None and self.valid_to < day

    def scope_root(self):
        """The Party committee whose area this unit works in: itself when it is a
        Party committee, otherwise its nearest Party committee ancestor."""
        if self.kind == UnitKind.PARTY_COMMITTEE:
            return self
        committees = self.ancestors().filter(kind=UnitKind.PARTY_COMMITTEE)
        # ancestors() is ordered root first; the nearest committee is the last one.
        found = list(committees)
        return found[-1] if found else self


def scope_roots():
    """Maps every unit id to its ``Unit.scope_root()`` id, from one query over
    the whole table (the tree is a few levels deep)."""
    rows = {
        pk: (parent, kind)
        for pk, parent, kind in Unit.objects.without_tree_fields().values_list("pk", "parent", "kind")
    }
    nearest = {}

    def committee_of(pk):
        if pk not in nearest:
            parent, kind = rows[pk]
            if kind == UnitKind.PARTY_COMMITTEE:
                nearest[pk] = pk
            else:
                nearest[pk] = committee_of(parent) if parent is not None else None
        return nearest[pk]

    return {pk: committee_of(pk) or pk for pk in rows}


class UnitPlacement(models.Model):
    """Where a unit stood before it moved: under ``parent`` until ``ends_on``
    (inclusive). ``Unit.parent`` is where it stands after its latest move, so
    the current tree stays one recursive query; a report of a past period
    rolls up where its unit stood then (``units.placement``)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="placements", verbose_name=_("unit"))
    parent = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("parent")
    )
    ends_on = models.DateField(_("until"))

    class Meta:
        verbose_name = _("former place in the tree")
        verbose_name_plural = _("former places in the tree")
        ordering = ["unit", "ends_on"]
        constraints = [models.UniqueConstraint(fields=["unit", "ends_on"], name="unique_unit_placement_end")]

    def __str__(self):
        return f"{self.unit} ← {self.parent or '—'} ({self.ends_on})"


class Reorganisation(models.Model):
    """One reorganisation applied (from the sheet or the closing page): who,
    from which file, and what it did. The audit trail of reorganisations."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("applied by")
    )
    source = NormalizedCharField(_("source"), max_length=40, blank=True)
    filename = NormalizedCharField(_("file name"), max_length=255, blank=True)
    changes = models.PositiveIntegerField(_("changes"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reorganisation")
        verbose_name_plural = _("reorganisations")
        ordering = ["-applied_at"]

    def __str__(self):
        return f"{self.filename or self.source} · {self.applied_at:%d/%m/%Y %H:%M}"


class SuccessionKind(models.TextChoices):
    MERGE = "merge", _("Merged into")
    SPLIT = "split", _("Split into")
    RENAME = "rename", _("Renamed to")
    TRANSFER = "transfer", _("Duties transferred to")


class UnitSuccession(models.Model):
    """Links a closed unit to the unit(s) that took over its duties, so that
    reports filed before the change roll up under the successor."""

    predecessor = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="succession_to", verbose_name=_("predecessor")
    )
    successor = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="succession_from", verbose_name=_("successor")
    )
    kind = NormalizedCharField(_("kind of change"), max_length=16, choices=SuccessionKind.choices)
    effective_on = models.DateField(_("effective on"))
    note = NormalizedCharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("unit succession")
        verbose_name_plural = _("unit successions")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="unique_unit_succession"),
            models.CheckConstraint(condition=~Q(predecessor=F("successor")), name="unit_succession_not_self"),
        ]

    def __str__(self):
        return f"{self.predecessor} → {self.successor}"

    def clean(self):
        if self.predecessor_id and self.predecessor_id == self.successor_id:
            raise ValidationError(_("A unit cannot succeed itself."))


class MembershipRole(models.TextChoices):
    REPORTER = "reporter", _("Reporter")
    HEAD = "head", _("Unit head")
    VIEWER = "viewer", _("Viewer")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("unit"))
    role = NormalizedCharField(_("role"), max_length=16, choices=MembershipRole.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["unit__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_membership"),
        ]

    def __str__(self):
        return f"{self.user} · {self.unit} · {self.get_role_display()}"

    def clean(self):
        if self.unit_id and unit_changed(self, Membership) and self.unit.closed_before(timezone.localdate()):
            raise ValidationError({"unit": closed_unit_message(self.unit)})


def unit_changed(obj, model):
    """Whether ``obj`` is new or now names another unit than the one saved."""
    if obj.pk is None:
        return True
    return not model.objects.filter(pk=obj.pk, unit_id=obj.unit_id).exists()


def closed_unit_message(unit):
    return _("%(unit)s closed on %(day)s: choose an open unit (or its successor).") % {
        "unit": unit,
        "day": date_format(unit.valid_to, "SHORT_DATE_FORMAT"),
    }
