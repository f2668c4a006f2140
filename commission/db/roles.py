"""Connection rules that close the doors below the ORM (see `commission.integrity`).

* SQLite: every connection runs with `PRAGMA recursive_triggers = ON`, so that the row an
  ``INSERT OR REPLACE`` deletes fires the DELETE guard like any other delete.
* PostgreSQL: the application connects (`DATABASE_URL`) as a role that owns nothing and is no
  superuser; the schema belongs to the owner role (`DATABASE_OWNER_URL`), as which `migrate`
  runs. After every migrate the owner grants the application role what it needs and nothing
  more: SELECT, INSERT, UPDATE and DELETE on the tables, USAGE on the sequences, and the same
  by default on tables created later. The application role can then neither drop nor disable
  a trigger, nor TRUNCATE, nor change `session_replication_role`.
"""

from __future__ import annotations

from django.conf import settings


def sqlite_recursive_triggers(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA recursive_triggers = ON")


def application_role_grants(connection) -> list[str]:
    """The statements, run as the owner, that give the application role its rights."""
    role = settings.DATABASE_APP_ROLE
    if connection.vendor != "postgresql" or not role:
        return []
    role = connection.ops.quote_name(role)
    return [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}",
    ]


def grant_to_application_role(sender, using="default", **kwargs) -> None:
    from django.db import connections

    connection = connections[using]
    statements = application_role_grants(connection)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def as_owner(settings_dict: dict) -> dict:
    """`settings_dict` (a DATABASES entry) with the owner's credentials, when an owner URL is
    configured; unchanged otherwise."""
    owner = settings.DATABASE_OWNER
    if not owner:
        return settings_dict
    changed = dict(settings_dict)
    for key in ("USER", "PASSWORD", "HOST", "PORT"):
        if owner.get(key):
            changed[key] = owner[key]
    return changed
