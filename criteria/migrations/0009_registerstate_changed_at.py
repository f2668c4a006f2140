"""The register state also records when the register last changed (`changed_at`), set by the
same triggers that increment its serial (migrations 0004 and 0006): the Last-Modified of the
register's pages and API answers (docs/adr/0011)."""

from importlib import import_module

from django.db import migrations, models
from django.db.models.functions import Now

STATE = import_module("criteria.migrations.0004_register_state")
PARTNERS = import_module("criteria.migrations.0006_precomputed_answers")

TABLES = STATE.TABLES + PARTNERS.TABLES
OPERATIONS = ["INSERT", "UPDATE", "DELETE"]
NOW_SQLITE = "strftime('%Y-%m-%d %H:%M:%f', 'now')"


def _sqlite(bump: str) -> list[str]:
    return [
        statement
        for table in TABLES
        for op in OPERATIONS
        for statement in (
            f"DROP TRIGGER IF EXISTS {table}_state_{op.lower()};",
            f"CREATE TRIGGER {table}_state_{op.lower()} AFTER {op} ON {table} "
            f"BEGIN {bump} END;",
        )
    ]


SQLITE = _sqlite(
    "INSERT INTO criteria_registerstate (id, epoch, serial, changed_at) "
    f"VALUES (1, lower(hex(randomblob(8))), 1, {NOW_SQLITE}) "
    f"ON CONFLICT(id) DO UPDATE SET serial = serial + 1, changed_at = {NOW_SQLITE};"
)
SQLITE_REVERSE = _sqlite(STATE.SQLITE_BUMP)

# The triggers call this function (migration 0004); only its body changes.
POSTGRES = [
    """CREATE OR REPLACE FUNCTION criteria_register_changed() RETURNS trigger AS $$
        BEGIN
          INSERT INTO criteria_registerstate (id, epoch, serial, changed_at)
          VALUES (1, md5(random()::text || clock_timestamp()::text), 1, clock_timestamp())
          ON CONFLICT (id) DO UPDATE SET serial = criteria_registerstate.serial + 1,
            changed_at = clock_timestamp();
          RETURN NULL;
        END; $$ LANGUAGE plpgsql;"""
]
POSTGRES_REVERSE = [STATE.POSTGRES[0]]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE, "postgresql": POSTGRES}.get(vendor, []):
        schema_editor.execute(sql)
    apps.get_model("criteria", "RegisterState").objects.filter(changed_at__isnull=True).update(
        changed_at=Now()
    )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("criteria", "0008_retire_precomputed_answers")]

    operations = [
        migrations.AddField(
            model_name="registerstate",
            name="changed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(forwards, backwards),
    ]
