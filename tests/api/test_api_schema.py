"""The schema: generated without a warning, and honoured. Schemathesis sends
generated requests to every operation with a read-write key on the demo data,
bounded in examples per operation, and fails on any 500 or any answer the
schema does not describe (status code, content type, body)."""

import time
from collections import Counter

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.keys import apikey_create

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 12


def test_the_schema_generates_without_warnings(tmp_path):
    # --fail-on-warn turns any warning (an unresolved type or field) into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    text = (tmp_path / "schema.yaml").read_text()
    assert "/api/v1/reports/{id}/submit/" in text and "ApiKey" in text


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True  # demo_data runs only then
    call_command("load_directive", verbosity=0)
    call_command("demo_data", verbosity=0)


@pytest.fixture
def wsgi_app(settings, tmp_path):
    """The project as a WSGI app in the test's transaction (as Django's test client does,
    the connection is not closed between requests)."""
    from django.core.wsgi import get_wsgi_application

    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    settings.API_KEY_RATE = "100000/minute"
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    request_started.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)


def real_ids():
    """Path parameters that name demo objects, so that details are reached too."""
    from reports.models import Attachment, ProgressReport

    report = ProgressReport.objects.filter(state="draft").order_by("pk").first()
    attachment = Attachment.objects.order_by("pk").first()
    return {"id": report.pk, "report_pk": attachment.report_id if attachment else report.pk}


@pytest.mark.slow
def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_schema(demo, wsgi_app, capsys):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="admin")
    _key, raw = apikey_create(user=user, name="schemathesis", read_only=False)
    headers = {"Authorization": f"Api-Key {raw}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    known = real_ids()
    operations, examples, failures, statuses = 0, Counter(), [], Counter()
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        strategy = operation.as_strategy()
        names = {parameter.name for parameter in operation.path_parameters}
        if names:
            strategy = st.one_of(strategy, operation.as_strategy(path_parameters={n: known[n] for n in names}))

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(case=strategy)
        def run(case):
            label = case.operation.label
            examples[label] += 1
            try:
                statuses[case.call_and_validate(headers=headers, checks=CHECKS).status_code] += 1
            except Exception as error:  # noqa: BLE001 - every failure is collected and reported below
                failures.append(f"{label}: {str(error)[:600]}")

        run()
    seconds = time.monotonic() - started
    with capsys.disabled():
        print(f"\nschemathesis: {operations} operations, {sum(examples.values())} examples, "
              f"{len(failures)} failures, {seconds:.1f} s; answers {dict(sorted(statuses.items()))}")  # fmt: skip
    assert operations >= 30
    assert not failures, "\n\n".join(failures[:20])
