"""The PostgreSQL backend: persistent connections health-checked at most once per interval."""

from unittest import mock

import psycopg2
import pytest
from django.db import connection, connections
from django.db.utils import OperationalError
from django.test import override_settings

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _request_starts():
    # What Django does for a persistent connection when a request starts (and ends).
    connection.close_if_unusable_or_obsolete()


def _query():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone()[0]


def test_a_connection_checked_within_the_interval_is_not_checked_again():
    assert connection.settings_dict["ENGINE"] == "commission.db.postgresql"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    _query()
    with mock.patch.object(connection, "is_usable", wraps=connection.is_usable) as check:
        with override_settings(CONN_HEALTH_CHECK_INTERVAL=3600):
            _request_starts()
            _query()
            assert check.call_count == 0
        with override_settings(CONN_HEALTH_CHECK_INTERVAL=0):
            _request_starts()
            _query()
            _query()  # once per request
            assert check.call_count == 1


def _kill_own_backend():
    pid = connection.connection.info.backend_pid
    other = psycopg2.connect(
        dbname=connection.settings_dict["NAME"],
        user=connection.settings_dict["USER"] or None,
        host=connection.settings_dict["HOST"] or None,
        port=connection.settings_dict["PORT"] or None,
    )
    other.autocommit = True
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()


def test_a_dead_connection_is_replaced_by_the_check_after_the_interval():
    _query()
    _kill_own_backend()
    with override_settings(CONN_HEALTH_CHECK_INTERVAL=0):
        _request_starts()
        assert _query() == 1  # the check found it dead and Django reconnected


def test_a_dead_connection_within_the_interval_fails_one_request_then_is_replaced():
    _query()
    _kill_own_backend()
    with override_settings(CONN_HEALTH_CHECK_INTERVAL=3600):
        _request_starts()
        with pytest.raises(OperationalError):
            _query()
        _request_starts()  # the request ends: an error marks the connection unusable
        assert connection.connection is None
        assert _query() == 1
    connections.close_all()
