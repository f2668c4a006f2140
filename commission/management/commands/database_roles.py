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
        import psycopg
        from psycopg import sql

        admin = environ.Env.db_url_config(admin_url)
        with psycopg.connect(
            host=admin["HOST"] or None,
            port=admin["PORT"] or None,
            user=admin["USER"],
            password=admin["PASSWORD"] or None,
            dbname=admin["NAME"] or "postgres",
            autocommit=True,
        ) as connection:
            for user, password, extra in (
                (owner["USER"], owner.get("PASSWORD"), "CREATEDB"),
                (database["USER"], database.get("PASSWORD"), "NOCREATEDB"),
            ):
                exists = connection.execute(
                    "SELECT 1 FROM pg_roles WHERE rolname = %s", [user]
                ).fetchone()
                verb = "ALTER" if exists else "CREATE"
                statement = sql.SQL("{} ROLE {} LOGIN NOSUPERUSER " + extra).format(
                    sql.SQL(verb), sql.Identifier(user)
                )
                if password:
                    statement += sql.SQL(" PASSWORD {}").format(sql.Literal(password))
                connection.execute(statement)
            connection.execute(
                sql.SQL("GRANT {} TO {}").format(
                    sql.Identifier(database["USER"]), sql.Identifier(owner["USER"])
                )
            )
            if not connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]]
            ).fetchone():
                connection.execute(
                    sql.SQL("CREATE DATABASE {} OWNER {}").format(
                        sql.Identifier(database["NAME"]), sql.Identifier(owner["USER"])
                    )
                )
        self.stdout.write(
            f"database roles: owner {owner['USER']}, application {database['USER']}, "
            f"database {database['NAME']}"
        )
