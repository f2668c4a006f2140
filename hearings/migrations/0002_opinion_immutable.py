"""Database-level guarantee that an issued opinion is never edited (SQLite and PostgreSQL):
any UPDATE of a row of the register is refused. A correction is a new corrigendum row."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS hearings_opinion_no_update
       BEFORE UPDATE ON hearings_opinion
       BEGIN SELECT RAISE(ABORT, 'an issued opinion is never edited'); END;""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS hearings_opinion_no_update;"]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION hearings_opinion_no_update() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'an issued opinion is never edited'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER hearings_opinion_no_update
       BEFORE UPDATE ON hearings_opinion
       FOR EACH ROW EXECUTE FUNCTION hearings_opinion_no_update();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS hearings_opinion_no_update ON hearings_opinion;",
    "DROP FUNCTION IF EXISTS hearings_opinion_no_update();",
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
    dependencies = [("hearings", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
