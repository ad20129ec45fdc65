from celery import shared_task

from notifications.emails import TransientEmailError, digests_send, email_outbox_flush, notification_email_send


@shared_task(bind=True, acks_late=True, max_retries=6)
def send_notification_emails(self, ids):
    """E-mails the given notifications; transient failures are retried with
    exponential backoff (the outbox flush catches anything left over)."""
    retry = []
    for pk in ids:
        try:
            notification_email_send(notification_id=pk)
        except TransientEmailError:
            retry.append(pk)
    if retry:
        raise self.retry(args=[retry], countdown=min(60 * 2**self.request.retries, 3600))
    return len(ids)


@shared_task(acks_late=True)
def flush_email_outbox():
    return email_outbox_flush()


@shared_task(acks_late=True)
def send_daily_digests():
    return digests_send()
