from celery import shared_task

from notifications.emails import EMAIL_BATCH, digests_send, email_outbox_flush, notification_emails_send


@shared_task(bind=True, acks_late=True, max_retries=6)
def send_notification_emails(self, ids):
    """E-mails the given notifications; transient failures are retried with
    exponential backoff (the outbox flush catches anything left over)."""
    retry = []
    for start in range(0, len(ids), EMAIL_BATCH):
        retry += notification_emails_send(notification_ids=ids[start : start + EMAIL_BATCH])["retry"]
    if retry:
        raise self.retry(args=[retry], countdown=min(60 * 2**self.request.retries, 3600))
    return len(ids)


@shared_task(acks_late=True)
def flush_email_outbox():
    return email_outbox_flush()


@shared_task(acks_late=True)
def send_daily_digests():
    return digests_send()
