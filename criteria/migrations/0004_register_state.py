"""The register's state as one row the database maintains (see `RegisterState`): every insert,
update or delete of the tables that make up the register increments `serial` in the same
transaction, by trigger (SQLite and PostgreSQL), whichever door the write came through."""

import secrets

from django.db import migrations, models

TABLES = [
    "criteria_right",
    "criteria_criterion",
    "criteria_criterionversion",
    "criteria_source",
    "criteria_criterionversion_countries",
    "criteria_criterionversion_sectors",
    "criteria_ruleresolution",
]
OPERATIONS = ["INSERT", "UPDATE", "DELETE"]

SQLITE_BUMP = (
    "INSERT INTO criteria_registerstate (id, epoch, serial) "
    "VALUES (1, lower(hex(randomblob(8))), 1) "
    "ON CONFLICT(id) DO UPDATE SET serial = serial + 1;"
)
SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS {table}_state_{op.lower()} AFTER {op} ON {table}
        BEGIN {SQLITE_BUMP} END;"""
    for table in TABLES
    for op in OPERATIONS
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {table}_state_{op.lower()};" for table in TABLES for op in OPERATIONS
]

# Statement-level: a bulk insert increments the serial once. The upsert takes the row lock,
# held until commit, so the serial's order is the order in which register writes commit.
POSTGRES = [
    """CREATE OR REPLACE FUNCTION criteria_register_changed() RETURNS trigger AS $$
        BEGIN
          INSERT INTO criteria_registerstate (id, epoch, serial)
          VALUES (1, md5(random()::text || clock_timestamp()::text), 1)
          ON CONFLICT (id) DO UPDATE SET serial = criteria_registerstate.serial + 1;
          RETURN NULL;
        END; $$ LANGUAGE plpgsql;""",
] + [
    f"""CREATE TRIGGER {table}_state AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION criteria_register_changed();"""
    for table in TABLES
]
POSTGRES_REVERSE = [f"DROP TRIGGER IF EXISTS {table}_state ON {table};" for table in TABLES] + [
    "DROP FUNCTION IF EXISTS criteria_register_changed();"
]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)
    apps.get_model("criteria", "RegisterState").objects.get_or_create(
        id=1, defaults={"epoch": secrets.token_hex(8), "serial": 1}
    )


def backwards(apps, schema_editor):
    statements = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(
        schema_editor.connection.vendor, []
    )
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("criteria", "0003_version_until_index")]

    operations = [
        migrations.CreateModel(
            name="RegisterState",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False),
                ),
                ("epoch", models.CharField(max_length=32)),
                ("serial", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "register state",
                "verbose_name_plural": "register state",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("id", 1)), name="registerstate_one_row"
                    )
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
