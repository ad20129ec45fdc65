"""Exports too large for the request: an ExportJob row, built by a Celery
worker that reports its progress on the row; the file goes to private storage.

If the broker cannot take the job, the export is built in the request that
asked for it instead: it is never lost, only slower."""

import datetime
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation

from dashboard.exports import EXPORTS, export_build, export_filename, flavour_from
from dashboard.models import ExportJob, ExportState
from dashboard.selection import selection_from

logger = logging.getLogger(__name__)
# Errors a later attempt may not meet: the database or the file system hiccuped.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, OSError)
UNFINISHED = (ExportState.QUEUED, ExportState.RUNNING)
# A job queued or running for longer than this was lost with its worker: the
# next request builds a new one (the longest export takes minutes, not hours).
UNFINISHED_FOR_AT_MOST = datetime.timedelta(hours=1)


class _Query:
    """What ``selection_from`` reads of a request, rebuilt from the stored query."""

    def __init__(self, query):
        self.GET = QueryDict(query)


def export_job_create(*, user, kind: str, query: str, language: str) -> tuple[ExportJob, bool]:
    """The job building ``kind`` for the dashboard selection ``query``, and
    whether it is new (then queued once the transaction commits). The same
    request by the same user (a second click, ten parallel ones, a reload) gets
    the job already queued, being built or finished within
    ``EXPORT_REUSE_SECONDS``: the database holds one current job per request
    (the ``export_job_once`` constraint), so parallel requests cannot each
    insert one."""
    now = timezone.now()
    same = ExportJob.objects.filter(user=user, kind=kind, query=query, language=language, is_current=True)
    # No longer the answer to this request: a failed job, one finished a while
    # ago (the figures may have changed since), one a dead worker left unfinished.
    same.filter(
        Q(state=ExportState.FAILED)
        | Q(state=ExportState.DONE, finished_at__lt=now - datetime.timedelta(seconds=settings.EXPORT_REUSE_SECONDS))
        | Q(state__in=UNFINISHED, created_at__lt=now - UNFINISHED_FOR_AT_MOST)
    ).update(is_current=False)
    # get_or_create inserts in a savepoint and, when a parallel request's insert
    # wins the constraint, reads that request's job instead.
    job, created = ExportJob.objects.get_or_create(
        user=user, kind=kind, query=query, language=language, is_current=True
    )
    if created:
        transaction.on_commit(lambda: export_job_queue(job_id=job.pk))
    return job, created


def export_job_queue(*, job_id):
    """Hands the job to Celery; when the broker is unreachable the file is
    built here and now."""
    from dashboard.tasks import build_export

    try:
        build_export.delay(str(job_id))
    except Exception:  # the broker is down: build in the request rather than lose the export
        logger.warning("Could not queue export %s; building it in the request.", job_id, exc_info=True)
        try:
            export_job_run(job_id=job_id)
        except TRANSIENT_ERRORS as error:
            export_job_fail(job_id=job_id, error=error)


def _set_progress(job_id, percent):
    ExportJob.objects.filter(pk=job_id, state=ExportState.RUNNING).update(progress=max(1, min(int(percent), 99)))


def export_job_run(*, job_id) -> ExportJob | None:
    """Builds the job's file. A job already done or failed is left alone; one
    left running by a worker that died is built again. Errors that a retry
    may cure are raised for the caller to retry; any other marks the job
    failed. None when there is no such job."""
    claimed = ExportJob.objects.filter(pk=job_id, state__in=UNFINISHED).update(state=ExportState.RUNNING, progress=1)
    if not claimed:
        return ExportJob.objects.filter(pk=job_id).first()
    job = ExportJob.objects.get(pk=job_id)
    try:
        with translation.override(job.language):
            selection = selection_from(_Query(job.query))
            if selection is None:
                raise ValueError("The directive or its periods are gone.")
            figures = selection.figures()
            _set_progress(job.pk, 20)
            flavour = flavour_from(QueryDict(job.query))
            data = export_build(
                job.kind, figures, flavour=flavour, progress=lambda percent: _set_progress(job.pk, percent)
            )
            filename = export_filename(job.kind, figures, flavour)
        job.file.save(f"{job.pk}.{EXPORTS[job.kind].extension}", ContentFile(data), save=False)
    except TRANSIENT_ERRORS:
        raise
    except Exception as error:
        logger.exception("Export %s failed.", job_id)
        return export_job_fail(job_id=job_id, error=error)
    job.filename = filename
    job.state, job.progress, job.error, job.finished_at = ExportState.DONE, 100, "", timezone.now()
    job.save(update_fields=["file", "filename", "state", "progress", "error", "finished_at"])
    return job


def export_job_fail(*, job_id, error) -> ExportJob | None:
    ExportJob.objects.filter(pk=job_id, state__in=UNFINISHED).update(
        state=ExportState.FAILED,
        is_current=False,
        error=f"{type(error).__name__}: {error}"[:2000],
        finished_at=timezone.now(),
    )
    return ExportJob.objects.filter(pk=job_id).first()


def export_job_or_404(user, pk) -> ExportJob:
    """A job of the user's own: anyone else's is a 404."""
    return get_object_or_404(ExportJob, pk=pk, user=user)


def export_jobs_delete_old(*, now=None) -> int:
    """Deletes finished jobs older than ``EXPORT_KEEP_DAYS`` with their files;
    the number of jobs deleted."""
    now = now or timezone.now()
    old = ExportJob.objects.filter(created_at__lt=now - datetime.timedelta(days=settings.EXPORT_KEEP_DAYS))
    deleted = 0
    for job in old.exclude(state=ExportState.RUNNING):
        if job.file:
            job.file.delete(save=False)
        job.delete()
        deleted += 1
    return deleted
