"""Create PostgreSQL's two roles and the database, idempotently, as an administrator.

`DATABASE_ADMIN_URL` (a superuser, e.g. postgres://postgres@127.0.0.1:5432/postgres) creates
the owner role of `DATABASE_OWNER_URL` (LOGIN CREATEDB, no superuser), the application role
of `DATABASE_URL` (LOGIN, nothing else), makes the owner a member of the application role (so
tests can `SET ROLE` to it) and creates the database owned by the owner. Without
`DATABASE_ADMIN_URL`, or on SQLite, it does nothing. `make migrate` runs it first."""

from __future__ import annotations

import environ
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the owner and application roles and the database on PostgreSQL."

    def handle(self, *args, **options):
        admin_url = environ.Env().str("DATABASE_ADMIN_URL", default="")
        database = settings.DATABASES["default"]
        owner = settings.DATABASE_OWNER
        if not admin_url or not owner or "postgresql" not in database["ENGINE"]:
            self.stdout.write("database roles: nothing to do (no DATABASE_ADMIN_URL/owner)")
            return
        import psycopg2
        from psycopg2 import sql

        admin = environ.Env.db_url_config(admin_url)
        connection = psycopg2.connect(
            host=admin["HOST"] or None,
            port=admin["PORT"] or None,
            user=admin["USER"],
            password=admin["PASSWORD"] or None,
            dbname=admin["NAME"] or "postgres",
        )
        connection.autocommit = True
        try:
            self._ensure(connection.cursor(), sql, owner, database)
        finally:
            connection.close()
        self.stdout.write(
            f"database roles: owner {owner['USER']}, application {database['USER']}, "
            f"database {database['NAME']}"
        )

    def _ensure(self, cursor, sql, owner: dict, database: dict) -> None:
        def one(statement, params=()):
            cursor.execute(statement, params)
            return cursor.fetchone()

        for user, password, extra in (
            (owner["USER"], owner.get("PASSWORD"), "CREATEDB"),
            (database["USER"], database.get("PASSWORD"), "NOCREATEDB"),
        ):
            exists = one("SELECT 1 FROM pg_roles WHERE rolname = %s", [user])
            verb = "ALTER" if exists else "CREATE"
            statement = sql.SQL("{} ROLE {} LOGIN NOSUPERUSER " + extra).format(
                sql.SQL(verb), sql.Identifier(user)
            )
            if password:
                statement += sql.SQL(" PASSWORD {}").format(sql.Literal(password))
            cursor.execute(statement)
        cursor.execute(
            sql.SQL("GRANT {} TO {}").format(
                sql.Identifier(database["USER"]), sql.Identifier(owner["USER"])
            )
        )
        if not one("SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]]):
            cursor.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(database["NAME"]), sql.Identifier(owner["USER"])
                )
            )
