"""Backup and restore as docs/operations.md says: `pg_dump` of the database as the owner role,
`pg_restore` into a fresh database, and the audit chain verified on the restored copy by
`manage.py verify_audit` connected as the application role."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection, transaction

from commission.models import CaseEvent
from commission.services import case_event_record
from tests.factories.commission import OrganizationFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        shutil.which("pg_dump") is None or shutil.which("pg_restore") is None,
        reason="pg_dump / pg_restore not installed (Debian: postgresql-client)",
    ),
]
ROOT = Path(__file__).resolve().parents[2]


def _owner() -> dict:
    """The owner role's connection settings (the one role, without DATABASE_OWNER_URL)."""
    database = connection.settings_dict
    owner = settings.DATABASE_OWNER or {}
    return {
        "user": owner.get("USER") or database["USER"],
        "password": owner.get("PASSWORD") or database["PASSWORD"],
        "host": owner.get("HOST") or database["HOST"] or "127.0.0.1",
        "port": str(owner.get("PORT") or database["PORT"] or 5432),
    }


def _env(role: dict) -> dict:
    env = {**os.environ, "PGHOST": role["host"], "PGPORT": role["port"], "PGUSER": role["user"]}
    if role["password"]:
        env["PGPASSWORD"] = role["password"]
    return env


def _admin(role: dict, sql: str) -> None:
    conn = psycopg2.connect(
        dbname="postgres",
        user=role["user"],
        password=role["password"] or None,
        host=role["host"],
        port=role["port"],
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql)
    conn.close()


def _url(user: str, password: str, role: dict, name: str) -> str:
    secret = f":{password}" if password else ""
    return f"postgres://{user}{secret}@{role['host']}:{role['port']}/{name}"


def test_a_dump_restored_into_a_fresh_database_verifies_its_audit_chain(tmp_path):
    for n in range(5):
        with transaction.atomic():
            subject = OrganizationFactory(name=f"Union {n}")
            case_event_record(subject=subject, verb="team_created", data={"n": n})
    events = CaseEvent.objects.count()
    assert events >= 5
    source = connection.settings_dict["NAME"]
    restored = f"{source}_restored"[:63]
    owner = _owner()
    dump = tmp_path / "commission.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={dump}", source],
        env=_env(owner),
        check=True,
        capture_output=True,
    )
    _admin(owner, f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
    _admin(owner, f'CREATE DATABASE "{restored}"')
    try:
        subprocess.run(
            ["pg_restore", "--exit-on-error", "--no-owner", f"--dbname={restored}", str(dump)],
            env=_env(owner),
            check=True,
            capture_output=True,
        )
        # The application connects as itself to the copy, as it would after a restore.
        app = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": _url(app["USER"], app["PASSWORD"], owner, restored),
            "CELERY_BROKER_URL": "memory://",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("DATABASE_OWNER_URL", None)
        result = subprocess.run(
            [sys.executable, "manage.py", "verify_audit"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        assert f"audit chain intact: {events} events" in result.stdout

        # The check is real: a link altered in the copy (as its owner, past the guards) is
        # named by the same command.
        conn = psycopg2.connect(
            dbname=restored,
            user=owner["user"],
            password=owner["password"] or None,
            host=owner["host"],
            port=owner["port"],
        )
        with conn, conn.cursor() as cursor:
            table = CaseEvent._meta.db_table
            cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
            cursor.execute(f"UPDATE \"{table}\" SET reason = 'altered' WHERE sequence = 3")  # noqa: S608
        conn.close()
        broken = subprocess.run(
            [sys.executable, "manage.py", "verify_audit"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert broken.returncode == 1
        assert "sequence 3" in broken.stderr
    finally:
        _admin(owner, f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
