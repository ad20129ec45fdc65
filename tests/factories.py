import datetime

import factory
from django.contrib.auth import get_user_model

from directives.models import Directive, Indicator, Task
from reports.models import Assignment, ProgressReport, ReportingPeriod, ReportingSchedule
from units.models import Membership, Unit

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "Nguyễn Văn"  # họ và tên đệm
    first_name = factory.Sequence(lambda n: f"Người dùng {n}")  # tên
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.vn")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def groups(self, create, names, **kwargs):
        from django.contrib.auth.models import Group

        for name in names or ():
            self.groups.add(Group.objects.get_or_create(name=name)[0])
        if create:
            self.save()


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"Huyện ủy Thử nghiệm {n}")
    kind = "party_committee"
    level = 2


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = "reporter"


class DirectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Directive

    code = factory.Sequence(lambda n: f"directive-{n}")
    title = factory.Sequence(lambda n: f"Về tăng cường công tác thử nghiệm số {n}")
    status = "in_force"


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    directive = factory.SubFactory(DirectiveFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Nhiệm vụ thử nghiệm {n}")
    text = "Nội dung đầy đủ của nhiệm vụ."


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    task = factory.SubFactory(TaskFactory)
    code = factory.Sequence(lambda n: f"indicator-{n}")
    name = "Số cuộc giám sát"
    unit_of_measure = "cuộc"


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingSchedule

    code = factory.Sequence(lambda n: f"schedule-{n}")
    name = "Báo cáo 6 tháng và năm"
    semiannual = True
    annual = True
    starts_on = datetime.date(2024, 1, 1)


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingPeriod

    schedule = factory.SubFactory(ScheduleFactory)
    kind = "semiannual"
    key = factory.Sequence(lambda n: f"{2024 + n}-H1")
    starts_on = datetime.date(2023, 12, 15)
    ends_on = datetime.date(2024, 6, 14)
    due_on = datetime.date(2024, 6, 19)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    task = factory.SubFactory(TaskFactory)
    unit = factory.SubFactory(UnitFactory)
    role = "lead"
    schedule = factory.SubFactory(ScheduleFactory)


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressReport

    assignment = factory.SubFactory(AssignmentFactory)
    period = factory.SubFactory(PeriodFactory, schedule=factory.SelfAttribute("..assignment.schedule"))
    results = "Đã tổ chức quán triệt đến 100% chi bộ."


class SuccessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "units.UnitSuccession"

    predecessor = factory.SubFactory(UnitFactory)
    successor = factory.SubFactory(UnitFactory)
    kind = "merge"
    effective_on = factory.LazyAttribute(
        lambda succession: (
            succession.predecessor.valid_to + datetime.timedelta(days=1)
            if succession.predecessor.valid_to
            else datetime.date(2024, 10, 1)
        )
    )
