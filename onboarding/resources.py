"""One django-import-export resource per sheet of the organisation workbook.

Rows match on natural keys (a unit's code; a user's username; a membership's
username, unit code and role; an assignment's directive, task number and unit
code), so importing the same file twice changes nothing and an edited file
changes only what was edited. The resources define the columns and their
widgets, for the export and for reading the cells of an import; the rows are
checked and written a whole sheet at a time by ``onboarding.plan``, where the
rules of the product are checked (one lead per task in an area, a unit closed
after it opened, a valid e-mail). Column names are the workbook's Vietnamese
headers (``workbook.SHEET_TITLES``).
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from directives.models import Directive, Task
from onboarding.widgets import ChoiceWidget, CodeWidget, DateWidget, TextWidget, YesNoWidget
from reports.models import Assignment, AssignmentRole, ReportingSchedule
from units.models import Membership, MembershipRole, Unit, UnitKind, UnitLevel

User = get_user_model()


def _field(attribute, column, widget=None, **kwargs):
    return fields.Field(attribute=attribute, column_name=column, widget=widget or TextWidget(), **kwargs)


class _Base(resources.ModelResource):
    """Options for django-import-export's own import_data (the product imports through onboarding.plan)."""

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        store_instance = True  # the preview names the changed columns


class UnitResource(_Base):
    code = _field("code", "Mã đơn vị")
    name = _field("name", "Tên đơn vị")
    short_name = _field("short_name", "Tên viết tắt")
    kind = _field("kind", "Loại", ChoiceWidget(UnitKind))
    level = _field("level", "Cấp", ChoiceWidget(UnitLevel, integer=True))
    parent = _field(
        "parent",
        "Mã đơn vị cấp trên",
        CodeWidget(Unit, "code", gettext_lazy("There is no unit with the code “%(value)s”.")),
    )
    valid_from = _field("valid_from", "Hiệu lực từ ngày", DateWidget())
    valid_to = _field("valid_to", "Hiệu lực đến ngày", DateWidget())
    email = _field("email", "E-mail")
    requires_signoff = _field("requires_signoff", "Cần lãnh đạo ký duyệt", YesNoWidget(default=True))

    class Meta(_Base.Meta):
        model = Unit
        import_id_fields = ["code"]
        fields = [
            "code",
            "name",
            "short_name",
            "kind",
            "level",
            "parent",
            "valid_from",
            "valid_to",
            "email",
            "requires_signoff",
        ]

    def get_queryset(self):
        return Unit.objects.without_tree_fields().select_related("parent").order_by("level", "code")


class UserResource(_Base):
    username = _field("username", "Tên đăng nhập")
    last_name = _field("last_name", "Họ và tên đệm")
    first_name = _field("first_name", "Tên")
    email = _field("email", "E-mail")
    is_active = _field("is_active", "Đang hoạt động", YesNoWidget(default=True))

    class Meta(_Base.Meta):
        model = User
        import_id_fields = ["username"]
        fields = ["username", "last_name", "first_name", "email", "is_active"]

    def get_queryset(self):
        return User.objects.order_by("username")


class MembershipResource(_Base):
    user = _field(
        "user",
        "Tên đăng nhập",
        CodeWidget(User, "username", gettext_lazy("There is no user “%(value)s” (add them on the Người dùng sheet).")),
    )
    unit = _field(
        "unit", "Mã đơn vị", CodeWidget(Unit, "code", gettext_lazy("There is no unit with the code “%(value)s”."))
    )
    role = _field("role", "Vai trò", ChoiceWidget(MembershipRole))

    class Meta(_Base.Meta):
        model = Membership
        import_id_fields = ["user", "unit", "role"]
        fields = ["user", "unit", "role"]

    def get_queryset(self):
        return Membership.objects.select_related("user", "unit").order_by("unit__code", "user__username", "role")


class TaskWidget(CodeWidget):
    """A task by the directive (its number, or its code when it has none) and the task number."""

    DIRECTIVE = "Văn bản (số hoặc mã)"

    def __init__(self):
        super().__init__(Task, "number", "")

    def clean(self, value, row=None, **kwargs):
        directive_key = str(row.get(self.DIRECTIVE) or "").strip()
        number = str(value or "").strip().removesuffix(".0")
        directives = Directive.objects.filter(Q(number=directive_key) | Q(code=directive_key)) if directive_key else []
        directive = directives.first() if directive_key else None
        if directive is None:
            raise ValueError(_("There is no directive numbered “%(value)s”.") % {"value": directive_key})
        task = Task.objects.filter(directive=directive, number=number).first() if number.isdigit() else None
        if task is None:
            raise ValueError(
                _("The directive “%(directive)s” has no task %(number)s.")
                % {"directive": directive_key, "number": number}
            )
        return task

    def render(self, value, obj=None, **kwargs):
        return str(value.number) if value else ""


class AssignmentResource(_Base):
    directive = fields.Field(column_name=TaskWidget.DIRECTIVE, readonly=True)
    task = _field("task", "Nhiệm vụ số", TaskWidget())
    unit = _field(
        "unit", "Mã đơn vị", CodeWidget(Unit, "code", gettext_lazy("There is no unit with the code “%(value)s”."))
    )
    role = _field("role", "Vai trò (chủ trì/phối hợp)", ChoiceWidget(AssignmentRole))
    responsible_person = _field("responsible_person", "Rõ người")
    work = _field("work", "Rõ việc")
    deadline = _field("deadline", "Rõ tiến độ (hạn hoàn thành)", DateWidget())
    expected_result = _field("expected_result", "Rõ hiệu quả")
    accountable_official = _field("accountable_official", "Rõ trách nhiệm")
    reviewing_unit = _field(
        "reviewing_unit",
        "Mã đơn vị tiếp nhận báo cáo",
        CodeWidget(Unit, "code", gettext_lazy("There is no unit with the code “%(value)s”.")),
    )
    schedule = _field(
        "schedule",
        "Mã lịch báo cáo",
        CodeWidget(
            ReportingSchedule, "code", gettext_lazy("There is no reporting schedule with the code “%(value)s”.")
        ),
    )

    class Meta(_Base.Meta):
        model = Assignment
        import_id_fields = ["task", "unit"]
        fields = [
            "directive",
            "task",
            "unit",
            "role",
            "responsible_person",
            "work",
            "deadline",
            "expected_result",
            "accountable_official",
            "reviewing_unit",
            "schedule",
        ]

    def get_queryset(self):
        return Assignment.objects.select_related("task__directive", "unit", "reviewing_unit", "schedule").order_by(
            "task__directive__code", "task__number", "unit__code"
        )

    def dehydrate_directive(self, assignment):
        directive = assignment.task.directive
        return directive.number or directive.code


# The sheets in the order they import: each may refer to the ones before.
RESOURCES = [
    ("units", UnitResource),
    ("users", UserResource),
    ("memberships", MembershipResource),
    ("assignments", AssignmentResource),
]
