"""Database-level guarantee that a statutory clock is never moved, extended or deleted
(SQLite and PostgreSQL): an UPDATE that changes any field fixed at the start is refused, and
so is a DELETE. Status, met/missed records and the sweep's bookkeeping may change."""

from django.db import migrations

FIXED = [
    "subject_type_id",
    "subject_id",
    "docket_number",
    "kind",
    "legal_basis",
    "legal_source",
    "trigger_event",
    "trigger_at",
    "days",
    "counting_rule",
    "time_zone",
    "nominal_last_day",
    "last_day",
    "moved_over",
    "due_at",
    "started_at",
]

_SQLITE_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FIXED)
_PG_CHANGED = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FIXED)

SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS commission_clock_fixed
       BEFORE UPDATE ON commission_clock
       WHEN {_SQLITE_CHANGED}
       BEGIN SELECT RAISE(ABORT, 'a statutory clock is never moved or extended'); END;""",
    """CREATE TRIGGER IF NOT EXISTS commission_clock_no_delete
       BEFORE DELETE ON commission_clock
       BEGIN SELECT RAISE(ABORT, 'a statutory clock is never deleted'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS commission_clock_fixed;",
    "DROP TRIGGER IF EXISTS commission_clock_no_delete;",
]
POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION commission_clock_fixed() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' THEN
           RAISE EXCEPTION 'a statutory clock is never deleted';
         END IF;
         IF {_PG_CHANGED} THEN
           RAISE EXCEPTION 'a statutory clock is never moved or extended';
         END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER commission_clock_fixed
       BEFORE UPDATE OR DELETE ON commission_clock
       FOR EACH ROW EXECUTE FUNCTION commission_clock_fixed();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS commission_clock_fixed ON commission_clock;",
    "DROP FUNCTION IF EXISTS commission_clock_fixed();",
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
    dependencies = [("commission", "0003_commissionholiday_clock_clocknotice_notification_and_more")]
    operations = [migrations.RunPython(forwards, backwards)]
