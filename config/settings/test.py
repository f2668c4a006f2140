"""Settings for the test suite (pytest's DJANGO_SETTINGS_MODULE): the development settings
with what tests need on top. Anything a test changes for itself stays in that test.

The databases and the broker still come from the environment (DATABASE_URL,
DATABASE_OWNER_URL, CELERY_BROKER_URL), so one suite runs on SQLite and on PostgreSQL + Redis.
"""

from .base import *  # noqa: F403

# Users are created by the thousand; hashing their passwords slowly tests nothing.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests travel in time with signed-in clients; the idle timeout's own tests turn it on.
SESSION_IDLE_TIMEOUT_MINUTES = 0
# A `replica` database, a test mirror of the default one, for the tests of the read-replica
# routing (tests/commission/test_replica_routing.py): they turn its router and middleware on;
# without them (every other test) nothing reads from it.
DATABASES.setdefault("replica", {**DATABASES["default"], "TEST": {"MIRROR": "default"}})  # noqa: F405
