"""Production smoke test: the site started as production runs it, driven over HTTP.

collectstatic, `check --deploy`, gunicorn with DEBUG off, a Celery worker and
beat, PostgreSQL (database tracker_smoke, rebuilt each run) and Redis (db 4,
flushed); then, on loopback as a TLS-terminating proxy would send it
(`X-Forwarded-Proto: https`, `USE_X_FORWARDED_PROTO=1`, every other security
switch at its strict default): /healthz, the security headers, sign-in through
the real login form, a report filed with an attachment and submitted, the
office's inbox, a reminder sweep whose e-mail the worker writes to the file
backend, the three exports, sign-out. Prints every check; exits non-zero on
the first one that fails. Run by .ci/run after `make test`:

    .venv/bin/python .ci/smoke.py
"""

import contextlib
import email
import email.policy
import hashlib
import http.cookiejar
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
import zoneinfo
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

# The Content-Security-Policy header and `Cache-Control: no-store` on signed-in
# pages come with the "auth" branch (django-csp and the no-store middleware);
# until it is merged these two checks fail, by design.
EXPECT_AUTH_HEADERS = True

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
BIN = PYTHON.parent
DATABASE = "tracker_smoke"
REDIS_DB = 4
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}
VAR = ROOT / "var" / "smoke"
TIME_LIMIT = 240  # seconds for the whole smoke; it normally takes well under two minutes
REQUEST_TIMEOUT = 60
REPORTER, HEAD = "r-hu-tu-ky", "h-hu-tu-ky"
PASSWORD = "demo"  # noqa: S105 - the demo accounts' documented password
LOCAL = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
STARTED = time.monotonic()


class SmokeFailure(Exception):
    pass


# Failed EXPECT_AUTH_HEADERS checks: reported, and failing the run, at the end,
# so that every other check still runs and is seen.
AUTH_HEADER_FAILURES = []


def check_auth_header(condition, message):
    if EXPECT_AUTH_HEADERS and not condition:
        print(f"FAIL  {message} (EXPECT_AUTH_HEADERS: comes with the auth branch)", flush=True)
        AUTH_HEADER_FAILURES.append(message)


def elapsed():
    return time.monotonic() - STARTED


def check(condition, message):
    if not condition:
        raise SmokeFailure(message)


@contextlib.contextmanager
def step(title):
    began = time.monotonic()
    if elapsed() > TIME_LIMIT:
        raise SmokeFailure(f"time limit of {TIME_LIMIT} s exceeded before: {title}")
    try:
        yield
    except Exception as error:
        print(f"FAIL  {title} ({time.monotonic() - began:.1f} s): {error}", flush=True)
        raise
    print(f"ok    {title} ({time.monotonic() - began:.1f} s)", flush=True)


# --- processes -----------------------------------------------------------------------------------


def environment(port):
    """Production settings from the environment, as the README documents them."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PG"))}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{DATABASE}",
        REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
        VAR_DIR=str(VAR),
        EMAIL_URL=f"filemail:///{VAR / 'mail'}",
        USE_X_FORWARDED_PROTO="1",
        SITE_URL=f"https://127.0.0.1:{port}",
        CONN_MAX_AGE="60",
        LOG_LEVEL="WARNING",
        PATH=f"{BIN}:{os.environ.get('PATH', '')}",
    )
    return env


def manage(env, *args, timeout=120):
    done = subprocess.run(  # noqa: S603 - our own arguments
        [str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    check(done.returncode == 0, f"manage.py {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def psql(sql, database="postgres"):
    command = [shutil.which("psql") or "/usr/bin/psql", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"]]
    command += ["-d", database, "-v", "ON_ERROR_STOP=1", "-qtAc", sql]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)  # noqa: S603
    check(done.returncode == 0, f"psql failed: {done.stderr.strip()}")
    return done.stdout.strip()


class Processes:
    def __init__(self):
        self.started = []

    def start(self, name, command, env):
        log = open(VAR / "logs" / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop()
        process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started.append((name, process, log))
        return process

    def alive(self, name):
        return any(n == name and p.poll() is None for n, p, _log in self.started)

    def stop(self):
        for _name, process, _log in self.started:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for _name, process, log in self.started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            log.close()


# --- HTTP ----------------------------------------------------------------------------------------


class BehindTlsProxy(http.cookiejar.DefaultCookiePolicy):
    """The proxy speaks HTTPS to the browser: Secure cookies go back to the app."""

    def return_ok_secure(self, cookie, request):
        return True


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self):
        """The redirect's path (the app writes https:// URLs; we stay on loopback)."""
        url = urllib.parse.urlsplit(self.headers.get("Location", ""))
        return urllib.parse.urlunsplit(("", "", url.path, url.query, ""))


class Browser:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar(policy=BehindTlsProxy())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirects)

    def request(self, path, *, data=None, headers=None, forwarded=True, content_type=None):
        url = self.base + path
        request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310 - loopback http
        if forwarded:
            request.add_header("X-Forwarded-Proto", "https")
        if data is not None:
            request.add_header("Referer", "https://" + urllib.parse.urlsplit(self.base).netloc + path)
            request.add_header("Content-Type", content_type or "application/x-www-form-urlencoded")
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as answer:
                return Response(answer.status, answer.headers, answer.read())
        except urllib.error.HTTPError as answer:
            return Response(answer.code, answer.headers, answer.read())

    def get(self, path, **kwargs):
        return self.request(path, **kwargs)

    def follow(self, path, limit=5):
        response = self.get(path)
        while response.status in (301, 302, 303) and limit:
            response, limit = self.get(response.location), limit - 1
        return response

    def post(self, path, fields, files=()):
        if files:
            body, content_type = multipart(fields, files)
        else:
            body, content_type = urllib.parse.urlencode(fields).encode(), None
        return self.request(path, data=body, content_type=content_type)

    def sign_in(self, username):
        """Through the real login form with its CSRF token, as a person does."""
        page = self.get("/login/")
        check(page.status == 200, f"/login/ answered {page.status}")
        form = find_form(page.text, lambda form: "password" in form.fields)
        check(form is not None, "no login form on /login/")
        response = self.post(form.action or "/login/", {**form.fields, "username": username, "password": PASSWORD})
        check(response.status == 302, f"signing in as {username} answered {response.status}, not a redirect")
        check("/login/" not in response.location, f"signing in as {username} was refused")
        session = [cookie for cookie in self.jar if cookie.name == "sessionid"]
        check(session and session[0].secure, "the session cookie is missing or not Secure")
        check(session[0].has_nonstandard_attr("HttpOnly"), "the session cookie is not HttpOnly")
        return response

    def sign_out(self):
        page = self.get("/my-work/")
        form = find_form(page.text, lambda form: form.action == "/logout/")
        check(form is not None, "no sign-out form on a signed-in page")
        response = self.post("/logout/", form.fields)
        check(response.status == 302, f"signing out answered {response.status}")
        self.jar.clear()


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    for name, value in fields.items():
        body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        body.write(str(value).encode() + b"\r\n")
    for name, filename, content_type, content in files:
        body.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
        )
        body.write(content + b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    return body.getvalue(), f"multipart/form-data; boundary={boundary}"


class Form:
    def __init__(self, attrs):
        self.attrs = attrs
        self.action = attrs.get("action") or ""
        self.fields = {}
        self.buttons = []


class FormParser(HTMLParser):
    """The forms of a page with the values a browser would send by default."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.form, self.select, self.textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = {key: value if value is not None else "" for key, value in attrs}
        if tag == "form":
            self.form = Form(attrs)
            self.forms.append(self.form)
        elif self.form is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("file", "submit", "button"):
                self.form.fields[attrs["name"]] = attrs.get("value", "")
        elif tag == "button" and attrs.get("name"):
            self.form.buttons.append((attrs["name"], attrs.get("value", "")))
        elif tag == "select" and attrs.get("name"):
            self.select = attrs["name"]
        elif tag == "option" and self.select:
            if self.select not in self.form.fields or "selected" in attrs:
                self.form.fields[self.select] = attrs.get("value", "")
        elif tag == "textarea" and attrs.get("name"):
            self.textarea = attrs["name"]
            self.form.fields[self.textarea] = ""

    def handle_data(self, data):
        if self.textarea and self.form is not None:
            self.form.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            if self.textarea and self.form is not None:
                self.form.fields[self.textarea] = self.form.fields[self.textarea].removeprefix("\n")
            self.textarea = None


def find_form(html, matches):
    parser = FormParser()
    parser.feed(html)
    return next((form for form in parser.forms if matches(form)), None)


def links(html, pattern):
    return list(dict.fromkeys(re.findall(r'href="(' + pattern + r')"', html.replace("&amp;", "&"))))


# --- the checks ----------------------------------------------------------------------------------


def check_security_headers(response, what):
    headers = response.headers
    hsts = headers.get("Strict-Transport-Security", "")
    check("max-age=31536000" in hsts and "includeSubDomains" in hsts, f"{what}: HSTS is {hsts!r}")
    check(headers.get("X-Content-Type-Options") == "nosniff", f"{what}: X-Content-Type-Options is not nosniff")
    check(headers.get("X-Frame-Options") == "DENY", f"{what}: X-Frame-Options is {headers.get('X-Frame-Options')!r}")
    check(headers.get("Referrer-Policy"), f"{what}: no Referrer-Policy")
    checked = ["HSTS", "nosniff", "X-Frame-Options DENY", f"Referrer-Policy {headers.get('Referrer-Policy')}"]
    if EXPECT_AUTH_HEADERS:
        csp = headers.get("Content-Security-Policy", "")
        script_src = csp.split("script-src", 1)[-1].split(";", 1)[0] if "script-src" in csp else csp
        check_auth_header(csp, f"{what}: no Content-Security-Policy header")
        check_auth_header("'unsafe-inline'" not in script_src, f"{what}: the CSP allows inline scripts: {csp!r}")
        checked.append("Content-Security-Policy")
    return checked


def file_report(browser):
    """As the reporter: the first report "my work" offers with an empty form;
    saved with an attachment, then sent on. Returns (report path, attachment, sent action)."""
    page = browser.get("/my-work/")
    check(page.status == 200, f"/my-work/ answered {page.status}")
    for path in links(page.text, r"/assignments/\d+/periods/\d+/report/"):
        form_page = browser.follow(path)
        form = find_form(form_page.text, lambda form: form.attrs.get("data-testid") == "report-form")
        if form is not None and "expected_version" in form.fields:
            break
    else:
        raise SmokeFailure(f"{REPORTER} has no report to file on /my-work/")
    attachment = b"%PDF-1.4\n% smoke test attachment " + secrets.token_hex(16).encode() + b"\n%%EOF\n"
    fields = {
        **form.fields,
        "implementation_status": "in_progress",
        "percent_complete": "40",
        "results": "Kiểm tra khói: đã tổ chức 2 hội nghị quán triệt.",
        "action": "save",
    }
    saved = browser.post(form.action, fields, files=[("files", "bao-cao-kiem-tra.pdf", "application/pdf", attachment)])
    check(saved.status == 302 and re.fullmatch(r"/reports/\d+/", saved.location), f"saving answered {saved.status}")
    report_path = saved.location
    page = browser.get(report_path)
    downloads = links(page.text, re.escape(report_path) + r"attachments/\d+/")
    check(downloads, "the saved report shows no attachment")
    got = browser.get(downloads[0])
    check(got.status == 200, f"the attachment download answered {got.status}")
    check(hashlib.sha256(got.body).digest() == hashlib.sha256(attachment).digest(), "the attachment came back changed")
    form = find_form(page.text, lambda form: form.attrs.get("data-testid") == "report-form")
    check(form is not None, "the saved report has no form to send it")
    actions = [value for name, value in form.buttons if name == "action"]
    action = "submit" if "submit" in actions else "send_to_head"
    check(action in actions, f"the report offers no way to send it (buttons: {actions})")
    sent = browser.post(report_path, {**form.fields, "action": action})
    check(sent.status == 302, f"sending the report ({action}) answered {sent.status}")
    return report_path, action


def submit_as_head(browser, report_path):
    page = browser.get(report_path)
    form = find_form(page.text, lambda form: ("action", "submit") in form.buttons)
    check(form is not None, f"{HEAD} is not offered to submit {report_path}")
    sent = browser.post(form.action or report_path, {**form.fields, "action": "submit"})
    check(sent.status == 302, f"submitting answered {sent.status}")


def reminder_sweep(env):
    """One sweep at 09:00 on the first day from today on which one is sent (the
    demo always has a period due within the week and overdue reports)."""
    today = datetime.now(LOCAL).date()
    for days in range(0, 10):
        moment = datetime.combine(today + timedelta(days=days), datetime.min.time(), LOCAL).replace(hour=9)
        output = manage(env, "send_reminders", "--now", moment.isoformat())
        numbers = [int(n) for n in re.findall(r"\d+", output.strip().splitlines()[-1])]
        if len(numbers) >= 2 and numbers[1] > 0:
            return moment, numbers[1]
    raise SmokeFailure("no reminder sweep in the next 10 days sent anything")


def sent_mail(mail_dir):
    """Every message the file e-mail backend wrote, parsed."""
    messages = []
    for path in sorted(mail_dir.glob("*.log")) if mail_dir.is_dir() else []:
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk, policy=email.policy.default))
    return messages


def settled_mail_count(mail_dir, quiet=2.0, timeout=20):
    """The number of e-mails once the worker has sent what was already queued
    (the workflow's own e-mails), so that what comes after is the sweep's."""
    count, since, deadline = len(sent_mail(mail_dir)), time.monotonic(), time.monotonic() + timeout
    while time.monotonic() - since < quiet and time.monotonic() < deadline:
        time.sleep(0.5)
        now = len(sent_mail(mail_dir))
        if now != count:
            count, since = now, time.monotonic()
    return count


def wait_for_new_mail(mail_dir, before, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = sent_mail(mail_dir)
        if len(messages) > before:
            return messages[before:]
        time.sleep(0.5)
    raise SmokeFailure(f"no new e-mail in {mail_dir} after {timeout} s: is the Celery worker sending?")


def download_export(browser, path):
    response = browser.get(path)
    for _attempt in range(120):  # a large export goes through a job page that becomes a download
        if response.status != 302 and "text/html" not in response.headers.get("Content-Type", ""):
            break
        if response.status == 302:
            response = browser.get(response.location)
            continue
        ready = links(response.text, r"/dashboard/exports/[0-9a-f-]+/download/")
        if ready:
            response = browser.get(ready[0])
            continue
        time.sleep(0.5)
        response = browser.get(urllib.parse.urlsplit(path).path if response.status != 200 else path)
    check(response.status == 200, f"{path} answered {response.status}")
    return response


def run(processes):
    port = free_port()
    env = environment(port)
    setup_env = {**env, "DEBUG": "1"}
    checked = []

    with step(f"fresh database {DATABASE}, Redis db {REDIS_DB} flushed, {VAR.relative_to(ROOT)} emptied"):
        shutil.rmtree(VAR, ignore_errors=True)
        (VAR / "logs").mkdir(parents=True)
        psql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        psql(f'CREATE DATABASE "{DATABASE}"')
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    with step("migrate, load_directive, demo_data (DEBUG=1 for this setup step only)"):
        manage(env, "migrate", "--noinput")
        manage(env, "load_directive")
        manage(setup_env, "demo_data")
    with step("collectstatic (WhiteNoise manifest storage)"):
        manage(env, "collectstatic", "--noinput")
        check((VAR / "static" / "staticfiles.json").is_file(), "no staticfiles.json manifest")
    with step("check --deploy reports no issues (--fail-level WARNING)"):
        manage(env, "check", "--deploy", "--fail-level", "WARNING")
    checked.append("check --deploy clean")

    with step(f"gunicorn (2 workers) on 127.0.0.1:{port}, Celery worker and beat started"):
        processes.start(
            "web",
            [str(BIN / "gunicorn"), "tracker.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
             "--threads", "2", "--access-logfile", "-"],
            env,
        )  # fmt: skip
        processes.start(
            "worker",
            [str(BIN / "celery"), "-A", "tracker", "worker", "--loglevel=INFO", "--concurrency=1",
             "-n", "smoke@%h", "--without-mingle", "--without-gossip"],
            env,
        )  # fmt: skip
        processes.start(
            "beat",
            [str(BIN / "celery"), "-A", "tracker", "beat", "--loglevel=INFO",
             f"--pidfile={VAR / 'beat.pid'}", f"--schedule={VAR / 'beat-schedule'}"],
            env,
        )  # fmt: skip
        browser = Browser(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                health = browser.get("/healthz")
                if health.status == 200:
                    break
            check(processes.alive("web"), "gunicorn exited; see var/smoke/logs/web.log")
            time.sleep(0.5)
        check(health is not None and health.status == 200, f"/healthz never answered 200 ({health and health.text})")

    with step("/healthz answers 200 with the database and the broker up"):
        body = json.loads(health.text)
        check(body == {"status": "ok", "database": {"ok": True}, "broker": {"ok": True}}, f"/healthz said {body}")
    checked.append("/healthz 200, database and broker ok")

    with step("plain HTTP is redirected to HTTPS (SECURE_SSL_REDIRECT)"):
        plain = browser.get("/login/", forwarded=False)
        check(plain.status == 301, f"plain HTTP answered {plain.status}")
        check(plain.headers.get("Location", "").startswith("https://"), "the redirect is not to https://")
    checked.append("HTTP → HTTPS redirect")

    with step("static files served by WhiteNoise from the collected manifest"):
        page = browser.get("/login/")
        css = re.findall(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page.text)
        check(css, "the login page links no hashed stylesheet")
        asset = browser.get(css[0])
        check(asset.status == 200, f"{css[0]} answered {asset.status}")
        check("immutable" in asset.headers.get("Cache-Control", ""), "hashed static files are not cached as immutable")
    checked.append("static files (hashed, immutable)")

    with step(f"sign in as {REPORTER} through the login form (CSRF token; Secure HttpOnly session)"):
        browser.sign_in(REPORTER)
    checked.append("sign-in through the login form with its CSRF token; session cookie Secure and HttpOnly")
    with step("security headers (HSTS, nosniff, X-Frame-Options, Referrer-Policy) on /login/ and /my-work/"):
        page = browser.get("/my-work/")
        check(page.status == 200, f"/my-work/ answered {page.status}")
        names = check_security_headers(page, "/my-work/")
        if EXPECT_AUTH_HEADERS:
            cache_control = page.headers.get("Cache-Control", "")
            check_auth_header("no-store" in cache_control, f"/my-work/: Cache-Control {cache_control!r} lacks no-store")
            names.append("Cache-Control no-store")
        login_headers = check_security_headers(browser.get("/login/"), "/login/")
        check(login_headers, "no headers on /login/")
    checked.append("headers: " + ", ".join(names))

    with step("file a report with a PDF attachment, download it back (same SHA-256), send it"):
        report_path, action = file_report(browser)
        browser.sign_out()
    checked.append(f"report filed with attachment ({report_path}), sent with '{action}'")
    if action == "send_to_head":
        with step(f"sign in as {HEAD} and submit it to the provincial office"):
            browser.sign_in(HEAD)
            submit_as_head(browser, report_path)
            browser.sign_out()
        checked.append("unit head submitted it")
    with step("the provincial office sees it in its inbox"):
        browser.sign_in("office")
        inbox = browser.get("/inbox/?sort=newest")  # paginated: the newest report is on page 1
        check(inbox.status == 200, f"/inbox/ answered {inbox.status}")
        check(f'href="{report_path}"' in inbox.text, f"{report_path} is not in the office's inbox")
        browser.sign_out()
    checked.append("report in the office inbox")

    with step("reminder sweep (send_reminders) sends, and the worker writes the e-mail to var/smoke/mail"):
        before = settled_mail_count(VAR / "mail")
        moment, sent = reminder_sweep(env)
        new_mail = wait_for_new_mail(VAR / "mail", before, timeout=45)
        reminder = new_mail[0]
        recipient = str(reminder["To"]).split("@", 1)[0]
        check(recipient and reminder["Subject"], "the reminder e-mail has no recipient or subject")
    checked.append(
        f"reminders: {sent} sent by the sweep at {moment:%d/%m/%Y %H:%M}; the worker's e-mails began "
        f"arriving ({len(new_mail)} when seen), the first to {recipient}: "
        f"“{str(reminder['Subject']).strip()}”"
    )
    with step(f"the recipient ({recipient}) sees the reminder in the app"):
        browser.sign_in(recipient)
        page = browser.get("/notifications/")
        check(page.status == 200, f"/notifications/ answered {page.status}")
        check(re.search(r'action="/notifications/\d+/open/"', page.text), "the notifications page lists nothing")
        browser.sign_out()
    checked.append("reminder in the recipient's notifications")

    with step("the Standing Committee downloads the three exports of the dashboard"):
        browser.sign_in("committee")
        dashboard = browser.get("/dashboard/")
        check(dashboard.status == 200, f"/dashboard/ answered {dashboard.status}")
        sizes = []
        for name, magic in (("export.xlsx", b"PK"), ("summary.docx", b"PK"), ("summary.pdf", b"%PDF")):
            found = links(dashboard.text, r"/dashboard/" + re.escape(name) + r"\?[^\"]*")
            check(found, f"the dashboard has no {name} link")
            response = download_export(browser, found[0])
            check(response.body.startswith(magic), f"{name} is not a {magic!r} file")
            if magic == b"PK":
                check(zipfile.ZipFile(io.BytesIO(response.body)).testzip() is None, f"{name} is a damaged zip")
            sizes.append(f"{name} {len(response.body) // 1024} KB")
        browser.sign_out()
        check(browser.get("/my-work/").status == 302, "a signed-out browser still sees /my-work/")
    checked.append("exports: " + ", ".join(sizes) + "; signed out")

    with step("worker and beat still running"):
        check(processes.alive("worker"), "the Celery worker exited; see var/smoke/logs/worker.log")
        check(processes.alive("beat"), "Celery beat exited; see var/smoke/logs/beat.log")
        beat_log = (VAR / "logs" / "beat.log").read_text(errors="replace")
        check("beat: Starting" in beat_log, "beat did not start")
    checked.append("worker and beat alive")
    if AUTH_HEADER_FAILURES:
        raise SmokeFailure(
            "every other check passed, but EXPECT_AUTH_HEADERS checks failed: " + "; ".join(AUTH_HEADER_FAILURES)
        )
    return checked


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    print(f"Production smoke test (EXPECT_AUTH_HEADERS = {EXPECT_AUTH_HEADERS})", flush=True)
    processes = Processes()

    def stopped(signum, frame):  # `timeout` in .ci/run: stop what we started before going
        raise SmokeFailure(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, stopped)
    try:
        checked = run(processes)
    except Exception as error:
        print(f"\nSMOKE FAILED after {elapsed():.0f} s: {error}", flush=True)
        print(f"Logs: {VAR / 'logs'}", flush=True)
        return 1
    finally:
        processes.stop()
    print(f"\nSmoke test passed in {elapsed():.0f} s. Checked:")
    for line in checked:
        print(f"  - {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
