"""Database-level guarantee that promulgated versions, their sources and their applicability
are never changed or deleted (SQLite and PostgreSQL). The single exception is
`effective_until`, which the services set once, from empty, when the next version is written."""

from django.db import migrations

VERSION_COLUMNS = [
    "id",
    "criterion_id",
    "number",
    "identifier",
    "effective_from",
    "is_retirement",
    "successor_id",
    "text_en",
    "text_es",
    "direction",
    "threshold",
    "unit",
    "averaging_period",
    "measuring_method_en",
    "measuring_method_es",
    "applies_to_all_countries",
    "applies_to_all_sectors",
    "rationale_en",
    "rationale_es",
    "provenance",
    "proposal_id",
    "record_reference",
    "promulgated_at",
    "promulgated_by_id",
]
FROZEN_TABLES = [
    "criteria_source",
    "criteria_criterionversion_countries",
    "criteria_criterionversion_sectors",
]
MESSAGE = "criterion versions are never changed or deleted"

SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS criteria_version_no_update
        BEFORE UPDATE OF {", ".join(VERSION_COLUMNS)} ON criteria_criterionversion
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER IF NOT EXISTS criteria_version_until_once
        BEFORE UPDATE OF effective_until ON criteria_criterionversion
        WHEN OLD.effective_until IS NOT NULL
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER IF NOT EXISTS criteria_version_no_delete
        BEFORE DELETE ON criteria_criterionversion
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
]
for table in FROZEN_TABLES:
    SQLITE += [
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    ]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS criteria_version_no_update;",
    "DROP TRIGGER IF EXISTS criteria_version_until_once;",
    "DROP TRIGGER IF EXISTS criteria_version_no_delete;",
] + [
    f"DROP TRIGGER IF EXISTS {table}_{what};"
    for table in FROZEN_TABLES
    for what in ("no_update", "no_delete")
]

POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION criteria_version_immutable() RETURNS trigger AS $$
        BEGIN
          IF TG_OP = 'DELETE' THEN RAISE EXCEPTION '{MESSAGE}'; END IF;
          IF OLD.effective_until IS NOT NULL
             OR (to_jsonb(OLD) - 'effective_until') <> (to_jsonb(NEW) - 'effective_until') THEN
            RAISE EXCEPTION '{MESSAGE}';
          END IF;
          RETURN NEW;
        END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER criteria_version_immutable
        BEFORE UPDATE OR DELETE ON criteria_criterionversion
        FOR EACH ROW EXECUTE FUNCTION criteria_version_immutable();""",
    f"""CREATE OR REPLACE FUNCTION criteria_frozen() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql;""",
] + [
    f"""CREATE TRIGGER {table}_frozen BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION criteria_frozen();"""
    for table in FROZEN_TABLES
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS criteria_version_immutable ON criteria_criterionversion;",
    "DROP FUNCTION IF EXISTS criteria_version_immutable();",
] + [f"DROP TRIGGER IF EXISTS {table}_frozen ON {table};" for table in FROZEN_TABLES] + [
    "DROP FUNCTION IF EXISTS criteria_frozen();"
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
    dependencies = [("criteria", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
