"""An import of the organisation workbook as a job: checked first (in the
request when small, by a Celery worker when large), kept with its report until
the importer confirms it, then applied all or nothing.

If the broker cannot take a job it runs in the request instead: never lost."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from accounts.services import users_send_set_password
from onboarding import workbook
from onboarding.models import ImportBatch, ImportState
from onboarding.services import organisation_import

logger = logging.getLogger(__name__)
# Rows of each status the stored report lists (the counts are always whole).
LISTED_ROWS = 1000


def report_as_data(report):
    sheets = []
    for sheet in report.sheets:
        listed = [row for row in sheet.rows if row.status != "unchanged"]
        sheets.append(
            {
                "key": sheet.key,
                "title": sheet.title,
                "counts": sheet.counts,
                "rows": [
                    {
                        "number": row.number,
                        "status": row.status,
                        "key": row.key,
                        "changed": row.changed,
                        "errors": [[column or "", message] for column, message in row.errors],
                    }
                    for row in listed[:LISTED_ROWS]
                ],
                "more": max(0, len(listed) - LISTED_ROWS),
            }
        )
    return {"ok": report.ok, "counts": report.counts, "sheets": sheets}


def import_batch_create(*, user, upload) -> ImportBatch:
    """Stores the upload and checks it: at once when it is small, otherwise
    queued for a worker. Raises workbook.WorkbookError for a file that cannot
    be read at all (nothing is stored then)."""
    data = upload.read()
    sheets = workbook.read(data, upload.name)
    rows = sum(len(sheet.dataset) for sheet in sheets)
    batch = ImportBatch(user=user, filename=upload.name[:255], rows=rows)
    batch.file.save(
        f"{batch.pk}.{'csv' if upload.name.lower().endswith('.csv') else 'xlsx'}", ContentFile(data), save=False
    )
    batch.save()
    if rows <= settings.IMPORT_INLINE_MAX_ROWS:
        import_batch_check(batch_id=batch.pk)
    else:
        transaction.on_commit(lambda: _queue("check_import", batch.pk))
    return batch


def _queue(name, batch_id):
    from onboarding import tasks

    try:
        getattr(tasks, name).delay(str(batch_id))
    except Exception:  # the broker is down: do the work here rather than lose it
        logger.warning("Could not queue %s for import %s; running it in the request.", name, batch_id, exc_info=True)
        {"check_import": import_batch_check, "apply_import": import_batch_apply}[name](batch_id=batch_id)


class _Progress:
    """The job's progress bar: written when it moves by ``STEP`` points or more,
    so at most 100 / STEP writes per phase whatever the file's size. Inside the
    import's transaction (the apply) the bar is written through a connection of
    its own on PostgreSQL, so that the page sees it before the commit."""

    STEP = 5

    def __init__(self, batch_id):
        self.batch_id, self.shown, self.side = batch_id, 0, None
        self.writes = 0

    def __call__(self, fraction):
        percent = min(99, int(fraction * 100))
        if percent < self.shown + self.STEP:
            return
        self.shown = percent
        if not connection.in_atomic_block:
            ImportBatch.objects.filter(pk=self.batch_id).update(progress=percent)
        elif connection.vendor == "postgresql":
            try:
                if self.side is None:
                    self.side = connections.create_connection("default")
                with self.side.cursor() as cursor:
                    # Never wait behind a lock the request itself may hold on the row.
                    cursor.execute("SET lock_timeout = '1s'")
                    cursor.execute(
                        f"UPDATE {ImportBatch._meta.db_table} SET progress = %s WHERE id = %s::uuid",  # noqa: S608
                        [percent, str(self.batch_id)],
                    )
            except DatabaseError:
                logger.info("Progress of import %s not written.", self.batch_id, exc_info=True)
                return
        else:
            return
        self.writes += 1

    def close(self):
        if self.side is not None:
            self.side.close()


def _read(batch):
    with batch.file.open("rb") as handle:
        return handle.read()


def import_batch_check(*, batch_id):
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.state != ImportState.CHECKING:
        return batch
    progress = _Progress(batch.pk)
    try:
        report = organisation_import(data=_read(batch), filename=batch.filename, dry_run=True, progress=progress)
    except workbook.WorkbookError as error:
        batch.state, batch.error = ImportState.REFUSED, str(error)
    else:
        batch.report = report_as_data(report)
        batch.state = ImportState.CHECKED if report.ok else ImportState.REFUSED
    batch.progress = 100
    batch.save(update_fields=["report", "state", "error", "progress"])
    return batch


def import_batch_confirm(*, batch_id, user) -> ImportBatch | None:
    """Claims a checked batch for applying (once, whoever clicks twice) and
    applies it: in the request when small, else by a worker."""
    claimed = ImportBatch.objects.filter(pk=batch_id, user=user, state=ImportState.CHECKED).update(
        state=ImportState.APPLYING, progress=0
    )
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if not claimed:
        return batch
    if batch.rows <= settings.IMPORT_INLINE_MAX_ROWS:
        return import_batch_apply(batch_id=batch_id)
    transaction.on_commit(lambda: _queue("apply_import", batch_id))
    return batch


def import_batch_apply(*, batch_id):
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.state != ImportState.APPLYING:
        return batch
    progress = _Progress(batch.pk)
    try:
        report = organisation_import(
            data=_read(batch), filename=batch.filename, dry_run=False, user=batch.user, progress=progress
        )
    finally:
        progress.close()
    batch.report = report_as_data(report)
    batch.state = ImportState.APPLIED if report.applied else ImportState.REFUSED
    batch.applied_at = timezone.now() if report.applied else None
    batch.progress = 100
    batch.save(update_fields=["report", "state", "applied_at", "progress"])
    if report.applied and report.created_users:
        users_welcome(report.created_users)
    return batch


def users_welcome(user_ids):
    """New users are asked by e-mail to set their own password."""
    users = get_user_model().objects.filter(pk__in=user_ids).exclude(email="")
    users_send_set_password(users=users)
