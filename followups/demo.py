"""The follow-up register's demo (called by ``manage.py demo_data``): a
supervision session's recommendations to the provincial People's Committee
and departments, a board's supervision, an inspection conclusion, voters'
petitions and a few directions of the Standing Committee, in every status,
dated relative to ``today``. Rows are written directly, with a timeline that
matches each status, and no notification is sent."""

import datetime
import random
from collections import Counter

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from directives.models import Task
from followups.models import (
    AddresseeRole,
    Claim,
    FollowUpAddressee,
    FollowUpItem,
    FollowUpStatus,
    FollowUpStep,
    SourceDocument,
    SourceKind,
    StepAction,
)
from followups.services import item_due_on
from units.models import Membership, MembershipRole, Unit, UnitKind, UnitLevel

S = FollowUpStatus
# In the tables below: settled, but reported after the due date.
SETTLED_LATE = "settled_late"
# Departments of the provincial People's Committee, made for the demo (the seed has none).
DEPARTMENTS = [
    ("so-noi-vu", "Sở Nội vụ tỉnh", "Sở Nội vụ"),
    ("so-tai-chinh", "Sở Tài chính tỉnh", "Sở Tài chính"),
    ("so-khdt", "Sở Kế hoạch và Đầu tư tỉnh", "Sở KH&ĐT"),
    ("so-tnmt", "Sở Tài nguyên và Môi trường tỉnh", "Sở TN&MT"),
]
# Bodies that answer or verify items and get demo logins here when they have none.
BODIES = ["ubnd-tinh", "tt-hdnd", "ban-ktns", "ban-vhxh", "ubkttu", "vptu", *[code for code, _n, _s in DEPARTMENTS]]
PEOPLE = ["Phạm Thị Lan", "Vũ Đức Thắng", "Hoàng Minh Châu", "Đặng Văn Long", "Bùi Thị Thu", "Lê Quang Vinh"]

# (source kind, number, days before today, issuer, verifier, subject, items)
# item: (lead, co-ordinating, status, deadline in days after issue, text)
DOCUMENTS = [
    (
        SourceKind.SUPERVISION,
        "85/BC-HĐND",
        200,
        "tt-hdnd",
        "tt-hdnd",
        "Báo cáo kết quả giám sát chuyên đề việc thực hiện chính sách, pháp luật về cải cách hành chính",
        [
            (
                "ubnd-tinh",
                ["so-noi-vu"],
                S.SETTLED,
                90,
                "Chỉ đạo rà soát, công bố đầy đủ thủ tục hành chính thuộc thẩm quyền giải quyết của cấp tỉnh.",
            ),
            (
                "so-noi-vu",
                [],
                SETTLED_LATE,
                60,
                "Tham mưu ban hành quy định chế độ công vụ, kỷ cương hành chính tại bộ phận một cửa.",
            ),
            (
                "ubnd-tinh",
                ["so-tai-chinh"],
                S.REPORTED,
                150,
                "Bố trí kinh phí nâng cấp hệ thống thông tin giải quyết thủ tục hành chính tỉnh.",
            ),
            (
                "so-noi-vu",
                [],
                S.RETURNED,
                120,
                "Xử lý trách nhiệm cán bộ, công chức để hồ sơ giải quyết quá hạn kéo dài.",
            ),
            (
                "ubnd-tinh",
                ["so-khdt", "so-tai-chinh"],
                S.IN_PROGRESS,
                150,
                "Đẩy nhanh tiến độ số hóa hồ sơ, kết quả giải quyết thủ tục hành chính.",
            ),
            (
                "so-tnmt",
                [],
                S.NOT_FEASIBLE,
                90,
                "Giải quyết dứt điểm hồ sơ cấp giấy chứng nhận quyền sử dụng đất tồn đọng trước năm 2015.",
            ),
        ],
    ),
    (
        SourceKind.SUPERVISION,
        "42/BC-KTNS",
        110,
        "ban-ktns",
        "ban-ktns",
        "Báo cáo kết quả giám sát việc thực hiện kế hoạch đầu tư công trung hạn",
        [
            (
                "so-khdt",
                ["so-tai-chinh"],
                S.PENDING_SIGNOFF,
                90,
                "Rà soát, điều chỉnh kế hoạch vốn đối với các dự án chậm giải ngân.",
            ),
            (
                "ubnd-tinh",
                ["so-khdt"],
                S.IN_PROGRESS,
                60,
                "Kiểm điểm trách nhiệm chủ đầu tư các dự án giải ngân dưới 30% kế hoạch.",
            ),
            ("so-tai-chinh", [], S.NOT_STARTED, 180, "Hướng dẫn quyết toán dự án hoàn thành đúng thời hạn quy định."),
        ],
    ),
    (
        SourceKind.INSPECTION,
        "15-KL/UBKTTU",
        160,
        "ubkttu",
        "ubkttu",
        "Kết luận kiểm tra việc lãnh đạo, chỉ đạo thực hiện Chỉ thị đối với Hội đồng nhân dân cấp huyện",
        [
            (
                "hu-tu-ky",
                [],
                SETTLED_LATE,
                60,
                "Tổ chức kiểm điểm, rút kinh nghiệm đối với Ban Thường vụ Huyện ủy về những hạn chế đã chỉ ra.",
            ),
            (
                "hu-gia-loc",
                [],
                S.REPORTED,
                90,
                "Bổ sung quy chế phối hợp giữa Thường trực Huyện ủy và Thường trực HĐND huyện.",
            ),
            (
                "hu-thanh-ha",
                [],
                S.IN_PROGRESS,
                120,
                "Khắc phục tình trạng chậm trả lời kiến nghị sau giám sát của HĐND huyện.",
            ),
        ],
    ),
    (
        SourceKind.PETITION,
        "120/BC-TTHĐND",
        60,
        "tt-hdnd",
        "tt-hdnd",
        "Báo cáo tổng hợp ý kiến, kiến nghị của cử tri trước kỳ họp thường lệ",
        [
            (
                "ubnd-tinh",
                ["so-tnmt"],
                S.NOT_STARTED,
                75,
                "Cử tri đề nghị xử lý ô nhiễm môi trường tại cụm công nghiệp, trả lời cử tri bằng văn bản.",
            ),
            ("so-tai-chinh", [], S.SETTLED, 30, "Cử tri đề nghị công khai dự toán ngân sách xã theo quy định."),
        ],
    ),
]
# Directions of the Standing Committee: (lead, task number, status, days before today, deadline after, text)
DIRECTIONS = [
    ("dd-hdnd", 3, S.IN_PROGRESS, 40, 45,
     "Đảng đoàn HĐND tỉnh chỉ đạo nâng cao chất lượng giám sát chuyên đề, theo dõi đến cùng việc thực hiện kiến "
     "nghị sau giám sát."),
    ("bcs-ubnd", 4, S.NOT_STARTED, 5, 30,
     "Ban cán sự đảng UBND tỉnh báo cáo Ban Thường vụ tiến độ giải quyết kiến nghị giám sát còn tồn đọng."),
    ("hu-ninh-giang", 2, S.SETTLED, 120, 30,
     "Huyện ủy Ninh Giang khẩn trương kiện toàn các chức danh chủ chốt của HĐND huyện."),
]  # fmt: skip
RESPONSES = {
    Claim.DONE: "Đã triển khai thực hiện, ban hành văn bản và báo cáo kết quả kèm theo.",
    Claim.NOT_FEASIBLE: "Nội dung vượt thẩm quyền cấp tỉnh (thuộc thẩm quyền Trung ương); đã báo cáo, đề nghị.",
}


def _aware(day, hour):
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


def _ensure_units_and_users(counts, users):
    parent = Unit.objects.filter(code="ubnd-tinh").first()
    for code, name, short in DEPARTMENTS:
        _unit, created = Unit.objects.get_or_create(
            code=code,
            defaults={"name": name, "short_name": short, "kind": UnitKind.DEPARTMENT, "level": UnitLevel.PROVINCE,
                      "parent": parent, "is_sample": True},
        )  # fmt: skip
        counts["unit created"] += created
    user_model = get_user_model()
    hashed = user_model()
    hashed.set_password("demo")
    for index, code in enumerate(BODIES):
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            continue
        for prefix, role in (("r", MembershipRole.REPORTER), ("h", MembershipRole.HEAD)):
            last, _space, first = PEOPLE[(index * 2 + (prefix == "h")) % len(PEOPLE)].rpartition(" ")
            user, created = user_model.objects.get_or_create(
                username=f"{prefix}-{code}",
                defaults={"last_name": last, "first_name": first, "email": f"{prefix}-{code}@demo.invalid",
                          "password": hashed.password},
            )  # fmt: skip
            counts["user created"] += created
            Membership.objects.get_or_create(user=user, unit=unit, role=role)
    return {user.username: user for user in user_model.objects.filter(username__regex=r"^[rh]-")} | users


def _steps_for(status, claim):
    """The workflow steps that lead to ``status``, as (action, from, to)."""
    path = [(StepAction.RECORD, "", S.NOT_STARTED)]
    if status == S.NOT_STARTED:
        return path
    path.append((StepAction.PROGRESS, S.NOT_STARTED, S.IN_PROGRESS))
    if status == S.IN_PROGRESS:
        return path
    if status == S.PENDING_SIGNOFF:
        return [*path, (StepAction.SEND_TO_HEAD, S.IN_PROGRESS, S.PENDING_SIGNOFF)]
    path.append((StepAction.REPORT, S.IN_PROGRESS, S.REPORTED))
    if status == S.REPORTED:
        return path
    if status == S.RETURNED:
        return [*path, (StepAction.RETURN, S.REPORTED, S.RETURNED)]
    return [*path, (StepAction.ACCEPT, S.REPORTED, S.NOT_FEASIBLE if claim == Claim.NOT_FEASIBLE else S.SETTLED)]


def _build(counts, *, document, lead, coordinating, status, deadline, text, verifier, users, today, rng,
           recorder, number="", task=None, previous=None):  # fmt: skip
    late = status == SETTLED_LATE or (status != S.SETTLED and rng.random() < 0.3)
    status = S.SETTLED if status == SETTLED_LATE else status
    claim = Claim.NOT_FEASIBLE if status == S.NOT_FEASIBLE else Claim.DONE
    due_on = item_due_on(deadline)
    recorded = document.issued_on + datetime.timedelta(days=2)
    # Reports: most on time, some late; never after today.
    reported = min(today - datetime.timedelta(days=2), due_on + datetime.timedelta(days=rng.randint(3, 20)) if late
                   else due_on - datetime.timedelta(days=rng.randint(0, 15)))  # fmt: skip
    reported = max(reported, recorded + datetime.timedelta(days=4))
    progress = recorded + (reported - recorded) / 2
    accepted = min(today - datetime.timedelta(days=1), reported + datetime.timedelta(days=rng.randint(1, 6)))
    if status in (S.IN_PROGRESS, S.PENDING_SIGNOFF):
        progress = min(progress, today - datetime.timedelta(days=3))
    item = FollowUpItem(
        document=document, number=number, text=text,
        task=task, verifying_unit=verifier, deadline=deadline, due_on=due_on, status=status,
        claim=claim if status in (S.PENDING_SIGNOFF, S.REPORTED, S.RETURNED, *S_CLOSED) else "",
        response=RESPONSES[claim] if status != S.NOT_STARTED else "",
        reason={S.RETURNED: "Chưa có văn bản chứng minh kết quả; đề nghị bổ sung.",
                S.NOT_FEASIBLE: RESPONSES[Claim.NOT_FEASIBLE]}.get(status, ""),
        reported_at=_aware(reported, 15) if status in (S.REPORTED, S.RETURNED, *S_CLOSED) else None,
        completed_on=reported if status in S_CLOSED else None,
        closed_at=_aware(accepted, 9) if status in S_CLOSED else None,
        created_by=recorder, previous=previous, round=previous.round + 1 if previous else 1,
    )  # fmt: skip
    item._history_user = recorder
    item.save()
    FollowUpAddressee.objects.bulk_create(
        [FollowUpAddressee(item=item, unit=lead, role=AddresseeRole.LEAD)]
        + [FollowUpAddressee(item=item, unit=unit, role=AddresseeRole.COORDINATING) for unit in coordinating]
    )
    reporter, head = users.get(f"r-{lead.code}", recorder), users.get(f"h-{lead.code}", recorder)
    verifier_user = users.get(f"r-{verifier.code}", recorder)
    times = {
        StepAction.RECORD: (_aware(recorded, 8), recorder, text),
        StepAction.PROGRESS: (_aware(progress, 10), reporter, RESPONSES[claim]),
        StepAction.SEND_TO_HEAD: (_aware(progress, 16), reporter, ""),
        StepAction.REPORT: (_aware(reported, 15), head, item.reason if claim == Claim.NOT_FEASIBLE else ""),
        StepAction.RETURN: (_aware(accepted, 9), verifier_user, item.reason),
        StepAction.ACCEPT: (_aware(accepted, 9), verifier_user, ""),
    }
    steps = [
        FollowUpStep(item=item, action=action, from_status=source, to_status=target, at=times[action][0],
                     by=times[action][1], text=times[action][2],
                     unit=lead if action in (StepAction.PROGRESS, StepAction.SEND_TO_HEAD, StepAction.REPORT) else None)
        for action, source, target in _steps_for(status, claim)
    ]  # fmt: skip
    FollowUpStep.objects.bulk_create(steps)
    item.status_changed_at = steps[-1].at
    FollowUpItem.objects.filter(pk=item.pk).update(status_changed_at=steps[-1].at)
    counts["followup item created"] += 1
    return item


S_CLOSED = (S.SETTLED, S.NOT_FEASIBLE)


@transaction.atomic
def followups_demo_create(*, today: datetime.date, seed: int, users: dict, counts: Counter) -> None:
    """Adds the register's demo once (nothing when any follow-up item exists)."""
    if FollowUpItem.objects.exists():
        return
    users = _ensure_units_and_users(counts, users)
    units = {unit.code: unit for unit in Unit.objects.without_tree_fields()}
    recorder = users.get("office") or next(iter(users.values()))
    rng = random.Random(f"{seed}-followups")
    for kind, number, age, issuer, verifier, title, items in DOCUMENTS:
        issued_on = today - datetime.timedelta(days=age)
        document = SourceDocument.objects.create(
            kind=kind, number=number, issued_on=issued_on, issuing_unit=units[issuer], title=title, created_by=recorder
        )
        counts["source document created"] += 1
        for position, (lead, coordinating, status, days, text) in enumerate(items, start=1):
            if lead not in units:
                continue
            _build(counts, document=document, number=str(position), lead=units[lead], status=status, text=text,
                   verifier=units[verifier],
                   coordinating=[units[code] for code in coordinating if code in units], users=users, today=today,
                   rng=rng, recorder=recorder, deadline=issued_on + datetime.timedelta(days=days))  # fmt: skip
    # The first settled recommendation is re-supervised: round 2 is under way.
    first = FollowUpItem.objects.filter(status=S.SETTLED, document__kind=SourceKind.SUPERVISION).order_by("pk").first()
    if first is not None:
        lead = first.addressees.get(role=AddresseeRole.LEAD).unit
        _build(counts, document=first.document, number=first.number, lead=lead, coordinating=[], status=S.IN_PROGRESS,
               deadline=today + datetime.timedelta(days=45), text=first.text, verifier=first.verifying_unit,
               users=users, today=today, rng=rng, recorder=users.get(f"r-{first.verifying_unit.code}", recorder),
               previous=first)  # fmt: skip
        FollowUpStep.objects.create(item=first, action=StepAction.RESUPERVISE, from_status=S.SETTLED,
                                    to_status=S.SETTLED, by=recorder, text="Tái giám sát: mở vòng 2.")  # fmt: skip
    committee = users.get("committee", recorder)
    for lead, task_number, status, age, days, text in DIRECTIONS:
        if lead not in units:
            continue
        issued_on = today - datetime.timedelta(days=age)
        document = SourceDocument.objects.create(
            kind=SourceKind.DIRECTION, issued_on=issued_on, issuing_unit=units.get("tinh-uy", units[lead]),
            title=f"Ý kiến chỉ đạo đối với {units[lead].display_name}", created_by=committee,
        )  # fmt: skip
        counts["source document created"] += 1
        task = Task.objects.filter(number=task_number).order_by("pk").first()
        _build(counts, document=document, lead=units[lead], coordinating=[], status=status, text=text, task=task,
               verifier=units.get("vptu", units[lead]), users=users, today=today, rng=rng, recorder=committee,
               deadline=issued_on + datetime.timedelta(days=days))  # fmt: skip


def followups_demo_logins() -> list[tuple[str, str]]:
    """(username, role) of the logins this demo adds, for the command to print."""
    logins = []
    for unit in Unit.objects.filter(code__in=BODIES).order_by("level", "code"):
        if get_user_model().objects.filter(username=f"r-{unit.code}").exists():
            logins.append((f"r-{unit.code} / h-{unit.code}", f"reporter / head of {unit.name} (follow-ups)"))
    return logins
