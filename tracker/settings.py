"""Settings for the directive tracker, read from the environment.

Development defaults need no services: SQLite under var/, kombu's filesystem
broker under var/, e-mail printed to the console. DEBUG is off unless set (in
the environment or the untracked .env that `make` writes); with DEBUG off the
site refuses to start without SECRET_KEY and ALLOWED_HOSTS.
"""

import datetime
import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent

# A development checkout has an untracked .env (written by `make`, DEBUG=1) so
# that plain `python manage.py ...` works; variables already set win over it.
# Production has no .env and stays strict.
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for development).")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "accounts.apps.SignInLockoutConfig",
    "csp",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "units",
    "directives",
    "reports",
    "notifications",
    "reminders",
    "dashboard",
    "backups",
    "accounts",
    "import_export",
    "onboarding",
    # The REST API (api/): Django REST Framework, its OpenAPI schema and filters.
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    # The follow-up register (issue #15).
    "followups",
    "dissemination",
]

# Object permissions come from ``rules`` (each app's rules.py); model
# permissions for the admin from Django's backend.
# django-axes first: it refuses a locked-out account or address before any
# password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Server-Timing (the time Django spent on the request) only when asked for:
# the benchmark turns it on; elsewhere it would tell an outsider too much.
SERVER_TIMING = env.bool("SERVER_TIMING", default=False)
MIDDLEWARE = [
    *(["tracker.timing.ServerTimingMiddleware"] if SERVER_TIMING else []),
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before the CSRF check and the views read the body: a body over the limit is never read.
    "tracker.uploads.UploadLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.unread_count",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL is set.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a live server, a browser and a worker process
    # in the tests all see the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # BEGIN IMMEDIATE: a transaction that reads and then writes (the reminder
    # claim, the e-mail claim) waits for the write lock instead of failing at
    # once with "database is locked" when another worker process holds it.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Password reset and "set your password" links stay valid this many hours.
PASSWORD_LINK_HOURS = env.int("PASSWORD_LINK_HOURS", default=72)
if PASSWORD_LINK_HOURS < 1:
    raise ImproperlyConfigured("PASSWORD_LINK_HOURS must be at least 1.")
PASSWORD_RESET_TIMEOUT = PASSWORD_LINK_HOURS * 3600

# Sign-in lockout (django-axes): after LOGIN_FAILURE_LIMIT failures for one
# account, or LOGIN_ADDRESS_FAILURE_LIMIT from one address (over any accounts:
# colleagues behind one office NAT address must not lock each other out), sign-in
# is refused for LOGIN_LOCKOUT_MINUTES counted from the last failure that was let
# through. Failures while locked do not extend the lock, so a guesser cannot keep
# the office out; administrators see and clear locks in the admin.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
if LOGIN_FAILURE_LIMIT < 1 or LOGIN_LOCKOUT_MINUTES < 1:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_LOCKOUT_MINUTES must be at least 1.")
if LOGIN_ADDRESS_FAILURE_LIMIT < LOGIN_FAILURE_LIMIT:
    raise ImproperlyConfigured("LOGIN_ADDRESS_FAILURE_LIMIT cannot be below LOGIN_FAILURE_LIMIT.")
AXES_HANDLER = "accounts.lockout.SignInLockoutHandler"
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A success does not wipe the count: it would also wipe the failures other
# accounts collected from the same address (an insider could then guess on).
AXES_RESET_ON_SUCCESS = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
# Behind a reverse proxy: the request header that carries the client's address
# as the proxy saw it (e.g. X-Forwarded-For or X-Real-IP), and how many trusted
# proxies append to it (the address is read that many entries from the right,
# so a client cannot choose it). Unset: the connection's address (REMOTE_ADDR).
CLIENT_IP_HEADER = env.str("CLIENT_IP_HEADER", default="")
CLIENT_IP_PROXY_COUNT = env.int("CLIENT_IP_PROXY_COUNT", default=1)
if CLIENT_IP_PROXY_COUNT < 1:
    raise ImproperlyConfigured("CLIENT_IP_PROXY_COUNT must be at least 1.")

# Sessions: signed out SESSION_HOURS after signing in, or after
# SESSION_IDLE_MINUTES without a request, whichever comes first.
SESSION_HOURS = env.int("SESSION_HOURS", default=8)
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=120)
if SESSION_HOURS < 1 or SESSION_IDLE_MINUTES < 1:
    raise ImproperlyConfigured("SESSION_HOURS and SESSION_IDLE_MINUTES must be at least 1.")
SESSION_COOKIE_AGE = SESSION_HOURS * 3600

# A refused form (an expired CSRF token) gets the site's own page, in its language.
CSRF_FAILURE_VIEW = "tracker.errors.csrf_failure"

# Language, time zone, formats.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["tracker.formats"]

# Static files: our own under static/, front-end packages from npm's node_modules.
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# WhiteNoise serves each static file gzipped (and brotli'd where the brotli package
# is installed), compressed once by collectstatic. Source maps (35 MB of the 57 MB
# collected, fetched only by a browser's developer tools) are served as they are:
# compressing them took most of collectstatic's minute.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
# Report attachments live outside every web root and are served only by a
# permission-checked view.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport.
REDIS_URL = env.str("REDIS_URL", default="")
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    for folder in ("queue", "processed", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# E-mail: django-environ URL syntax (smtp+tls://user:pass@host:587, consolemail://, filemail://path).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://localhost")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Theo dõi Chỉ thị <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Attachments: the largest file accepted, in bytes (20 MB by default).
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
if ATTACHMENT_MAX_BYTES < 1:
    raise ImproperlyConfigured("ATTACHMENT_MAX_BYTES must be at least 1.")
# A request body larger than ATTACHMENT_MAX_BYTES + 1 MB (the form's own
# fields) is refused before it is read: tracker/uploads.py.
# Free text (report fields, reasons, notes, the admin's text fields): the most
# characters one field may hold, counted after normalisation (tracker/text.py).
TEXT_MAX_CHARS = env.int("TEXT_MAX_CHARS", default=20000)
# The full text of a directive pasted in the admin may be a whole document.
DOCUMENT_TEXT_MAX_CHARS = env.int("DOCUMENT_TEXT_MAX_CHARS", default=200000)
if TEXT_MAX_CHARS < 1 or DOCUMENT_TEXT_MAX_CHARS < 1:
    raise ImproperlyConfigured("TEXT_MAX_CHARS and DOCUMENT_TEXT_MAX_CHARS must be at least 1.")
# The office inbox flags reports waiting for review longer than this many days.
REVIEW_WAITING_DAYS = env.int("REVIEW_WAITING_DAYS", default=5)

# Reminders: overdue reports older than this are left to the office's late list.
REMINDER_OVERDUE_HORIZON_DAYS = env.int("REMINDER_OVERDUE_HORIZON_DAYS", default=180)
# Reminders are delivered this many to a transaction (each chunk commits whole).
REMINDER_DELIVERY_CHUNK = env.int("REMINDER_DELIVERY_CHUNK", default=2000)
if REMINDER_DELIVERY_CHUNK < 1:
    raise ImproperlyConfigured("REMINDER_DELIVERY_CHUNK must be at least 1.")
# On PostgreSQL, this many chunks are delivered at once, each in its own connection and
# transaction: while one waits for the database, the next is prepared.
REMINDER_DELIVERY_THREADS = env.int("REMINDER_DELIVERY_THREADS", default=2)
if REMINDER_DELIVERY_THREADS < 1:
    raise ImproperlyConfigured("REMINDER_DELIVERY_THREADS must be at least 1.")
# A notification e-mail claimed by a worker that died is retried after this many minutes.
EMAIL_CLAIM_MINUTES = env.int("EMAIL_CLAIM_MINUTES", default=10)
EMAIL_MAX_ATTEMPTS = env.int("EMAIL_MAX_ATTEMPTS", default=8)
# Absolute links in e-mails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Dashboard exports covering more expected reports than this are built by a
# Celery worker behind a progress page; smaller ones in the request.
EXPORT_INLINE_MAX_ROWS = env.int("EXPORT_INLINE_MAX_ROWS", default=5000)
if EXPORT_INLINE_MAX_ROWS < 0:
    raise ImproperlyConfigured("EXPORT_INLINE_MAX_ROWS cannot be negative.")
# A directive with more assignments than this is never computed live on the
# dashboard: while its tallies are rebuilt the last ones are shown, marked so.
DASHBOARD_LIVE_MAX_ASSIGNMENTS = env.int("DASHBOARD_LIVE_MAX_ASSIGNMENTS", default=20000)
# A full tally rebuild of a directive with at least this many assignments walks
# its top rows in TALLY_PROCESSES processes (on PostgreSQL; default: one a core).
TALLY_PROCESSES = env.int("TALLY_PROCESSES", default=os.cpu_count() or 1)
TALLY_PROCESSES_FROM = env.int("TALLY_PROCESSES_FROM", default=20000)
if TALLY_PROCESSES < 1:
    raise ImproperlyConfigured("TALLY_PROCESSES must be at least 1.")
# Organisation workbooks with more rows than this are checked and imported by a
# Celery worker behind a progress page; smaller ones in the request.
IMPORT_INLINE_MAX_ROWS = env.int("IMPORT_INLINE_MAX_ROWS", default=2000)
if IMPORT_INLINE_MAX_ROWS < 0:
    raise ImproperlyConfigured("IMPORT_INLINE_MAX_ROWS cannot be negative.")
# Export files built by workers are deleted after this many days (a beat job).
EXPORT_KEEP_DAYS = env.int("EXPORT_KEEP_DAYS", default=7)
if EXPORT_KEEP_DAYS < 1:
    raise ImproperlyConfigured("EXPORT_KEEP_DAYS must be at least 1.")
# A finished export is handed again, rather than built again, to the same user
# asking for the same selection within this many seconds.
EXPORT_REUSE_SECONDS = env.int("EXPORT_REUSE_SECONDS", default=600)
if EXPORT_REUSE_SECONDS < 0:
    raise ImproperlyConfigured("EXPORT_REUSE_SECONDS cannot be negative.")

# Reporting rules (Nghị định 09/2019/NĐ-CP defaults, all configurable).
REPORTING_CUTOFF_DAY = env.int("REPORTING_CUTOFF_DAY", default=14)
REPORTING_DUE_DAYS_AFTER_CUTOFF = env.int("REPORTING_DUE_DAYS_AFTER_CUTOFF", default=5)

# Security: strict when DEBUG is off; each switch can be relaxed from the environment
# (for example when a reverse proxy terminates TLS).
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy (django-csp): scripts, styles, fonts and images only
# from our own origin, nothing inline. Bootstrap's CSS draws its form icons as
# data: SVG images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    if env.bool("USE_X_FORWARDED_PROTO", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The REST API (api/, README "The API"). A personal API key may make API_KEY_RATE
# requests (DRF's "number/period": 600/minute); more get 429 with Retry-After.
API_KEY_RATE = env.str("API_KEY_RATE", default="600/minute")
API_PAGE_SIZE = env.int("API_PAGE_SIZE", default=50)
API_PAGE_SIZE_MAX = env.int("API_PAGE_SIZE_MAX", default=500)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.SignedInWithKeyScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": API_KEY_RATE},
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Directive tracker API",
    "DESCRIPTION": "Directives, assignments, progress reports and the dashboard's figures, "
    'with the permissions of the pages. See the README, "The API".',
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets used by several fields get one name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "FollowUpStatusEnum": "followups.models.FollowUpStatus",
        "PlanKindEnum": "dissemination.models.PlanKind",
        "SessionLevelEnum": "dissemination.models.SessionLevel",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
