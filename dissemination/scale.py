"""Party cells at national size for ``demo_data --scale`` (called by
``reports.demo_scale``): under every commune-level Party committee 10 to 40
sample cells (about 24 on average: some 55,000 nationally, 1,400 for one
province) with their member counts; the directive's dissemination deadlines
(counted from 100 days before today: plans were due 70 days ago, cells 10
days ago); implementing plans, one session per committee with a plan, and
cell confirmations in every state; and secretaries ``cb-<cell code>``
(password ``demo``) for the bench's load test. Written with COPY and
explicit ids like the rest of the scale data; deterministic for a seed."""

import datetime
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from dissemination.models import (
    CellConfirmation,
    CellSize,
    DisseminationSession,
    DisseminationSetting,
    ImplementingPlan,
)
from dissemination.scope import PLAN_KINDS
from reports.demo import DEMO_PASSWORD, EMAIL_DOMAIN
from reports.demo_scale_copy import copy_tuples, sequence_reset
from reports.demo_scale_names import SAMPLE_LABEL
from units.models import Membership, MembershipRole, Unit, UnitKind, UnitLevel

CELLS_PER_COMMUNE = (10, 40)
COUNTED_FROM_DAYS_AGO = 100
LOAD_SECRETARIES = 200
PLACES = ("thôn", "khu dân cư", "tổ dân phố", "ấp", "bản")
# (share, outcome) of committees' plans and of cells' confirmations.
PLAN_OUTCOMES = ((0.70, "on_time"), (0.15, "late"), (0.15, "missing"))
CELL_OUTCOMES = ((0.62, "on_time"), (0.13, "late"), (0.25, "missing"))
CELL_FIELDS = ["id", "parent", "code", "name", "short_name", "kind", "level", "email", "requires_signoff",
               "heads_read_descendants", "is_sample"]  # fmt: skip
PLAN_FIELDS = ["id", "directive", "unit", "kind", "number", "issued_on", "signer", "due_on", "file", "original_name",
               "content_type", "sha256", "created_at", "updated_at"]  # fmt: skip
SESSION_FIELDS = ["id", "directive", "unit", "held_on", "level", "form", "committee_members_present",
                  "party_members_present", "party_members_expected", "others_present", "note", "created_at",
                  "updated_at"]  # fmt: skip
CONFIRMATION_FIELDS = ["id", "directive", "cell", "met_on", "members_present", "members_total", "note", "on_behalf",
                       "confirmed_at", "confirmed_on", "due_on", "updated_at"]  # fmt: skip
SESSION_LEVELS = {UnitLevel.PROVINCE: "province", UnitLevel.DISTRICT: "district"}


def _outcome(rng, outcomes):
    draw, total = rng.random(), 0.0
    for share, outcome in outcomes:
        total += share
        if draw < total:
            return outcome
    return outcomes[-1][1]


def _moment(day):
    return f"{day.isoformat()} 09:00:00+07"


def _cells(units, first_id, seed):
    """(unit tuples, (cell id, code, members, parent id) rows) under every commune committee."""
    tuples, cells = [], []
    for unit in units:
        if unit.kind != UnitKind.PARTY_COMMITTEE or unit.level != UnitLevel.COMMUNE:
            continue
        rng = random.Random(f"{seed}:cells:{unit.code}")
        for number in range(1, rng.randint(*CELLS_PER_COMMUNE) + 1):
            cell_id = first_id + len(tuples)
            code = f"{unit.code}-cb{number:02d}"
            place = f"{rng.choice(PLACES)} {number}"
            tuples.append((cell_id, unit.id, code, f"Chi bộ {place}, {unit.code} ({SAMPLE_LABEL})", f"CB {place}",
                           UnitKind.PARTY_CELL, UnitLevel.GRASSROOTS, "", False, False, True))  # fmt: skip
            cells.append((cell_id, code, rng.randint(8, 60), unit.id))
    return tuples, cells


def _plans_and_sessions(units, directive_id, issuing_id, start, plan_due, seed):
    plans, sessions = [], []
    for unit in units:
        if unit.kind not in PLAN_KINDS or unit.id == issuing_id:
            continue
        rng = random.Random(f"{seed}:plan:{unit.code}")
        outcome = _outcome(rng, PLAN_OUTCOMES)
        if outcome == "missing":
            continue
        issued = start + datetime.timedelta(days=rng.randint(5, 30) if outcome == "on_time" else rng.randint(31, 60))
        plans.append((len(plans) + 1, directive_id, unit.id, "ke_hoach", f"{len(plans) + 1}-KH/ĐU", issued,
                      "Nguyễn Văn An", plan_due, "", "", "", "", _moment(issued), _moment(issued)))  # fmt: skip
        held = issued + datetime.timedelta(days=rng.randint(3, 20))
        expected = rng.randint(30, 300)
        present = expected - rng.randint(0, expected // 8)
        level = SESSION_LEVELS.get(unit.level, "grassroots")
        sessions.append((len(sessions) + 1, directive_id, unit.id, held, level, "in_person", rng.randint(5, 15),
                         present, expected, rng.randint(0, 20), "", _moment(held), _moment(held)))  # fmt: skip
    return plans, sessions


def _confirmations(cells, directive_id, start, cell_due, seed):
    rows = []
    for cell_id, code, members, _parent in cells:
        rng = random.Random(f"{seed}:confirm:{code}")
        outcome = _outcome(rng, CELL_OUTCOMES)
        if outcome == "missing":
            continue
        day = cell_due - datetime.timedelta(days=rng.randint(0, 60)) if outcome == "on_time" else (
            cell_due + datetime.timedelta(days=rng.randint(1, 9)))  # fmt: skip
        present = members - rng.randint(0, members // 5)
        rows.append((len(rows) + 1, directive_id, cell_id, day, present, members, "", rng.random() < 0.2,
                     _moment(day), day, cell_due, _moment(day)))  # fmt: skip
    return rows


def _secretaries(cells, confirmed):
    """``cb-<cell code>`` heads of cells spread evenly over the country (for the load test)."""
    unconfirmed = [cell for cell in cells if cell[0] not in confirmed] or cells
    count = min(LOAD_SECRETARIES, len(unconfirmed))
    chosen = [unconfirmed[i * len(unconfirmed) // count] for i in range(count)] if count else []
    user_model = get_user_model()
    hashed = make_password(DEMO_PASSWORD)
    users = user_model.objects.bulk_create(
        user_model(
            username=f"cb-{code}",
            last_name="Bí thư",
            first_name=code[-4:],
            email=f"cb-{code}@{EMAIL_DOMAIN}",
            password=hashed,
        )  # fmt: skip
        for _id, code, _members, _parent in chosen
    )
    Membership.objects.bulk_create(
        Membership(user=user, unit_id=cell[0], role=MembershipRole.HEAD)
        for user, cell in zip(users, chosen, strict=True)
    )
    return len(users)


def dissemination_scale_create(*, cursor, units, directive, today, seed) -> dict:
    """Writes the cells, their sizes, the deadlines, plans, sessions,
    confirmations and load-test secretaries; answers the counts."""
    start = today - datetime.timedelta(days=COUNTED_FROM_DAYS_AGO)
    setting = DisseminationSetting.objects.create(directive=directive, counted_from=start)
    plan_due, cell_due = setting.plan_due_on(), setting.cell_due_on()
    first_id = Unit.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
    tuples, cells = _cells(units, first_id, seed)
    copy_tuples(cursor, Unit, CELL_FIELDS, tuples)
    sequence_reset(cursor, Unit)
    copy_tuples(cursor, CellSize, ["cell", "party_members", "updated_at"],
                ((cell_id, members, _moment(start)) for cell_id, _code, members, _parent in cells))  # fmt: skip
    plans, sessions = _plans_and_sessions(units, directive.pk, directive.issuing_unit_id, start, plan_due, seed)
    copy_tuples(cursor, ImplementingPlan, PLAN_FIELDS, plans)
    copy_tuples(cursor, DisseminationSession, SESSION_FIELDS, sessions)
    confirmations = _confirmations(cells, directive.pk, start, cell_due, seed)
    copy_tuples(cursor, CellConfirmation, CONFIRMATION_FIELDS, confirmations)
    for model in (ImplementingPlan, DisseminationSession, CellConfirmation):
        sequence_reset(cursor, model)
    secretaries = _secretaries(cells, {row[2] for row in confirmations})
    for model in (Unit, CellSize, ImplementingPlan, CellConfirmation):
        cursor.execute(f"ANALYZE {model._meta.db_table}")
    return {"party cells": len(cells), "party members": sum(c[2] for c in cells), "implementing plans": len(plans),
            "dissemination sessions": len(sessions), "cell confirmations": len(confirmations),
            "cell secretaries": secretaries}  # fmt: skip
