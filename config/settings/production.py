"""Production settings: every value comes from the environment; nothing is silently defaulted.

Missing variables raise ImproperlyConfigured at start-up.
"""

from .base import *  # noqa: F403
from .base import (
    checked_once_per_interval,
    database_replica,
    database_roles,
    env,
    logging_config,
    media_storage,
)

DEBUG = False
# The staff workspace always asks for the second factor in production (never from the env).
STAFF_TWO_FACTOR = True
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEY")
DATABASES = {"default": checked_once_per_interval(env.db_url("DATABASE_URL"))}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASE_OWNER, DATABASE_APP_ROLE = database_roles(DATABASES["default"])
DATABASE_ROUTERS = database_replica(DATABASES, MIDDLEWARE)  # noqa: F405
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = False
EMAIL_CONFIG = env.email_url("EMAIL_URL")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
STATIC_ROOT = env.path("STATIC_ROOT", default="/srv/commission/static")
# Media on the filesystem need MEDIA_ROOT (a volume every replica mounts); on object storage
# (MEDIA_STORAGE=s3) the bucket is required instead.
if env.str("MEDIA_STORAGE", default="filesystem").strip().lower() == "filesystem":
    MEDIA_ROOT = env.path("MEDIA_ROOT")
STORAGES = {
    "default": media_storage(),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# The API's authentication is the same as in every setting (base.py): tokens or the session,
# never HTTP Basic.
# Webhooks go only to public HTTPS receivers (never from the environment), with links to the
# site's public address.
WEBHOOK_ALLOW_HTTP = False
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
SITE_URL = env.str("SITE_URL", default="")

# One JSON object a log line, with its request's or task's id (commission/observability.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = logging_config(level=env.str("LOG_LEVEL", default="INFO"), fmt=LOG_FORMAT)
