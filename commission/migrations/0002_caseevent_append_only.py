"""Database-level guarantee that case events are append-only (SQLite and PostgreSQL)."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS commission_caseevent_no_update
       BEFORE UPDATE ON commission_caseevent
       BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;""",
    """CREATE TRIGGER IF NOT EXISTS commission_caseevent_no_delete
       BEFORE DELETE ON commission_caseevent
       BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS commission_caseevent_no_update;",
    "DROP TRIGGER IF EXISTS commission_caseevent_no_delete;",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION commission_caseevent_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'case events are append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER commission_caseevent_append_only
       BEFORE UPDATE OR DELETE ON commission_caseevent
       FOR EACH ROW EXECUTE FUNCTION commission_caseevent_append_only();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS commission_caseevent_append_only ON commission_caseevent;",
    "DROP FUNCTION IF EXISTS commission_caseevent_append_only();",
]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(
        schema_editor.connection.vendor, []
    )
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("commission", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
