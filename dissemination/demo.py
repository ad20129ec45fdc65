"""Demonstration data for dissemination (called by ``demo_data`` after the
report demo): sample Party cells under the sample communes, a secretary
``cb-<cell code>`` (password ``demo``) for most of them, and plans, sessions
and confirmations in every state.

As ``reports.demo``: deterministic (every choice from a ``random.Random``
seeded with the seed and the row's natural key) and idempotent (rows are
looked up by natural keys; existing rows are never changed).

The directive's deadlines are counted from 120 days before ``today``: plans
were due 90 days ago and cells 30 days ago, so the demo shows plans on time,
late and missing, and cells confirmed on time, late, on the cell's behalf,
corrected (a second confirmation, kept in the history) and overdue.
"""

import datetime
import hashlib
import random
from collections import Counter

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from directives.models import Directive
from directives.seed import hai_duong as seed_data
from dissemination.models import (
    CellConfirmation,
    CellSize,
    DisseminationSession,
    DisseminationSetting,
    ImplementingPlan,
    PlanKind,
    SessionAttachment,
    SessionForm,
    SessionLevel,
)
from dissemination.scope import plan_units
from dissemination.services import cell_confirm
from units.models import Membership, MembershipRole, Unit, UnitKind, UnitLevel

DEMO_PASSWORD = "demo"  # noqa: S105 - as reports.demo; demo_data refuses to run without DEBUG.
EMAIL_DOMAIN = "demo.invalid"
COUNTED_FROM_DAYS_AGO = 120
CELLS_PER_COMMUNE = 4
# The last cell of each commune has no connected secretary: its committee confirms on its behalf.
CELL_WITHOUT_SECRETARY = CELLS_PER_COMMUNE
CELL_PLACES = ["thôn Đông", "thôn Tây", "thôn Nam", "thôn Bắc"]
# One of each, then shuffled per commune: how each cell with a secretary stands.
CELL_OUTCOMES = ["on_time", "late", "corrected", "missing"]
PLAN_OUTCOMES = ["on_time", "on_time", "late", "on_time", "missing", "late", "on_time"]
SIGNERS = ["Nguyễn Văn Thành", "Trần Thị Lan", "Phạm Quốc Hưng", "Lê Minh Đức", "Vũ Thị Hà", "Đặng Văn Long"]
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PDF_SHA256 = hashlib.sha256(PDF).hexdigest()
PLAN_NUMBER_SUFFIX = {UnitLevel.PROVINCE: "ĐU", UnitLevel.DISTRICT: "HU", UnitLevel.COMMUNE: "ĐU"}


def _rng(seed, *parts):
    return random.Random(":".join(str(part) for part in ("dissemination", seed, *parts)))


def _aware(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _sample_communes():
    return Unit.objects.filter(code__startswith="xa-mau-", is_sample=True, kind=UnitKind.PARTY_COMMITTEE).order_by(
        "code"
    )


def _ensure_setting(counts, directive, today):
    _setting, created = DisseminationSetting.objects.get_or_create(
        directive=directive,
        defaults={"counted_from": today - datetime.timedelta(days=COUNTED_FROM_DAYS_AGO)},
    )
    counts["disseminationsetting created"] += created
    return directive.dissemination_setting


def _ensure_cells(counts, seed):
    cells = []
    for commune in _sample_communes():
        place = commune.short_name.removeprefix("ĐU ")
        for number in range(1, CELLS_PER_COMMUNE + 1):
            cell, created = Unit.objects.get_or_create(
                code=f"{commune.code}-cb{number}",
                defaults={
                    "name": f"Chi bộ {CELL_PLACES[number - 1]}, {place} (dữ liệu mẫu)",
                    "short_name": f"CB {CELL_PLACES[number - 1]} ({place})",
                    "kind": UnitKind.PARTY_CELL,
                    "level": UnitLevel.GRASSROOTS,
                    "parent": commune,
                    "is_sample": True,
                    "requires_signoff": False,
                },
            )
            counts["unit created"] += created
            _size, created = CellSize.objects.get_or_create(
                cell=cell, defaults={"party_members": _rng(seed, "size", cell.code).randint(12, 45)}
            )
            counts["cellsize created"] += created
            cells.append((cell, number))
    return cells


def _ensure_secretaries(counts, seed, cells):
    from reports.demo import _person_name

    user_model = get_user_model()
    hashed = None
    secretaries = {}
    for cell, number in cells:
        if number == CELL_WITHOUT_SECRETARY:
            continue
        username = f"cb-{cell.code}"
        user = user_model.objects.filter(username=username).first()
        if user is None:
            if hashed is None:
                hashed = user_model()
                hashed.set_password(DEMO_PASSWORD)
            last, first = _person_name(seed, username)
            user = user_model.objects.create(
                username=username,
                last_name=last,
                first_name=first,
                email=f"{username}@{EMAIL_DOMAIN}",
                password=hashed.password,
            )
            counts["user created"] += 1
        _membership, created = Membership.objects.get_or_create(user=user, unit=cell, role=MembershipRole.HEAD)
        counts["membership created"] += created
        secretaries[cell.pk] = user
    return secretaries


def _committee_user(unit):
    """Who records for a committee in the demo: its head, else its reporter, else the administrator."""
    membership = (
        Membership.objects.filter(unit=unit, role__in=[MembershipRole.HEAD, MembershipRole.REPORTER])
        .select_related("user")
        .order_by("role")
        .first()
    )
    if membership:
        return membership.user
    return get_user_model().objects.filter(is_superuser=True).order_by("pk").first()


def _deck(rng, outcomes, count):
    """``count`` outcomes: the list shuffled, repeated as needed."""
    shuffled = list(outcomes)
    rng.shuffle(shuffled)
    return [shuffled[index % len(shuffled)] for index in range(count)]


def _ensure_plans(counts, directive, setting, today, seed):
    units = list(plan_units(directive, today).order_by("level", "code"))
    due = setting.plan_due_on()
    start = setting.start_on()
    deck = _deck(_rng(seed, "plans", directive.code), PLAN_OUTCOMES, len(units))
    existing = set(ImplementingPlan.objects.filter(directive=directive).values_list("unit_id", flat=True))
    planned = []
    for index, (unit, outcome) in enumerate(zip(units, deck, strict=True)):
        if outcome == "missing":
            continue
        rng = _rng(seed, "plan", unit.code)
        issued_on = (
            start + datetime.timedelta(days=rng.randint(5, 29))
            if outcome == "on_time"
            else due + datetime.timedelta(days=rng.randint(3, 40))
        )
        planned.append((unit, issued_on))
        if unit.pk in existing:
            continue
        plan = ImplementingPlan(
            directive=directive,
            unit=unit,
            kind=PlanKind.PLAN if rng.random() < 0.8 else PlanKind.GUIDANCE,
            number=f"{rng.randint(10, 240)}-KH/{PLAN_NUMBER_SUFFIX.get(unit.level, 'ĐU')}",
            issued_on=issued_on,
            signer=rng.choice(SIGNERS),
            due_on=due,
            recorded_by=_committee_user(unit),
        )
        if index % 2 == 0:
            plan.original_name = f"Kế hoạch triển khai - {unit.display_name}.pdf"
            plan.content_type = "application/pdf"
            plan.size = len(PDF)
            plan.sha256 = PDF_SHA256
            plan.file.save("upload.pdf", ContentFile(PDF), save=False)
        plan.save()
        counts["implementingplan created"] += 1
    return planned


LEVELS = {UnitLevel.PROVINCE: SessionLevel.PROVINCE, UnitLevel.DISTRICT: SessionLevel.DISTRICT}


def _ensure_sessions(counts, directive, planned, today, seed):
    have = set(DisseminationSession.objects.filter(directive=directive).values_list("unit_id", flat=True))
    for unit, issued_on in planned:
        if unit.pk in have:
            continue
        rng = _rng(seed, "sessions", unit.code)
        expected = rng.randint(40, 400) if unit.level <= UnitLevel.DISTRICT else rng.randint(60, 180)
        held_on = min(issued_on + datetime.timedelta(days=rng.randint(3, 20)), today)
        present = int(expected * rng.uniform(0.82, 0.97))
        sessions = [(held_on, present, rng.choice([SessionForm.IN_PERSON, SessionForm.COMBINED]))]
        if rng.random() < 0.4:  # a make-up session for those absent
            sessions.append(
                (
                    min(held_on + datetime.timedelta(days=14), today),
                    expected - present - rng.randint(0, 2),
                    SessionForm.IN_PERSON,
                )
            )
        by = _committee_user(unit)
        for number, (day, count, form) in enumerate(sessions):
            session = DisseminationSession.objects.create(
                directive=directive,
                unit=unit,
                held_on=day,
                level=LEVELS.get(unit.level, SessionLevel.GRASSROOTS),
                form=form,
                committee_members_present=rng.randint(5, 15) if number == 0 else 0,
                party_members_present=max(count, 0),
                party_members_expected=expected if number == 0 else expected - present,
                others_present=rng.randint(0, 30),
                note="" if number == 0 else "Hội nghị bổ sung cho đảng viên vắng mặt (dữ liệu mẫu).",
                recorded_by=by,
            )
            counts["disseminationsession created"] += 1
            if number == 0 and unit.level <= UnitLevel.DISTRICT:
                attachment = SessionAttachment(
                    session=session,
                    original_name="Biên bản hội nghị (dữ liệu mẫu).pdf",
                    content_type="application/pdf",
                    size=len(PDF),
                    sha256=PDF_SHA256,
                    uploaded_by=by,
                )
                attachment.file.save("upload.pdf", ContentFile(PDF), save=False)
                attachment.save()
                counts["sessionattachment created"] += 1


def _ensure_confirmations(counts, directive, setting, cells, secretaries, seed):
    due = setting.cell_due_on()
    start = setting.start_on()
    confirmed = set(CellConfirmation.objects.filter(directive=directive).values_list("cell_id", flat=True))
    by_commune = {}
    for cell, number in cells:
        by_commune.setdefault(cell.parent_id, []).append((cell, number))
    last_commune = cells[-1][0].parent_id if cells else None
    for commune_id, members in by_commune.items():
        with_secretary = [cell for cell, number in members if number != CELL_WITHOUT_SECRETARY]
        committee = Unit.objects.get(pk=commune_id)
        deck = _deck(_rng(seed, "cells", committee.code), CELL_OUTCOMES, len(with_secretary))
        plan = [(cell, outcome, secretaries[cell.pk]) for cell, outcome in zip(with_secretary, deck, strict=True)]
        # The cell without a secretary: its committee confirms for it, but in the last commune it is not reached.
        behalf = "missing" if commune_id == last_commune else "on_behalf"
        plan += [
            (cell, behalf, _committee_user(committee)) for cell, number in members if number == CELL_WITHOUT_SECRETARY
        ]
        for cell, outcome, user in plan:
            if outcome == "missing" or cell.pk in confirmed or user is None:
                continue
            rng = _rng(seed, "confirm", cell.code)
            total = CellSize.objects.get(cell=cell).party_members
            if outcome == "late":
                when = due + datetime.timedelta(days=rng.randint(2, 20))
            else:
                when = start + datetime.timedelta(days=rng.randint(20, 85))
            met_on = when - datetime.timedelta(days=rng.randint(0, 6))
            data = {
                "met_on": met_on,
                "members_present": total - rng.randint(0, 4),
                "members_total": total,
                "note": "Sinh hoạt chi bộ định kỳ, quán triệt nội dung chỉ thị (dữ liệu mẫu).",
            }
            cell_confirm(directive=directive, cell=cell, data=data, by=user, now=_aware(when, 20))
            counts["cellconfirmation created"] += 1
            if outcome == "corrected":  # the secretary corrects the count a day later
                data["members_present"] = min(total, data["members_present"] + 1)
                data["note"] = "Bổ sung: một đồng chí dự họp muộn (dữ liệu mẫu)."
                cell_confirm(
                    directive=directive, cell=cell, data=data, by=user, now=_aware(when + datetime.timedelta(days=1), 8)
                )


@transaction.atomic
def dissemination_demo_create(*, today, seed):
    """Fills in the dissemination demo; returns counts of the rows created."""
    counts = Counter()
    directive = Directive.objects.filter(code=seed_data.DIRECTIVE_CODE).first()
    if directive is None:
        return counts
    setting = _ensure_setting(counts, directive, today)
    cells = _ensure_cells(counts, seed)
    secretaries = _ensure_secretaries(counts, seed, cells)
    planned = _ensure_plans(counts, directive, setting, today, seed)
    _ensure_sessions(counts, directive, planned, today, seed)
    _ensure_confirmations(counts, directive, setting, cells, secretaries, seed)
    return +counts


def dissemination_demo_logins():
    """(username, role) of the cell secretaries, for the command to print."""
    return [
        (f"cb-{cell.code}", f"secretary of {cell.name}")
        for cell in Unit.objects.filter(kind=UnitKind.PARTY_CELL, is_sample=True, memberships__role=MembershipRole.HEAD)
        .distinct()
        .order_by("code")
    ]
