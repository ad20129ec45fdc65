"""The integration tests' e-mail backend (selected in the worker by worker_hooks).

Django's file backend, with two changes the tests need: every message gets a
file of its own (the stock backend names files by timestamp and ``id(self)``,
which forked worker processes can share, so two of them could interleave their
appends), and, when INTEGRATION_EMAIL_DELAY is set, a pause BEFORE anything is
written. A SIGKILL during that pause loses the message without a trace, exactly
as a worker dying before the SMTP server took it; the outbox must send it again.
"""

import datetime
import os
import time
import uuid

from django.core.mail.backends import filebased


class SlowFileBackend(filebased.EmailBackend):
    def _get_filename(self):
        if self._fname is None:
            stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
            self._fname = os.path.join(self.file_path, f"{stamp}-{os.getpid()}-{uuid.uuid4().hex}.log")
        return self._fname

    def send_messages(self, email_messages):
        delay = float(os.environ.get("INTEGRATION_EMAIL_DELAY") or 0)
        if delay and email_messages:
            time.sleep(delay * len(email_messages))
        return super().send_messages(email_messages)
