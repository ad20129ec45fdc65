"""The follow-up items sheet as a django-import-export resource: one row per
item, its source document named by kind, number, date and issuing body's code
(the document is created with its first item), the item by the document and
its number in it, so importing the same file twice changes nothing and an
edited file changes only what was edited. Units are named by their codes, as
in the organisation workbook. Column names are the sheet's Vietnamese headers."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from followups.models import CLOSED_STATUSES, AddresseeRole, FollowUpAddressee, FollowUpItem, SourceDocument, SourceKind
from onboarding.resources import TaskWidget
from onboarding.widgets import ChoiceWidget, CodeWidget, DateWidget, TextWidget
from units.models import Unit

KIND = "Loại nguồn"
NUMBER = "Số văn bản"
ISSUED_ON = "Ngày ban hành"
ISSUER = "Mã cơ quan ban hành"
TITLE = "Trích yếu"
ITEM_NUMBER = "Số thứ tự"
TEXT = "Nội dung"
LEAD = "Mã đơn vị chủ trì"
COORDINATING = "Mã đơn vị phối hợp"
DEADLINE = "Hạn giải quyết"
VERIFIER = "Mã cơ quan theo dõi, xác nhận"
NO_UNIT = gettext_lazy("There is no unit with the code “%(value)s”.")


class CellError(ValueError):
    """A cell's error raised while the row's key is looked up, with its column."""

    def __init__(self, column, message):
        super().__init__(message)
        self.column = column


class DocumentWidget(CodeWidget):
    """The source document of a row: found by its kind, number, date and
    issuing body, or created (inside the import's transaction) when new."""

    def __init__(self):
        super().__init__(SourceDocument, "number", "")

    def clean(self, value, row=None, **kwargs):
        number = TextWidget().clean(value)
        values = {}
        for column, widget in (
            (KIND, KindWidget()),
            (ISSUED_ON, DateWidget()),
            (ISSUER, CodeWidget(Unit, "code", NO_UNIT)),
        ):
            try:
                values[column] = widget.clean(row.get(column))
            except ValueError as error:
                raise CellError(column, str(error)) from None
        kind, issued_on, issuer = values[KIND], values[ISSUED_ON], values[ISSUER]
        missing = [name for name, given in ((KIND, kind), (NUMBER, number), (ISSUED_ON, issued_on), (ISSUER, issuer))
                   if not given]  # fmt: skip
        if missing:
            raise CellError(missing[0], _("Write the source document's %(columns)s.") % {"columns": ", ".join(missing)})
        document, created = SourceDocument.objects.get_or_create(
            kind=kind, number=number, issued_on=issued_on, issuing_unit=issuer,
            defaults={"title": TextWidget().clean(row.get(TITLE))},
        )  # fmt: skip
        return document

    def render(self, value, obj=None, **kwargs):
        return value.number if value else ""


class KindWidget(ChoiceWidget):
    """A source kind by its label, its short Vietnamese name or its code."""

    SHORT = {
        "ý kiến chỉ đạo": SourceKind.DIRECTION,
        "chỉ đạo": SourceKind.DIRECTION,
        "kết luận kiểm tra, giám sát": SourceKind.INSPECTION,
        "kết luận kiểm tra": SourceKind.INSPECTION,
        "kết luận giám sát": SourceKind.INSPECTION,
        "kiến nghị giám sát": SourceKind.SUPERVISION,
        "kiến nghị cử tri": SourceKind.PETITION,
    }

    def __init__(self):
        super().__init__(SourceKind)

    def _lookup(self):
        return {**super()._lookup(), **self.SHORT}

    def render(self, value, obj=None, **kwargs):
        short = {kind: name for name, kind in reversed(self.SHORT.items())}
        name = short.get(value, "") if value else ""
        return name[:1].upper() + name[1:]


class OptionalTaskWidget(TaskWidget):
    """The directive task, when the row names one."""

    def clean(self, value, row=None, **kwargs):
        if not TextWidget().clean(value) and not TextWidget().clean(row.get(self.DIRECTIVE)):
            return None
        return super().clean(value, row, **kwargs)


def _codes(value):
    text = TextWidget().clean(value)
    return [code.strip() for code in text.replace(";", ",").split(",") if code.strip()]


class ItemResource(resources.ModelResource):
    kind = fields.Field(column_name=KIND, readonly=True)
    document = fields.Field(attribute="document", column_name=NUMBER, widget=DocumentWidget())
    issued_on = fields.Field(column_name=ISSUED_ON, readonly=True)
    issuer = fields.Field(column_name=ISSUER, readonly=True)
    title = fields.Field(column_name=TITLE, readonly=True)
    number = fields.Field(attribute="number", column_name=ITEM_NUMBER, widget=TextWidget())
    text = fields.Field(attribute="text", column_name=TEXT, widget=TextWidget())
    directive = fields.Field(column_name=TaskWidget.DIRECTIVE, readonly=True)
    task = fields.Field(attribute="task", column_name="Nhiệm vụ số", widget=OptionalTaskWidget())
    lead = fields.Field(column_name=LEAD, readonly=True)
    coordinating = fields.Field(column_name=COORDINATING, readonly=True)
    deadline = fields.Field(attribute="deadline", column_name=DEADLINE, widget=DateWidget())
    verifying_unit = fields.Field(
        attribute="verifying_unit", column_name=VERIFIER, widget=CodeWidget(Unit, "code", NO_UNIT)
    )

    class Meta:
        model = FollowUpItem
        import_id_fields = ["document", "number"]
        fields = ["kind", "document", "issued_on", "issuer", "title", "number", "text", "directive", "task", "lead",
                  "coordinating", "deadline", "verifying_unit"]  # fmt: skip
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        store_instance = True

    def __init__(self, *, user=None):
        super().__init__()
        self.user = user
        self.created = []  # ids of the items the import created

    def get_queryset(self):
        return FollowUpItem.objects.select_related("document__issuing_unit", "verifying_unit", "task__directive")

    # --- the addressed units --------------------------------------------------------------------

    def _addressees(self, row):
        """(lead unit, [co-ordinating units]) named in ``row``; ValueError with the column."""
        lead_codes = _codes(row.get(LEAD))
        if len(lead_codes) != 1:
            raise ValueError((LEAD, _("Write the code of exactly one lead unit.")))
        units = Unit.objects.without_tree_fields().in_bulk(lead_codes + _codes(row.get(COORDINATING)),
                                                           field_name="code")  # fmt: skip
        for column, codes in ((LEAD, lead_codes), (COORDINATING, _codes(row.get(COORDINATING)))):
            for code in codes:
                if code not in units:
                    raise ValueError((column, str(NO_UNIT) % {"value": code}))
        lead = units[lead_codes[0]]
        others = [units[code] for code in dict.fromkeys(_codes(row.get(COORDINATING))) if code != lead.code]
        return lead, others

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            instance._lead, instance._coordinating = self._addressees(row)
        except ValueError as error:
            column, message = error.args[0]
            errors.setdefault(column, []).append(ValidationError(message))
        if instance.deadline:
            from followups.services import item_due_on

            instance.due_on = item_due_on(instance.deadline)
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if not instance.number:
            errors["number"] = ValidationError(_("Write the item's number in its source document."))
        if instance.pk and instance.status in CLOSED_STATUSES:
            errors[NON_FIELD_ERRORS] = ValidationError(_("This item is closed; an import cannot change it."))
        super().validate_instance(instance, errors, validate_unique)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if original is not None and original.pk and hasattr(instance, "_lead"):
            current = dict(FollowUpAddressee.objects.filter(item=original).values_list("unit_id", "role"))
            wanted = {instance._lead.pk: AddresseeRole.LEAD}
            wanted.update((unit.pk, AddresseeRole.COORDINATING) for unit in instance._coordinating)
            if current != wanted:
                instance._addressees_changed = True
                return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def before_save_instance(self, instance, row, **kwargs):
        instance._is_new = instance.pk is None
        if instance._is_new:
            instance.created_by = self.user
        else:
            instance.version += 1
        instance._history_user = self.user

    def after_save_instance(self, instance, row, **kwargs):
        FollowUpAddressee.objects.filter(item=instance).delete()
        FollowUpAddressee.objects.bulk_create(
            [FollowUpAddressee(item=instance, unit=instance._lead, role=AddresseeRole.LEAD)]
            + [
                FollowUpAddressee(item=instance, unit=unit, role=AddresseeRole.COORDINATING)
                for unit in instance._coordinating
            ]  # fmt: skip
        )
        if instance._is_new:
            self.created.append(instance.pk)

    # --- export ---------------------------------------------------------------------------------

    def dehydrate_kind(self, item):
        return KindWidget().render(item.document.kind)

    def dehydrate_issued_on(self, item):
        return DateWidget().render(item.document.issued_on)

    def dehydrate_issuer(self, item):
        return item.document.issuing_unit.code

    def dehydrate_title(self, item):
        return item.document.title

    def dehydrate_directive(self, item):
        if item.task is None:
            return ""
        return item.task.directive.number or item.task.directive.code

    def dehydrate_lead(self, item):
        return ", ".join(a.unit.code for a in item.addressees.all() if a.role == AddresseeRole.LEAD)

    def dehydrate_coordinating(self, item):
        return ", ".join(a.unit.code for a in item.addressees.all() if a.role == AddresseeRole.COORDINATING)
