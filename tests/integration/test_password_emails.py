"""The "set your password" e-mail through a real Celery worker: queued when the
transaction commits, sent by the worker, and its link sets the password."""

import re

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from accounts.services import users_send_set_password
from tests.factories import UserFactory
from tests.integration.conftest import sent_emails, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Chi-thi-moi-2026!"


def test_a_real_worker_sends_the_set_password_email_and_its_link_works(start_worker, mail_dir, client):
    start_worker(concurrency=1)
    with transaction.atomic():
        user = UserFactory(username="nhap-tu-bang-tinh", email="nhap@example.vn")
        user.set_unusable_password()
        user.save()
        users_send_set_password(users=[user])
        assert sent_emails(mail_dir) == []  # nothing leaves before the commit

    (message,) = wait_until(lambda: sent_emails(mail_dir), timeout=45, message="the set-password e-mail")
    assert message["To"] == "nhap@example.vn"
    body = message.get_body(("plain",)).get_content()
    path = re.search(re.escape(settings.SITE_URL) + r"(/account/password/set/\S+/)", body).group(1)

    form = client.get(path, follow=True)
    answer = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert answer.status_code == 302 and answer.url == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
