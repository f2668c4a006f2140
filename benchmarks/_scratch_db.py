"""A scratch PostgreSQL database for a benchmark: created empty before the run, dropped after.

The URL names the database; the server's `postgres` database is used to create and drop it."""

from __future__ import annotations

from urllib.parse import urlparse


def _admin_connection(url: str):
    import psycopg2

    parsed = urlparse(url)
    conn = psycopg2.connect(
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password or None,
        dbname="postgres",
    )
    conn.autocommit = True
    return conn, parsed.path.lstrip("/")


def recreate_database(url: str) -> None:
    conn, name = _admin_connection(url)
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def drop_database(url: str) -> None:
    from django.db import connections

    connections.close_all()
    conn, name = _admin_connection(url)
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()
