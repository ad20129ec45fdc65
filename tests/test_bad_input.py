"""No input answers 500: every URL pattern of the project, as every role, by GET
and by POST, with malformed, non-ASCII, negative, huge and missing parameters.

The patterns come from the resolver itself (with the walk's URL for each, see
tests/test_url_walk.py, or one built from the pattern's converters), and the
parameters from what each view actually reads: a probe request records every
key the view looks up in ``request.GET`` or ``request.POST`` (so a form bound to
the query string counts its fields), and each of those keys is then sent with
every bad value, alone and among good values for the others. Each path id is
replaced by bad values too. Run on PostgreSQL as well (``DATABASE_URL``): a
huge id must not overflow a bigint there.
"""

import time
import uuid
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import IntConverter, UUIDConverter
from django.utils.datastructures import MultiValueDict

from reports.models import ReportState
from tests.test_url_walk import ROLES, WALK, make_world, private_files  # noqa: F401 - fixtures

# Missing (no parameter at all) is the first request to every URL.
BAD_VALUES = {
    "empty": "",
    "malformed": "1abc",
    "superscript digit": "²",
    "Arabic-Indic digits": "١٢",
    "negative": "-1",
    "huge": str(2**63),  # one more than PostgreSQL's bigint
    "NUL": "1\x00",
}
BAD_PATH_VALUES = {
    "zero": "0",
    "huge": "9" * 30,
    "bigint + 1": str(2**63),
    "negative": "-1",
    "superscript digit": "²",
    "Arabic-Indic digits": "١٢",
    "malformed": "1abc",
}
PROBE = "_probe"


def _own_not_found(url, response):
    """A 404 is the site's own answer: its error page, or under /api/ the API's JSON
    error (a machine code and a Vietnamese message, api/errors.py)."""
    if urlsplit(url).path.startswith("/api/"):
        kind = response["Content-Type"]
        if kind.startswith("application/json"):
            body = response.json()
            return body.get("code") == "not_found" and bool(body.get("message"))
        if kind.startswith("application/vnd.oai.openapi"):  # the schema's own YAML renderer
            return response.content.decode().startswith("code: not_found\nmessage: ")
    return b'data-testid="error-page"' in response.content


def patterns(resolver=None, prefix=""):
    """(name, pattern) of every URL pattern outside Django's admin."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":
                yield from patterns(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield pattern.name or prefix + str(pattern.pattern), pattern


def sample_url(name, pattern):
    """A URL for a pattern the walk does not know yet, from its converters."""
    kwargs = {}
    for key, converter in pattern.pattern.converters.items():
        if isinstance(converter, IntConverter):
            kwargs[key] = 1
        elif isinstance(converter, UUIDConverter):
            kwargs[key] = uuid.uuid4()
        else:
            kwargs[key] = "x"
    return reverse(name, kwargs=kwargs)


def urls_of(world):
    """(label, url) for every pattern: the walk's URLs for unit B's objects."""
    for name, pattern in patterns():
        cases = WALK.get(name)
        if cases:
            yield from ((case.label, case.url(world)) for case in cases)
        else:
            yield name, sample_url(name, pattern)


def good_values(world):
    report = world.report
    return {
        "directive": str(report.assignment.task.directive_id),
        "unit": str(report.assignment.unit_id),
        "task": str(report.assignment.task_id),
        "start": report.period.key,
        "end": report.period.key,
        "period": report.period.key,
        "report": str(report.pk),
        "page": "1",
    }


class Recorder:
    """Records the keys looked up in any request's GET or POST while active."""

    def __init__(self, monkeypatch):
        self.keys = None
        from django.http import QueryDict

        for method in ("__getitem__", "get", "getlist", "__contains__"):
            original = getattr(MultiValueDict, method, None) or getattr(dict, method)
            monkeypatch.setattr(MultiValueDict, method, self._wrap(original, QueryDict))

    def _wrap(self, original, query_dict):
        recorder = self

        def recording(self, key, *args, **kwargs):
            if recorder.keys is not None and isinstance(self, query_dict) and isinstance(key, str):
                recorder.keys.add(key)
            return original(self, key, *args, **kwargs)

        return recording

    def __enter__(self):
        self.keys = set()
        return self.keys

    def __exit__(self, *exc):
        self.keys = None


class Fuzz:
    def __init__(self, world, role):
        self.world, self.role = world, role
        self.client = Client()
        if world.users[role] is not None:
            self.client.force_login(world.users[role])
        self.requests = 0
        self.failures = []

    def send(self, method, url, params, label):
        """One request, its changes rolled back; a failure when it raises or
        answers 500, or when a 404 is not the site's own page."""
        self.requests += 1
        try:
            with transaction.atomic():
                send = self.client.get if method == "GET" else self.client.post
                response = send(url, params)
                if getattr(response, "streaming", False):
                    response.getvalue()
                transaction.set_rollback(True)
        except Exception as error:  # the point: anything raised is the failure reported
            self.failures.append(f"{self.role} {method} {url} {params!r} ({label}): raised {error!r}")
            return None
        if response.status_code >= 500:
            self.failures.append(f"{self.role} {method} {url} {params!r} ({label}): {response.status_code}")
        elif response.status_code == 404 and not _own_not_found(url, response):
            self.failures.append(f"{self.role} {method} {url} {params!r} ({label}): 404 without the error page")
        return response


def read_keys(fuzz, recorder, method, url, good):
    """The parameters the view reads, found by probing it twice: once with a
    stray key (so that forms bound to any query are bound), once with every key
    found so far given a good value (so that keys read further in are found)."""
    keys = set()
    for params in ({PROBE: "1"}, None):
        if params is None:
            params = {key: good.get(key, "1") for key in keys}
        with recorder as seen:
            fuzz.send(method, url, params, "probe")
        keys |= seen - {PROBE}
    return keys


def fuzz_role(world, role, recorder, *, part=0, parts=1):
    """Every URL as the role, or one part of them: every ``parts``-th URL from the
    ``part``-th, in the walk's order (building a URL may make its objects, so each
    is built when its turn comes, as in the whole run)."""
    fuzz = Fuzz(world, role)
    good = good_values(world)
    for index, (label, url) in enumerate(urls_of(world)):
        if index % parts != part:
            continue
        for method in ("GET", "POST"):
            fuzz.send(method, url, {}, f"{label}: nothing")
            keys = read_keys(fuzz, recorder, method, url, good)
            for key in sorted(keys):
                others = {other: good[other] for other in keys if other != key and other in good}
                for value_label, value in BAD_VALUES.items():
                    fuzz.send(method, url, {key: value}, f"{label}: {key} {value_label}")
                    if others:
                        fuzz.send(method, url, {**others, key: value}, f"{label}: {key} {value_label} among good")
        path = urlsplit(url).path
        match = resolve(path)
        ids = {str(value) for value in match.kwargs.values()}
        segments = path.split("/")
        for index, segment in enumerate(segments):
            if segment not in ids:
                continue
            for value_label, value in BAD_PATH_VALUES.items():
                bad = "/".join([*segments[:index], value, *segments[index + 1 :]])
                for method in ("GET", "POST"):
                    fuzz.send(method, bad, {}, f"{label}: path {value_label}")
    return fuzz


# Each role's URLs in this many parts, each its own test, so that the suite's
# workers share a role's few thousand requests.
PARTS = 4


@pytest.mark.slow
@pytest.mark.parametrize("part", range(PARTS))
@pytest.mark.parametrize("role", ROLES)
def test_no_url_answers_500_to_bad_parameters(role, part, make_world, monkeypatch):  # noqa: F811 - the fixture
    world = make_world(ReportState.SUBMITTED)
    recorder = Recorder(monkeypatch)
    started = time.monotonic()
    fuzz = fuzz_role(world, role, recorder, part=part, parts=PARTS)
    elapsed = time.monotonic() - started
    print(f"\n{role}, part {part + 1} of {PARTS}: {fuzz.requests} requests in {elapsed:.1f} s")  # noqa: T201
    assert fuzz.requests > 100, "the part fuzzed next to nothing"
    assert not fuzz.failures, f"{len(fuzz.failures)} of {fuzz.requests} requests failed:\n" + "\n".join(
        fuzz.failures[:60]
    )


def test_the_fuzz_reads_the_parameters_the_views_read(make_world, committee_user, monkeypatch):  # noqa: F811
    """The probe finds the selection's keys on the dashboard: the fuzz is not empty."""
    world = make_world(ReportState.SUBMITTED)
    recorder = Recorder(monkeypatch)
    fuzz = Fuzz(world, "committee")
    keys = read_keys(fuzz, recorder, "GET", reverse("dashboard_figure_rows"), good_values(world))
    assert {"directive", "unit", "start", "end", "task", "measure", "category"} <= keys


def test_every_path_id_is_bounded_to_the_databases_ids():
    """Django's ``int`` converter matches any number of digits; the ``id``
    converter stops at bigint, so a huge id is 404 before any query."""
    plain = [name for name, p in patterns() for c in p.pattern.converters.values() if type(c) is IntConverter]
    assert not plain, f"use <id:…> rather than <int:…> in these URL patterns: {plain}"


def test_every_pattern_gets_a_url(make_world):  # noqa: F811 - the fixture
    world = make_world(ReportState.SUBMITTED)
    labels = [label for label, _url in urls_of(world)]
    assert len(labels) >= len(list(patterns())) > 20
