"""What an import of the organisation workbook would do, worked out a whole
sheet at a time: every natural key in the database is read once, every row is
checked with dictionary and set lookups (no query per row), and the result is
written with bulk inserts and updates.

The cells are read by the resources' django-import-export widgets
(``onboarding.resources``), so a cell means the same here as in the export;
the model's own field validation (``clean_fields``) gives the messages for
lengths, codes and e-mail addresses. What the models check with a query per
row (a cycle in the tree, one lead per task in an area, a username taken in
another case, the unit's closing date after its opening) is checked here over
the whole sheet, with the same messages.
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from directives.models import Directive, Task
from onboarding.resources import (
    AssignmentResource,
    MembershipResource,
    TaskWidget,
    UnitResource,
    UserResource,
)
from reports.models import Assignment, AssignmentRole, ReportingSchedule
from tracker.text import normalize_text_fields
from units.models import Membership, Unit, UnitKind

User = get_user_model()
BATCH = 1000  # rows per INSERT / UPDATE statement


@dataclass
class RowReport:
    number: int  # the spreadsheet's row number
    status: str  # new, changed, unchanged, error
    key: str  # the row's natural key as written
    changed: list = field(default_factory=list)  # column names
    errors: list = field(default_factory=list)  # (column, message)


@dataclass
class Planned:
    """A row that would be written: its report line, the model instance (new,
    or the stored one with the workbook's values) and the model fields it
    changes; ``refs`` holds the natural keys of related rows that may be new
    (resolved to ids when written)."""

    report: RowReport
    instance: object
    fields: list
    refs: dict = field(default_factory=dict)


def _text(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _messages(error):
    if hasattr(error, "error_dict"):
        for name, items in error.error_dict.items():
            for item in items:
                yield name, " ".join(item.messages)
    else:
        for message in error.messages:
            yield NON_FIELD_ERRORS, message


class Plan:
    """One import: the stored organisation read once, the sheets checked in
    order (each may refer to the rows of the sheets before), then written."""

    def __init__(self, *, today=None, progress=None, total=0):
        self.today = today or timezone.localdate()
        self.progress, self.total, self.done = progress, max(1, total), 0
        self.rows = {}  # sheet key -> [Planned or None (rows in error)]
        # The tree as it will be: code -> [parent code, kind, valid_from, valid_to, name].
        self.tree = {
            code: [self.unit_codes.get(parent), kind, start, end, name]
            for code, (_pk, parent, kind, start, end, name) in self.unit_rows.items()
        }
        self.sheet_users = set()  # usernames named on the Người dùng sheet

    # --- what is stored, read once ---------------------------------------------------------------

    @cached_property
    def unit_rows(self):
        rows = (
            Unit.objects.without_tree_fields()
            .order_by()
            .values_list("code", "pk", "parent_id", "kind", "valid_from", "valid_to", "name")
        )
        return {code: rest for code, *rest in rows}

    @cached_property
    def unit_codes(self):
        return {pk: code for code, (pk, *_rest) in self.unit_rows.items()}

    @cached_property
    def users(self):
        return {user.username: user for user in User.objects.order_by()}

    @cached_property
    def folded_usernames(self):
        return {name.casefold(): name for name in self.users}

    # --- reading cells -------------------------------------------------------------------------

    @staticmethod
    def _fields(resource):
        """The resource's import fields and {attribute: column}, worked out once a sheet."""
        if not hasattr(resource, "_plan_fields"):
            fields = resource.get_import_fields()
            resource._plan_fields = (fields, {f.attribute: f.column_name for f in fields if f.attribute})
        return resource._plan_fields

    def _clean(self, resource, values, skip=()):
        """The row's cells through the resource's widgets: {attribute: value}
        and the cells in error as (column, message)."""
        cleaned, errors = {}, []
        for resource_field in self._fields(resource)[0]:
            name = resource_field.attribute
            if not name or resource_field.readonly or name in skip:
                continue
            try:
                cleaned[name] = resource_field.clean(values)
            except ValueError as error:
                errors.append((resource_field.column_name, str(error)))
        return cleaned, errors

    def _validate(self, instance, resource, errors, exclude):
        """The model's own field checks (lengths, choices, codes, e-mail) for the
        fields not already in error."""
        columns = self._fields(resource)[1]
        in_error = {column for column, _m in errors}
        names = [name for name, column in columns.items() if column in in_error] if in_error else []
        try:
            instance.clean_fields(exclude=[*exclude, *names])
        except ValidationError as error:
            errors += [(columns.get(name), message) for name, message in _messages(error)]

    def _code(self, text, widget, column, errors, known):
        """A unit (or other row) named by its code: the code if it is known."""
        if not text:
            return ""
        if text not in known:
            errors.append((column, widget.message % {"value": text}))
            return ""
        return text

    def _rows(self, sheet):
        headers = sheet.dataset.headers
        for number, row in zip(sheet.row_numbers, sheet.dataset, strict=True):
            yield number, dict(zip(headers, row, strict=True))
            self.done += 1
            if self.progress and not self.done % 1000:
                self.progress(self.done / self.total)

    @staticmethod
    def _duplicate(seen, key, number, column, errors):
        if key in seen:
            errors.append((column, _("The same row as row %(row)s of this sheet.") % {"row": seen[key]}))
            return True
        seen[key] = number
        return False

    @staticmethod
    def _status(report, errors, existing, changed):
        report.errors = errors
        report.status = "error" if errors else "new" if existing is None else "changed" if changed else "unchanged"
        if report.status == "changed":
            report.changed = changed

    def _closed(self, code):
        end = self.tree[code][3] if code in self.tree else None
        return end is not None and end < self.today

    def _closed_error(self, code, column, errors):
        if code and self._closed(code):
            errors.append(
                (
                    column,
                    _("The unit “%(code)s” closed on %(date)s: it takes no new memberships or assignments.")
                    % {"code": code, "date": self.tree[code][3].strftime("%d/%m/%Y")},
                )
            )

    # --- Đơn vị ----------------------------------------------------------------------------------

    def units(self, sheet):
        resource = UnitResource()
        columns = {f.attribute: f.column_name for f in resource.get_import_fields()}
        parent_widget = resource.fields["parent"].widget
        attributes = [name for name in columns if name != "parent"]
        in_sheet = {_text(row[sheet.dataset.headers.index(columns["code"])]) for row in sheet.dataset}
        known = set(self.unit_rows) | in_sheet
        seen, planned = {}, []
        for number, values in self._rows(sheet):
            code = _text(values[columns["code"]])
            report = RowReport(number, "", code)
            cleaned, errors = self._clean(resource, values, skip={"parent"})
            parent = self._code(_text(values[columns["parent"]]), parent_widget, columns["parent"], errors, known)
            duplicate = self._duplicate(seen, code, number, columns["code"], errors)
            stored = self.unit_rows.get(code)
            instance = self.stored_units.get(code) if stored else Unit()
            before = None
            if stored:
                before = {name: getattr(instance, name) for name in attributes}
                before["parent"] = self.unit_codes.get(instance.parent_id)
            for name, value in cleaned.items():
                setattr(instance, name, value)
            self._validate(instance, resource, errors, exclude=["id", "parent"])
            start, end = instance.valid_from, instance.valid_to
            if start and end and end <= start:
                errors.append((None, Unit._meta.constraints[0].get_violation_error_message()))
            changed = []
            if before is not None:
                after = {name: getattr(instance, name) for name in attributes} | {"parent": parent or None}
                changed = [name for name in columns if before[name] != after[name]]
            if not duplicate and code:
                self.tree[code] = [parent or None, instance.kind, start, end, instance.name]
            row = Planned(report, instance, changed, {"parent": parent or None})
            planned.append((row, errors, before, changed, duplicate))
        for row, errors, before, changed, duplicate in planned:
            code = row.report.key
            if code and not duplicate and not any(column == columns["parent"] for column, _m in errors):
                cycle = self._cycle(code)
                if cycle:
                    errors.append(
                        (columns["parent"], _("The parent makes a cycle in the tree: %(code)s.") % {"code": cycle})
                    )
            self._status(row.report, errors, before, [columns[name] for name in changed])
        self.rows["units"] = [row for row, *_rest in planned]
        return [row.report for row in self.rows["units"]]

    @cached_property
    def stored_units(self):
        return {unit.code: unit for unit in Unit.objects.without_tree_fields().order_by()}

    def _cycle(self, code):
        seen, current = {code}, self.tree[code][0]
        while current is not None:
            if current in seen:
                return current
            seen.add(current)
            current = self.tree[current][0] if current in self.tree else None
        return None

    # --- Người dùng ------------------------------------------------------------------------------

    def users_sheet(self, sheet):
        resource = UserResource()
        columns = {f.attribute: f.column_name for f in resource.get_import_fields()}
        seen, folded, rows = {}, dict(self.folded_usernames), []
        for number, values in self._rows(sheet):
            username = _text(values[columns["username"]])
            report = RowReport(number, "", username)
            cleaned, errors = self._clean(resource, values)
            duplicate = self._duplicate(seen, username, number, columns["username"], errors)
            stored = self.users.get(username)
            instance = stored or User()
            before = {name: getattr(stored, name) for name in columns} if stored else None
            for name, value in cleaned.items():
                setattr(instance, name, value)
            if stored is None:
                # Nobody is told a password: new users set theirs from an e-mail.
                instance.set_unusable_password()
            owner = folded.get(username.casefold())
            if username and owner is not None and owner != username:
                errors.append(
                    (
                        columns["username"],
                        _("The username “%(username)s” is taken (letters in another case).") % {"username": username},
                    )
                )
            elif username and not duplicate:
                folded[username.casefold()] = username
            if instance.email and not any(column == columns["email"] for column, _m in errors):
                try:
                    validate_email(instance.email)
                except ValidationError:
                    errors.append(
                        (columns["email"], _("“%(value)s” is not an e-mail address.") % {"value": instance.email})
                    )
            self._validate(instance, resource, errors, exclude=["password"])
            instance.clean()  # the username and the e-mail's domain normalised, as a form would
            normalize_text_fields(User, instance)
            changed = [name for name in columns if before is not None and before[name] != getattr(instance, name)]
            self._status(report, errors, before, [columns[name] for name in changed])
            if username:
                self.sheet_users.add(username)
            rows.append(Planned(report, instance, changed))
        self.rows["users"] = rows
        return [row.report for row in rows]

    # --- Thành viên ------------------------------------------------------------------------------

    def memberships(self, sheet):
        resource = MembershipResource()
        columns = {f.attribute: f.column_name for f in resource.get_import_fields()}
        stored = set(
            Membership.objects.order_by().values_list("user__username", "unit__code", "role").iterator(chunk_size=5000)
        )
        users = set(self.users) | self.sheet_users
        seen, rows = {}, []
        for number, values in self._rows(sheet):
            username, code = _text(values[columns["user"]]), _text(values[columns["unit"]])
            report = RowReport(number, "", " · ".join(_text(values[columns[n]]) for n in ("user", "unit", "role")))
            cleaned, errors = self._clean(resource, values, skip={"user", "unit"})
            username = self._code(username, resource.fields["user"].widget, columns["user"], errors, users)
            code = self._code(code, resource.fields["unit"].widget, columns["unit"], errors, self.tree)
            role = cleaned.get("role")
            key = (username, code, role)
            self._duplicate(seen, key, number, columns["user"], errors)
            existing = key if key in stored else None
            if existing is None:
                self._closed_error(code, columns["unit"], errors)
            instance = Membership(role=role)
            self._validate(instance, resource, errors, exclude=["id", "user", "unit"])
            self._status(report, errors, existing, [])
            rows.append(Planned(report, instance, [], {"user": username, "unit": code}))
        self.rows["memberships"] = rows
        return [row.report for row in rows]

    # --- Phân công -------------------------------------------------------------------------------

    @cached_property
    def directives(self):
        found = {}
        for directive in Directive.objects.order_by("-pk"):
            for key in (directive.code, directive.number):
                if key:
                    found[key] = directive
        return found

    def _task(self, values, errors, column, tasks):
        directive_key = _text(values.get(TaskWidget.DIRECTIVE))
        number = _text(values.get(column))
        directive = self.directives.get(directive_key) if directive_key else None
        if directive is None:
            errors.append((column, _("There is no directive numbered “%(value)s”.") % {"value": directive_key}))
            return None
        task = tasks.get((directive.pk, int(number))) if number.isdigit() else None
        if task is None:
            errors.append(
                (
                    column,
                    _("The directive “%(directive)s” has no task %(number)s.")
                    % {"directive": directive_key, "number": number},
                )
            )
        return task

    def assignments(self, sheet):
        resource = AssignmentResource()
        columns = {f.attribute: f.column_name for f in resource.get_import_fields() if f.attribute}
        related = {"task", "unit", "reviewing_unit", "schedule"}
        attributes = [name for name in columns if name not in related]
        tasks = {(task.directive_id, task.number): task for task in Task.objects.order_by()}
        schedules = {schedule.code: schedule for schedule in ReportingSchedule.objects.order_by()}
        stored = {
            (assignment.task_id, self.unit_codes.get(assignment.unit_id)): assignment
            for assignment in Assignment.objects.order_by().iterator(chunk_size=5000)
        }
        seen, rows, leads, on_sheet = {}, [], {}, set()
        for number, values in self._rows(sheet):
            report = RowReport(
                number,
                "",
                " · ".join(_text(values[c]) for c in (TaskWidget.DIRECTIVE, columns["task"], columns["unit"])),
            )
            cleaned, errors = self._clean(resource, values, skip=related)
            task = self._task(values, errors, columns["task"], tasks)
            code = self._code(
                _text(values[columns["unit"]]), resource.fields["unit"].widget, columns["unit"], errors, self.tree
            )
            reviewing = self._code(
                _text(values[columns["reviewing_unit"]]),
                resource.fields["reviewing_unit"].widget,
                columns["reviewing_unit"],
                errors,
                self.tree,
            )
            schedule = self._schedule(values, resource, columns, schedules, errors)
            key = (task.pk if task else None, code)
            duplicate = task is not None and code and self._duplicate(seen, key, number, columns["task"], errors)
            existing = stored.get(key) if task is not None and code else None
            instance = existing or Assignment()
            before = None
            if existing:
                before = {name: getattr(existing, name) for name in attributes}
                before["reviewing_unit"] = self.unit_codes.get(existing.reviewing_unit_id)
                before["schedule"] = existing.schedule_id
            for name, value in cleaned.items():
                setattr(instance, name, value)
            if task is not None:
                instance.task = task
            if schedule is not None:
                instance.schedule = schedule
            self._validate(instance, resource, errors, exclude=["id", *related, "created_at", "updated_at"])
            if existing is None:
                self._closed_error(code, columns["unit"], errors)
            changed = []
            if before is not None:
                after = {name: getattr(instance, name) for name in attributes}
                after |= {"reviewing_unit": reviewing or None, "schedule": instance.schedule_id}
                changed = [name for name in before if before[name] != after[name]]
                if "reviewing_unit" in changed:
                    self._closed_error(reviewing, columns["reviewing_unit"], errors)
            elif reviewing:
                self._closed_error(reviewing, columns["reviewing_unit"], errors)
            if task is not None and code and not duplicate:
                on_sheet.add(key)
                if instance.role == AssignmentRole.LEAD:
                    leads.setdefault(task.pk, []).append((code, errors, columns["role"]))
            self._status(report, errors, before, [columns[name] for name in changed])
            rows.append(Planned(report, instance, changed, {"unit": code, "reviewing_unit": reviewing or None}))
        self._leads(leads, stored, on_sheet)
        for row in rows:  # a lead found in conflict turns its row into an error
            if row.report.errors:
                row.report.status, row.report.changed = "error", []
        self.rows["assignments"] = rows
        return [row.report for row in rows]

    def _schedule(self, values, resource, columns, schedules, errors):
        text = _text(values[columns["schedule"]])
        if not text:
            return None
        schedule = schedules.get(text)
        if schedule is None:
            errors.append((columns["schedule"], resource.fields["schedule"].widget.message % {"value": text}))
        return schedule

    def _scope(self, code, memo):
        """The code of the unit's Party committee: itself when it is one, else
        its nearest committee above it, else itself (``Unit.scope_root``)."""
        if code not in memo:
            seen, current, found = set(), code, None
            while current is not None and current in self.tree and current not in seen:
                seen.add(current)
                if self.tree[current][1] == UnitKind.PARTY_COMMITTEE:
                    found = current
                    break
                current = self.tree[current][0]
            memo[code] = found or code
        return memo[code]

    def _overlap(self, one, other):
        _p, _k, start, end, _n = self.tree[one]
        _p, _k, other_start, other_end, _n = self.tree[other]
        return (end is None or other_start is None or end >= other_start) and (
            other_end is None or start is None or other_end >= start
        )

    def _leads(self, leads, stored, on_sheet):
        """One lead per task in an area (``Assignment.clean``): a row leading a
        task is in error when a stored lead not on the sheet, or a row above it,
        already leads the task in the same area while both units are open."""
        memo, message = {}, _("%(unit)s already leads this task in the same area.")
        others = {}
        for (task_pk, code), assignment in stored.items():
            if (
                task_pk in leads
                and assignment.role == AssignmentRole.LEAD
                and code in self.tree
                and (task_pk, code) not in on_sheet  # the sheet says what it becomes
            ):
                others.setdefault(task_pk, {}).setdefault(self._scope(code, memo), []).append(code)
        for task_pk, rows in leads.items():
            areas = {area: list(codes) for area, codes in others.get(task_pk, {}).items()}
            for code, errors, column in rows:
                area = areas.setdefault(self._scope(code, memo), [])
                clash = next((other for other in area if self._overlap(code, other)), None)
                if clash is not None:
                    errors.append((column, message % {"unit": self.tree[clash][4]}))
                area.append(code)

    # --- writing ---------------------------------------------------------------------------------

    def write(self, *, user=None, reason="", progress=None):
        """Everything the sheets would change, in bulk (the caller holds the
        transaction). Returns the ids of the users created."""
        from simple_history.utils import bulk_create_with_history, bulk_update_with_history

        step = progress or (lambda fraction: None)
        ids = {code: pk for code, (pk, *_rest) in self.unit_rows.items()}
        units = self.rows.get("units", [])
        new = [row for row in units if row.report.status == "new"]
        waiting = {row.report.key for row in new}
        while new:  # parents before their children
            ready = [row for row in new if row.refs["parent"] not in waiting]
            if not ready:
                raise ValueError("a cycle among new units reached the writing")  # refused by the check before
            for row in ready:
                row.instance.parent_id = ids.get(row.refs["parent"])
            Unit.objects.bulk_create([row.instance for row in ready], batch_size=BATCH)
            for row in ready:
                ids[row.report.key] = row.instance.pk
                waiting.discard(row.report.key)
            new = [row for row in new if row.report.key in waiting]
        changed = [row for row in units if row.report.status == "changed"]
        for row in changed:
            row.instance.parent_id = ids.get(row.refs["parent"])
        self._update(Unit, changed)
        step(0.25)

        users = self.rows.get("users", [])
        created = [row.instance for row in users if row.report.status == "new"]
        User.objects.bulk_create(created, batch_size=BATCH)
        self._update(User, [row for row in users if row.report.status == "changed"])
        user_ids = {name: user.pk for name, user in self.users.items()} | {user.username: user.pk for user in created}
        step(0.5)

        memberships = [row for row in self.rows.get("memberships", []) if row.report.status == "new"]
        for row in memberships:
            row.instance.user_id, row.instance.unit_id = user_ids[row.refs["user"]], ids[row.refs["unit"]]
        Membership.objects.bulk_create([row.instance for row in memberships], batch_size=BATCH)
        step(0.6)

        assignments = self.rows.get("assignments", [])
        for row in assignments:
            row.instance.unit_id = ids.get(row.refs["unit"])
            row.instance.reviewing_unit_id = ids.get(row.refs["reviewing_unit"])
        history = {"default_user": user, "default_change_reason": reason, "batch_size": BATCH}
        added = [row.instance for row in assignments if row.report.status == "new"]
        if added:
            bulk_create_with_history(added, Assignment, **history)
        changed = [row for row in assignments if row.report.status == "changed"]
        if changed:
            now = timezone.now()
            for row in changed:
                row.instance.updated_at = now
            names = sorted({name for row in changed for name in row.fields} | {"updated_at"})
            bulk_update_with_history([row.instance for row in changed], Assignment, names, **history)
        step(1.0)
        if any(row.report.status in ("new", "changed") for row in [*units, *assignments]):
            from dashboard.tallies import tallies_mark_stale

            tallies_mark_stale()  # bulk writes send no post_save: the dashboard's tallies are rebuilt
        return [user.pk for user in created]

    @staticmethod
    def _update(model, rows):
        if rows:
            names = sorted({name for row in rows for name in row.fields})
            model.objects.bulk_update([row.instance for row in rows], names, batch_size=BATCH // 2)
