from celery import shared_task

from dashboard.exports.jobs import TRANSIENT_ERRORS, export_job_fail, export_job_run, export_jobs_delete_old


@shared_task(bind=True, acks_late=True, max_retries=5)
def build_export(self, job_id):
    """Builds an export job's file; a database or storage hiccup is retried
    with exponential backoff, and fails the job once the retries run out."""
    try:
        job = export_job_run(job_id=job_id)
    except TRANSIENT_ERRORS as error:
        if self.request.retries >= self.max_retries:
            export_job_fail(job_id=job_id, error=error)
            raise
        raise self.retry(exc=error, countdown=min(30 * 2**self.request.retries, 1800)) from error
    return job.state if job is not None else None


@shared_task(acks_late=True)
def delete_old_exports():
    return export_jobs_delete_old()


@shared_task(acks_late=True)
def rebuild_tallies():
    """Rebuilds every directive's dashboard tallies (queued when they went
    stale, and nightly: the status of a period not yet past due changes with
    the day)."""
    from dashboard.tallies import tallies_rebuild

    return tallies_rebuild()


@shared_task(acks_late=True)
def refresh_statistics():
    """Nightly: the database's planner statistics for every table."""
    from tracker.database import statistics_refresh

    return statistics_refresh()
