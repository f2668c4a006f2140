"""Database-level guarantee that nothing moves a filing: the receipt instant, the channel, the
kind and the docket number of a case never change, and a case is never deleted (SQLite and
PostgreSQL). The model and its queryset refuse the same; this holds for raw SQL too."""

from django.db import migrations

IMMUTABLE = ("received_at", "kind", "docket_number", "received_via", "recorded_at")
CHANGED_SQLITE = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in IMMUTABLE)
CHANGED_POSTGRES = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in IMMUTABLE)

SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS complaints_case_receipt_immutable
       BEFORE UPDATE ON complaints_case
       WHEN {CHANGED_SQLITE}
       BEGIN SELECT RAISE(ABORT, 'the receipt of a filing never changes'); END;""",
    """CREATE TRIGGER IF NOT EXISTS complaints_case_no_delete
       BEFORE DELETE ON complaints_case
       BEGIN SELECT RAISE(ABORT, 'a case is never deleted'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS complaints_case_receipt_immutable;",
    "DROP TRIGGER IF EXISTS complaints_case_no_delete;",
]
POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION complaints_case_guard() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'a case is never deleted'; END IF;
         IF {CHANGED_POSTGRES} THEN
           RAISE EXCEPTION 'the receipt of a filing never changes';
         END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER complaints_case_guard
       BEFORE UPDATE OR DELETE ON complaints_case
       FOR EACH ROW EXECUTE FUNCTION complaints_case_guard();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS complaints_case_guard ON complaints_case;",
    "DROP FUNCTION IF EXISTS complaints_case_guard();",
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
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
