"""The demo province's reorganisation of 1 July 2025, as a sample workbook.

The reference data (README of the seed) confirms: the twelve district-level
Party committees of Hải Dương existed until 30 June 2025; from 1 July 2025 the
district level is abolished and Hải Dương is part of Thành phố Hải Phòng;
provincial Đảng đoàn / Ban cán sự đảng were replaced by new Party
organisations. It does not name the new communes and wards nor the new Party
organisations: every unit this file opens, except the city's Party committee
(named as the reference data names city committees, "Thành ủy" + the city),
is sample data, says so in its name and is marked as sample.

Rebuild the shipped file with ``python manage.py reorganisation_sample``."""

import datetime
from pathlib import Path

from directives.seed import hai_duong
from onboarding.reorganisation import sheet_write
from units.models import UnitKind, UnitLevel
from units.reorganisation import Change, ChangeKind

EFFECTIVE_ON = datetime.date(2025, 7, 1)
SAMPLE_PATH = Path(__file__).resolve().parent / "samples" / "sap-xep-to-chuc-2025.xlsx"
CITY = "tu-hai-phong"
SAMPLE = " (dữ liệu mẫu)"
# The demo's sample communes (reports.demo) move under the city; three under each of these.
SAMPLE_COMMUNE_DISTRICTS = ["hu-gia-loc", "hu-tu-ky"]
SAMPLE_COMMUNES_PER_DISTRICT = 3
NEW_COMMUNES_PER_DISTRICT = 2
NOTES = [
    "Mẫu: sắp xếp tổ chức của tỉnh mẫu từ ngày 01/7/2025 (12 huyện ủy, thành ủy, thị ủy kết thúc hoạt động ngày "
    "30/6/2025; Hải Dương thuộc thành phố Hải Phòng). Mọi đơn vị mới có “(dữ liệu mẫu)” trong tên là dữ liệu mẫu, "
    "không phải tên thật; riêng Thành ủy Hải Phòng gọi theo cách gọi thành ủy trong dữ liệu tham chiếu.",
]


def _place(name):
    """The district's place name, without "Huyện ủy", "Thành ủy", "Thị ủy"."""
    for prefix in ("Huyện ủy ", "Thành ủy ", "Thị ủy "):
        if name.startswith(prefix):
            return name.removeprefix(prefix)
    return name


def demo_changes():
    """The rows of the demo province's reorganisation, in sheet order."""
    day = EFFECTIVE_ON
    changes = [
        Change(
            code="tinh-uy",
            kind=ChangeKind.MERGE,
            effective_on=day,
            successors=[CITY],
            names=["Thành ủy Hải Phòng"],
            unit_kind=UnitKind.PARTY_COMMITTEE,
            level=UnitLevel.PROVINCE,
        ),  # fmt: skip
        Change(
            code="bcs-ubnd",
            kind=ChangeKind.MERGE,
            effective_on=day,
            successors=["du-ubnd-tp"],
            parent=CITY,
            names=["Đảng ủy Ủy ban nhân dân thành phố" + SAMPLE],
            unit_kind=UnitKind.PARTY_COMMITTEE,
            level=UnitLevel.PROVINCE,
            sample=True,
        ),  # fmt: skip
        Change(
            code="du-khoi-cq",
            kind=ChangeKind.SPLIT,
            effective_on=day,
            successors=["du-cq-dang-tp", "du-ubnd-tp"],
            parent=CITY,
            names=["Đảng ủy các cơ quan Đảng thành phố" + SAMPLE, ""],
            unit_kind=UnitKind.PARTY_COMMITTEE,
            level=UnitLevel.PROVINCE,
            sample=True,
        ),  # fmt: skip
        Change(
            code="dd-hdnd",
            kind=ChangeKind.RENAME,
            effective_on=day,
            successors=["dd-hdnd-tp"],
            parent=CITY,
            names=["Đảng đoàn HĐND thành phố" + SAMPLE],
            sample=True,
        ),  # fmt: skip
        Change(code="du-khoi-dn", kind=ChangeKind.DISSOLVE, effective_on=day),
    ]
    for code in SAMPLE_COMMUNE_DISTRICTS:
        for number in range(1, SAMPLE_COMMUNES_PER_DISTRICT + 1):
            commune = f"xa-mau-{code.removeprefix('hu-')}-{number}"
            changes.append(Change(code=commune, kind=ChangeKind.MOVE, effective_on=day, parent=CITY))
    for code, name in hai_duong.DISTRICT_COMMITTEES:
        place = _place(name)
        short = code.split("-", 1)[1]
        codes = [f"xa-moi-{short}-{n}" for n in range(1, NEW_COMMUNES_PER_DISTRICT + 1)]
        names = [f"Đảng ủy xã Mới {n} (từ {name}){SAMPLE}" for n in range(1, NEW_COMMUNES_PER_DISTRICT + 1)]
        if name.startswith(("Thành ủy", "Thị ủy")):
            names = [f"Đảng ủy phường Mới {n} ({place}){SAMPLE}" for n in range(1, NEW_COMMUNES_PER_DISTRICT + 1)]
        changes.append(Change(code=code, kind=ChangeKind.SPLIT, effective_on=day, successors=codes, parent=CITY,
                              names=names, unit_kind=UnitKind.PARTY_COMMITTEE, level=UnitLevel.COMMUNE,
                              sample=True))  # fmt: skip
    return changes


def demo_sheet() -> bytes:
    return sheet_write(demo_changes(), notes=NOTES)


def demo_sheet_save(path=SAMPLE_PATH):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(demo_sheet())
    return path


def demo_reorganise(*, path=SAMPLE_PATH, dry_run=False):
    """Applies the shipped sample workbook and rebuilds the dashboard's
    tallies; the outcome."""
    from dashboard.tallies import tallies_rebuild
    from onboarding.reorganisation import changes_read
    from units.reorganisation import reorganisation_run

    changes, problems = changes_read(data=path.read_bytes(), filename=path.name)
    if problems:
        raise ValueError(problems)
    outcome = reorganisation_run(changes=changes, user=None, dry_run=dry_run, source="demo_data", filename=path.name)
    if outcome.applied:
        tallies_rebuild()
    return outcome


def demo_reorganise_command(command):
    """``demo_data --reorganise-2025``: applies it and prints what it did."""
    from django.core.management.base import CommandError

    from units.models import Unit
    from units.reorganisation import outcome_lines

    if Unit.objects.filter(code=CITY).exists():
        command.stdout.write("Nothing to do: the reorganisation of 1 July 2025 is already applied.")
        return
    outcome = demo_reorganise()
    for line in outcome_lines(outcome):
        command.stdout.write(line)
    command.stdout.write(f"{outcome.seconds:.1f} s")
    if not outcome.applied:
        raise CommandError("Nothing was changed.")
    command.stdout.write(command.style.SUCCESS("The demo province is reorganised (1 July 2025)."))
