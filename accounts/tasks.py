import smtplib

from celery import shared_task

from accounts.services import password_email_send


@shared_task(bind=True, acks_late=True, max_retries=6)
def send_password_emails(self, ids, kind):
    """Sends the password e-mails; a mail server that cannot take them now is
    tried again with growing backoff."""
    retry = []
    for pk in ids:
        try:
            password_email_send(user_id=pk, kind=kind)
        except (smtplib.SMTPException, OSError):
            retry.append(pk)
    if retry:
        raise self.retry(args=[retry, kind], countdown=min(60 * 2**self.request.retries, 3600))
    return len(ids)
