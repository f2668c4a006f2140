"""Settings read from the environment (see the table in README.md).

Every variable has a development default so that `make run` works on a fresh clone with
SQLite and an embedded Celery broker. `config.settings.production` removes the defaults.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import environ

from commission.observability import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
LOCAL_DIR = BASE_DIR / ".local"  # ignored by git: generated secrets, SQLite file, broker folders

# Under the production module nothing is generated or written here; every value must be given.
PRODUCTION = os.environ.get("DJANGO_SETTINGS_MODULE") == "config.settings.production"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _local_secret(name: str, factory) -> str:
    """A development secret generated once into .local/ (never committed)."""
    if PRODUCTION:
        return ""
    LOCAL_DIR.mkdir(exist_ok=True)
    path = LOCAL_DIR / name
    if not path.exists():
        path.write_text(factory())
        path.chmod(0o600)
    return path.read_text().strip()


def _fernet_key() -> str:
    import base64
    import os

    return base64.urlsafe_b64encode(os.urandom(32)).decode()


DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="") or _local_secret(
    "secret_key", lambda: secrets.token_urlsafe(50)
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Confidential fields (worker identities, interview records) are encrypted with this key.
# Comma-separated list: the first key encrypts, all keys decrypt (rotation).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEY", default=[]) or [
    _local_secret("field_encryption_key", _fernet_key)
]

# The commission's own apps, in layer order (see the import-linter contract in pyproject.toml).
COMMISSION_APPS = [
    "commission",
    "criteria",
    "complaints",
    "investigations",
    "hearings",
    "sanctions",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_celery_beat",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    *COMMISSION_APPS,
]

MIDDLEWARE = [
    # First: every log line of the request carries its id, and its latency is measured whole.
    "commission.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "commission.two_factor.StaffSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Signs out a browser session idle for SESSION_IDLE_TIMEOUT_MINUTES (commission/accounts.py).
    "commission.accounts.IdleSessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its lockout response.
    "axes.middleware.AxesMiddleware",
]

# Content Security Policy on every response (django-csp): the pages load scripts, styles
# and images from this origin only and run no inline script; nothing may frame them. A view
# with needs of its own (the API docs, evidence downloads) sets its own policy.
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

# Request bodies: a form (not a file) of at most 2.5 MB held in memory and at most 2,000
# fields; files above 2.5 MB stream to a temporary file. The reverse proxy refuses bodies
# above the evidence limit plus the form (README: "Request size limits").
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=2000)
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("DATA_UPLOAD_MAX_NUMBER_FILES", default=5)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "config.context_processors.portal_nav",
            ],
        },
    },
]

# Portal forms: required fields marked, errors under ids the error summary links to.
FORM_RENDERER = "commission.forms.PortalFormRenderer"

# --- Database -------------------------------------------------------------------------
# Default: a SQLite file in the project, in WAL mode with a busy timeout, so the web server,
# the worker and beat can share it.
if not PRODUCTION:
    LOCAL_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{LOCAL_DIR / 'commission.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON;",
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": None}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)


def checked_once_per_interval(database: dict) -> dict:
    """`database` on Django's PostgreSQL backend, with reused connections health-checked at
    most once per `CONN_HEALTH_CHECK_INTERVAL` (docs/adr/0006)."""
    if database["ENGINE"] == "django.db.backends.postgresql":
        database["ENGINE"] = "commission.db.postgresql"
    return database


checked_once_per_interval(DATABASES["default"])


def database_roles(database: dict) -> tuple[dict, str]:
    """PostgreSQL's two roles (commission.db.roles): the owner's connection settings, from
    `DATABASE_OWNER_URL` (migrate runs as the owner), and the application role, the user of
    `DATABASE_URL` (or `DATABASE_APP_ROLE`), to which the owner grants its rights."""
    owner_url = env.str("DATABASE_OWNER_URL", default="")
    owner = env.db_url_config(owner_url) if owner_url else {}
    app_role = env.str("DATABASE_APP_ROLE", default=database.get("USER", "") if owner else "")
    return owner, app_role


DATABASE_OWNER, DATABASE_APP_ROLE = database_roles(DATABASES["default"])


def database_replica(databases: dict, middleware: list[str]) -> list[str]:
    """With `DATABASE_REPLICA_URL`: a `replica` database (a test mirror of `default`), the
    middleware that sends anonymous public reads to it (after authentication), and its router,
    returned for `DATABASE_ROUTERS` (commission/db/replica.py). Without it: nothing."""
    url = env.str("DATABASE_REPLICA_URL", default="")
    if not url:
        return []
    replica = checked_once_per_interval(env.db_url_config(url))
    replica.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    replica.setdefault("CONN_HEALTH_CHECKS", True)
    replica["TEST"] = {"MIRROR": "default"}
    databases["replica"] = replica
    replica_middleware_add(middleware)
    return ["commission.db.replica.ReplicaRouter"]


def replica_middleware_add(middleware: list[str]) -> list[str]:
    """`middleware` with the replica's, right after the session's sign-out (so after
    authentication), once."""
    name = "commission.db.replica.PublicReadsOnReplicaMiddleware"
    if name not in middleware:
        middleware.insert(
            middleware.index("commission.accounts.IdleSessionTimeoutMiddleware") + 1, name
        )
    return middleware


# Anonymous public reads from a read replica when DATABASE_REPLICA_URL is set (docs/deployment.md).
DATABASE_ROUTERS = database_replica(DATABASES, MIDDLEWARE)
# Seconds during which a persistent PostgreSQL connection that was created or passed a health
# check is reused without another (0: checked at every request, as Django does).
CONN_HEALTH_CHECK_INTERVAL = env.float("CONN_HEALTH_CHECK_INTERVAL", default=0.5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses sign-in attempts while an account or address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# --- signing in to the staff workspace -----------------------------------------------------
# A second factor (TOTP app + recovery codes) for every staff account, enrolled at the first
# sign-in (commission/two_factor.py). Production always requires it (settings/production.py);
# with DEBUG on (development, the demo) it is off unless STAFF_TWO_FACTOR=true.
STAFF_TWO_FACTOR = env.bool("STAFF_TWO_FACTOR", default=not DEBUG)
OTP_TOTP_ISSUER = "Labor Rights Commission"
# Throttled sign-in: after AXES_FAILURE_LIMIT failures for one account from one address, that
# pair is locked out for AXES_COOLOFF_TIME hours (django-axes).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The API shares the count: bad tokens count per client address, and an account locked out
# of the sign-in pages is refused on the API from that address (commission/accounts.py).
# A browser session with no request for this many minutes is signed out (0: never).
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
# Password-reset emails requested per client address.
PASSWORD_RESET_RATE_LIMIT = env.str("PASSWORD_RESET_RATE_LIMIT", default="5/hour")
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_SECONDS", default=3 * 3600)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        # Passphrases: every account may reach confidential records or act on a case.
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ANONYMOUS_USER_NAME = None  # django-guardian: no anonymous user row

# --- Language and time ----------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# The commission's time zone: statutory days are counted in it.
TIME_ZONE = env.str("TIME_ZONE", default="America/Lima")
# Holiday calendar (ISO country code understood by the `holidays` package) for the commission.
COMMISSION_HOLIDAY_COUNTRY = env.str("COMMISSION_HOLIDAY_COUNTRY", default="PE")

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=LOCAL_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
if not PRODUCTION:
    Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
# Uploaded evidence and issued opinions: outside the static tree, served only through views
# that check entitlement.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=LOCAL_DIR / "media")
MEDIA_URL = "/media/"


def media_storage() -> dict:
    """The storage of uploaded and issued files (Django's `STORAGES["default"]`), chosen by
    `MEDIA_STORAGE`: `filesystem` (MEDIA_ROOT, the default) or `s3`, S3-compatible object
    storage through django-storages, configured by the `AWS_*` variables (docs/deployment.md).
    Every reader and writer of media goes through the storage API (open, save, exists,
    delete), never a path, so either backend serves every web and worker replica."""
    from django.core.exceptions import ImproperlyConfigured

    kind = env.str("MEDIA_STORAGE", default="filesystem").strip().lower()
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(f"MEDIA_STORAGE is 'filesystem' or 's3', not {kind!r}")
    options = {
        "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
        # MinIO, Ceph, Garage or another S3-compatible service; unset for AWS itself.
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
        # Unset: boto3's own chain (instance or pod role, web identity, shared config).
        "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
        # A prefix inside the bucket, so one bucket can hold several installations.
        "location": env.str("AWS_LOCATION", default=""),
        "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="") or None,
        "signature_version": "s3v4",
        # Private objects: files leave only through the views that check entitlement.
        "default_acl": None,
        "querystring_auth": True,
        # As on the filesystem, a name in use is never overwritten: a new file gets a new name
        # (content-addressed stores check the address first and keep the stored bytes).
        "file_overwrite": False,
        "max_memory_size": 8 * 1024 * 1024,
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": media_storage(),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Email ----------------------------------------------------------------------------
# Default: printed to the console of `make run`.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="docket@commission.localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------------------
# Default broker: kombu's filesystem transport in .local/broker/ (no server needed).
_broker_dir = LOCAL_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://") and not PRODUCTION:
    for sub in ("in", "processed", "control"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "in"),
        "data_folder_out": str(_broker_dir / "in"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None  # tasks record their effects in the database, not in results
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_ACKS_LATE = True  # our tasks are idempotent; a killed worker's task is redelivered
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic tasks, synchronised into django-celery-beat's tables by `manage.py migrate`.
HEARTBEAT_INTERVAL_SECONDS = env.int("HEARTBEAT_INTERVAL_SECONDS", default=30)
# The statutory-clock sweep (reminders, escalations, misses; ADR 0022). Every minute by default.
CLOCK_SWEEP_INTERVAL_SECONDS = env.int("CLOCK_SWEEP_INTERVAL_SECONDS", default=60)
CELERY_BEAT_SCHEDULE = {
    "commission-heartbeat": {
        "task": "commission.tasks.heartbeat",
        "schedule": HEARTBEAT_INTERVAL_SECONDS,
    },
    "commission-clock-sweep": {
        "task": "commission.tasks.clock_sweep",
        "schedule": CLOCK_SWEEP_INTERVAL_SECONDS,
        # A sweep that waited longer than an interval is superseded by the next one
        # (django-celery-beat's name for the `expires` option).
        "options": {"expire_seconds": CLOCK_SWEEP_INTERVAL_SECONDS},
    },
}
# Reminders: days before a clock's last day (0 = on the day), sent at the start of that day.
CLOCK_REMINDER_OFFSETS_DAYS = env.list(
    "CLOCK_REMINDER_OFFSETS_DAYS", cast=int, default=[30, 14, 7, 2, 1, 0]
)
# Escalation to the chair when a milestone is not reached by the end of day N of a period.
CLOCK_RISK_CHECKS = {
    "hearing_by": [(env.int("CLOCK_RISK_HEARING_DAY", default=45), "hearing_scheduled")],
    "decision_by": [(env.int("CLOCK_RISK_DECISION_DAY", default=80), "draft_decision")],
}
# A notice sent more than this after its time is marked late (e.g. after an outage).
CLOCK_NOTICE_GRACE_SECONDS = env.int("CLOCK_NOTICE_GRACE_SECONDS", default=15 * 60)
CLOCK_SWEEP_BATCH_SIZE = env.int("CLOCK_SWEEP_BATCH_SIZE", default=1000)
# The audit chain (commission/audit.py): an event may be dated at most this many seconds
# before it is written (outside the verbs that record an earlier fact, and legacy imports).
AUDIT_CLOCK_SKEW_SECONDS = env.int("AUDIT_CLOCK_SKEW_SECONDS", default=5 * 60)
# Emails of notifications still pending this long after they were written (their message was
# lost) are queued again by beat (commission/notification_resend.py).
NOTIFICATION_RESEND_AFTER_SECONDS = env.int("NOTIFICATION_RESEND_AFTER_SECONDS", default=600)
CELERY_BEAT_SCHEDULE["commission-notifications-resend"] = {
    "task": "commission.tasks.notifications_email_resend",
    "schedule": env.int("NOTIFICATION_RESEND_INTERVAL_SECONDS", default=300),
}
# `verify_audit` recomputes the chain once a day and tells staff of a break.
CELERY_BEAT_SCHEDULE["commission-audit-verify"] = {
    "task": "commission.tasks.audit_verify",
    "schedule": 24 * 3600,
}

# --- REST API (commission/rest.py; docs/api.md) ----------------------------------------
# Version 1 at /api/v1/. Tokens (hashed at rest) or the browser's session; never HTTP Basic.
API_PAGE_SIZE = env.int("API_PAGE_SIZE", default=50)
API_MAX_PAGE_SIZE = env.int("API_MAX_PAGE_SIZE", default=500)
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=90)
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=366)
# The largest PDF `POST /api/v1/opinions/verify/` accepts (checked before the body is read).
OPINION_VERIFY_MAX_BYTES = env.int("OPINION_VERIFY_MAX_MB", default=20) * 1024 * 1024
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [
        "commission.rest.StrictFilterBackend",
        "commission.rest.StrictOrderingFilter",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "commission.authentication.ApiTokenAuthentication",
        "commission.authentication.LockoutAwareSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "commission.rest.BoundedCursorPagination",
    "EXCEPTION_HANDLER": "commission.rest.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "commission.rest.AnonymousThrottle",
        "commission.rest.TokenThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANON_RATE", default="600/minute"),
        "token": env.str("API_TOKEN_RATE", default="1200/minute"),
        "upload": env.str("API_UPLOAD_RATE", default="30/hour"),
        "filing": env.str("FILING_RATE_LIMIT", default="10/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Labor Rights Commission API",
    "DESCRIPTION": "The docket, the criteria register, decisions and the record, for courts, "
    "investigative teams and the public. Errors share one body: "
    '`{"status", "code", "detail", "errors"}`.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "PREPROCESSING_HOOKS": ["commission.api.schema_v1_only"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "commission.api.schema_error_responses",
        "criteria.api.schema_version_path",
    ],
    # Swagger UI and Redoc from this site's static files (drf-spectacular-sidecar): no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `kind`: name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "ClockKindEnum": "commission.models.Clock.Kind",
        "ClockStatusEnum": "commission.models.Clock.Status",
        "CriterionKindEnum": "criteria.models.Criterion.Kind",
        "ProposalKindEnum": "criteria.models.Proposal.Kind",
        "DecisionKindEnum": "hearings.models.Decision.Kind",
        "FindingResultEnum": "investigations.models.Finding.Result",
        "CourtOrderKindEnum": "hearings.models.CourtOrder.Kind",
        # The staff steps' bodies (complaints/api_steps.py) name these too.
        "DemandInstrumentEnum": "investigations.models.DisclosureDemand.Instrument",
        "SanctionInstrumentEnum": "sanctions.models.SanctionSpecification.Instrument",
        "ConsultationOutcomeEnum": "hearings.models.GovernmentConsultation.Outcome",
        "VerificationOutcomeEnum": "investigations.models.VerificationVisit.Outcome",
        "ReviewOutcomeEnum": "investigations.models.CommissionReview.Outcome",
    },
}
# --- end REST API ----------------------------------------------------------------------
# Webhooks (commission/webhooks.py; docs/api.md "Webhooks"): signed POSTs of public docket
# events, retried WEBHOOK_MAX_ATTEMPTS times, WEBHOOK_RETRY_BASE_SECONDS x 2^(n-1) apart; a
# subscription is turned off after WEBHOOK_DISABLE_AFTER_FAILURES failed deliveries in a row.
# Receivers must be public HTTPS addresses; development may send to http:// and this machine.
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=6)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=60)
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=3)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_MAX_SUBSCRIPTIONS = env.int("WEBHOOK_MAX_SUBSCRIPTIONS", default=20)
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=DEBUG)
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=DEBUG)
# The site's own address, for the links in webhook bodies (empty: links are paths).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "")
# How often beat queues the deliveries that are due (retries, lost messages).
WEBHOOK_SWEEP_INTERVAL_SECONDS = env.int("WEBHOOK_SWEEP_INTERVAL_SECONDS", default=60)
CELERY_BEAT_SCHEDULE["commission-webhooks-sweep"] = {
    "task": "commission.tasks.webhook_sweep",
    "schedule": WEBHOOK_SWEEP_INTERVAL_SECONDS,
    "options": {"expire_seconds": WEBHOOK_SWEEP_INTERVAL_SECONDS},
}

# The deployed release (e.g. its commit). It prefixes every cache key, so a deployment never
# serves what the code it replaced left in a shared cache (e.g. the criteria register's cached
# pages, docs/adr/0011).
RELEASE = env.str("RELEASE", default="")
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
CACHES["default"].setdefault("KEY_PREFIX", f"commission-{RELEASE}" if RELEASE else "commission")

# --- Logging --------------------------------------------------------------------------
# Structured logs (commission/observability.py): every line carries its request's or task's
# id; LOG_FORMAT=json writes one JSON object a line (production's default).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = logging_config(level=env.str("LOG_LEVEL", default="INFO"), fmt=LOG_FORMAT)
# Celery workers log through the LOGGING above (JSON lines with the task id), not through a
# root logger of their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# GET /metrics (Prometheus) answers only with "Authorization: Bearer <METRICS_TOKEN>"; unset,
# the endpoint does not exist (docs/operations.md).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# Commission policy values (documented in README).
COMMISSION_NAME = env.str("COMMISSION_NAME", default="Bilateral Labor Rights Commission")

# Safety net of the clock-miss signal: remedial orders whose due date passed without verified
# compliance are escalated to a complaint (exactly once; investigations.services).
CELERY_BEAT_SCHEDULE["investigations-escalate-orders"] = {
    "task": "investigations.tasks.remedial_orders_escalate_due",
    "schedule": CLOCK_SWEEP_INTERVAL_SECONDS,
    "options": {"expire_seconds": CLOCK_SWEEP_INTERVAL_SECONDS},
}

# --- Complaints portal (docs/adr/0033) ------------------------------------------------
# Evidence uploads: the size limit per file and the number of files per filing.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_MB", default=20) * 1024 * 1024
EVIDENCE_MAX_FILES = env.int("EVIDENCE_MAX_FILES", default=20)
# Compressed containers (office documents) are read with a cap on the bytes inflated and on
# the number of entries, so a small "zip bomb" cannot exhaust memory.
UPLOAD_ZIP_MAX_ENTRIES = env.int("UPLOAD_ZIP_MAX_ENTRIES", default=5000)
UPLOAD_ZIP_MAX_INFLATED_BYTES = env.int("UPLOAD_ZIP_MAX_INFLATED_BYTES", default=1024 * 1024)
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
# Virus scanning with clamd: set CLAMD_SOCKET (a Unix socket) or CLAMD_HOST (and CLAMD_PORT).
# When set, uploads wait in quarantine (`quarantine/` in the media storage) until a worker's
# scan clears them; unset, they are stored as "not scanned".
CLAMD_SOCKET = env.str("CLAMD_SOCKET", default="")
CLAMD_HOST = env.str("CLAMD_HOST", default="")
CLAMD_PORT = env.int("CLAMD_PORT", default=3310)
CLAMD_TIMEOUT = env.float("CLAMD_TIMEOUT", default=30.0)
# Portal rate limits per client address ("N/second|minute|hour|day"), counted in CACHES.
PORTAL_RATE_LIMITS = {
    "submit": env.str("FILING_RATE_LIMIT", default="10/hour"),
    "start": env.str("FILING_START_RATE_LIMIT", default="30/hour"),
    "upload": env.str("EVIDENCE_UPLOAD_RATE_LIMIT", default="60/hour"),
    "code": env.str("ACCESS_CODE_RATE_LIMIT", default="20/hour"),
    # Saving a step of a draft (continue, save and exit, add an allegation).
    "step": env.str("FILING_STEP_RATE_LIMIT", default="300/hour"),
}
# The earliest date a filing may say something happened: set it to the agreement's entry into
# force (periods before it are outside the commission's remit; year-1 dates are typos).
FILING_EARLIEST_DATE = env.str("FILING_EARLIEST_DATE", default="2000-01-01")
# The longest free texts a filing accepts (characters); the receipt PDF is measured with them.
FILING_FACTS_MAX_LENGTH = env.int("FILING_FACTS_MAX_LENGTH", default=10_000)
FILING_TEXT_MAX_LENGTH = env.int("FILING_TEXT_MAX_LENGTH", default=10_000)
# Reverse proxies in front of the web server (0: X-Forwarded-For is ignored).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
# Unsubmitted drafts (and their files) are deleted after this many days without a save.
FILING_DRAFT_RETENTION_DAYS = env.int("FILING_DRAFT_RETENTION_DAYS", default=60)
CELERY_BEAT_SCHEDULE["complaints-drafts-purge"] = {
    "task": "complaints.tasks.filing_drafts_purge",
    "schedule": 24 * 3600,
}

# --- Hearings and decisions (hearings app; docs/adr/0040-0044) --------------------------
# Panel composition: comma-separated seats "kind:country[:presides]", where kind is
# jurist|worker_representative and country is any|respondent|other|<ISO code> ("respondent":
# the country complained against; "other": any other trading partner).
HEARINGS_PANEL_COMPOSITION = env.list(
    "HEARINGS_PANEL_COMPOSITION",
    default=[
        "jurist:any:presides",
        "worker_representative:respondent",
        "worker_representative:other",
    ],
)
# Public notice on the portal at least this many days before a hearing.
HEARINGS_NOTICE_DAYS = env.int("HEARINGS_NOTICE_DAYS", default=10)
# Written arguments after the hearing: calendar days (the window must close before the
# decision deadline; opening a longer one is refused).
HEARINGS_WRITTEN_ARGUMENTS_DAYS = env.int("HEARINGS_WRITTEN_ARGUMENTS_DAYS", default=14)
# Who adopts a decision: "panel" (the panel decides) or "commission" (the commission adopts
# on the panel's recommendation).
HEARINGS_DECISION_ADOPTION = env.str("HEARINGS_DECISION_ADOPTION", default="panel")
# --- Sanctions (sanctions app; docs/adr/0060) ------------------------------------------
# Public notice of a hearing on lifting a sanction: at least this many days before it.
SANCTIONS_LIFT_NOTICE_DAYS = env.int("SANCTIONS_LIFT_NOTICE_DAYS", default=14)
# A target sanctioned before: the magnitude proposed is multiplied by this per earlier order.
SANCTIONS_REPEAT_FACTOR = env.float("SANCTIONS_REPEAT_FACTOR", default=1.5)
# The hearing's record (minutes, transcripts, recordings): the size limit per file.
HEARING_RECORD_MAX_BYTES = env.int("HEARING_RECORD_MAX_MB", default=500) * 1024 * 1024
# Reasoned opinions are signed (PAdES) when a key and certificate are configured (PEM files).
# Without them, development and the demo use a key generated into .local/opinion-signing/.
OPINION_SIGNING_KEY_FILE = env.str("OPINION_SIGNING_KEY_FILE", default="")
OPINION_SIGNING_CERT_FILE = env.str("OPINION_SIGNING_CERT_FILE", default="")
OPINION_SIGNING_CHAIN_FILE = env.str("OPINION_SIGNING_CHAIN_FILE", default="")
OPINION_SIGNING_KEY_PASSWORD = env.str("OPINION_SIGNING_KEY_PASSWORD", default="")
OPINION_SIGNING_DEMO_DIR = "" if PRODUCTION else str(LOCAL_DIR / "opinion-signing")
# Attempts of an opinion render before it stays failed for staff to retry.
OPINION_RENDER_MAX_ATTEMPTS = env.int("OPINION_RENDER_MAX_ATTEMPTS", default=3)
# How often beat requeues interrupted renders and renders whose message was lost.
OPINION_RENDER_SWEEP_INTERVAL_SECONDS = env.int(
    "OPINION_RENDER_SWEEP_INTERVAL_SECONDS", default=300
)
CELERY_BEAT_SCHEDULE["hearings-render-sweep"] = {
    "task": "hearings.tasks.opinion_render_sweep",
    "schedule": OPINION_RENDER_SWEEP_INTERVAL_SECONDS,
}
