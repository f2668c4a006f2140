"""`VersionReach`: one row per (trading partner, sector) cell a version applies to, with its
period, kept by triggers (SQLite and PostgreSQL) from the version row and its applicability
rows, and filled here for the versions that exist. A cell pair is written by whichever of its
two applicability rows is inserted last; `effective_until` follows the version's."""

import django.db.models.deletion
from django.db import migrations, models

V = "criteria_criterionversion"
LC = "criteria_criterionversion_countries"
LS = "criteria_criterionversion_sectors"
S = "commission_sector"
R = "criteria_versionreach"
OPEN_END = "'9999-12-31'"
COLUMNS = f"INSERT INTO {R} (version_id, country_key, sector_key, effective_from, effective_until)"


def _period(v: str) -> str:
    return f"{v}.effective_from, COALESCE({v}.effective_until, {OPEN_END})"


def _cells(version: str, *, country_link: str | None = None, sector_link: str | None = None):
    """SELECTs of the cells of the version(s) matched by `version` (a condition on `v`);
    `country_link`/`sector_link` restrict them to one new applicability row."""
    active = "NOT v.is_retirement"
    parts = []
    if not country_link and not sector_link:
        parts.append(
            f"SELECT v.id, 0, '*', {_period('v')} FROM {V} v WHERE {version} AND {active} "
            "AND v.applies_to_all_countries AND v.applies_to_all_sectors"
        )
    if not country_link:
        sector_join = (
            f"JOIN {S} s ON s.id = {sector_link}.sector_id"
            if sector_link
            else f"JOIN {LS} ls ON ls.criterionversion_id = v.id JOIN {S} s ON s.id = ls.sector_id"
        )
        parts.append(
            f"SELECT v.id, 0, s.isic_code, {_period('v')} FROM {V} v {sector_join} "
            f"WHERE {version} AND {active} "
            "AND v.applies_to_all_countries AND NOT v.applies_to_all_sectors"
        )
    if not sector_link:
        country_col = f"{country_link}.tradingpartner_id" if country_link else "lc.tradingpartner_id"
        country_join = "" if country_link else f"JOIN {LC} lc ON lc.criterionversion_id = v.id"
        parts.append(
            f"SELECT v.id, {country_col}, '*', {_period('v')} FROM {V} v {country_join} "
            f"WHERE {version} AND {active} "
            "AND NOT v.applies_to_all_countries AND v.applies_to_all_sectors"
        )
    country_col = f"{country_link}.tradingpartner_id" if country_link else "lc.tradingpartner_id"
    country_join = "" if country_link else f"JOIN {LC} lc ON lc.criterionversion_id = v.id"
    sector_join = (
        f"JOIN {S} s ON s.id = {sector_link}.sector_id"
        if sector_link
        else f"JOIN {LS} ls ON ls.criterionversion_id = v.id JOIN {S} s ON s.id = ls.sector_id"
    )
    parts.append(
        f"SELECT v.id, {country_col}, s.isic_code, {_period('v')} FROM {V} v {country_join} "
        f"{sector_join} WHERE {version} AND {active} "
        "AND NOT v.applies_to_all_countries AND NOT v.applies_to_all_sectors"
    )
    return " UNION ALL ".join(parts)


FILL = f"{COLUMNS} {_cells('1 = 1')}"
ON_VERSION = (
    f"{COLUMNS} SELECT NEW.id, 0, '*', NEW.effective_from, "
    f"COALESCE(NEW.effective_until, {OPEN_END}) WHERE NOT NEW.is_retirement "
    "AND NEW.applies_to_all_countries AND NEW.applies_to_all_sectors"
)
ON_COUNTRY = f"{COLUMNS} {_cells('v.id = NEW.criterionversion_id', country_link='NEW')}"
ON_SECTOR = f"{COLUMNS} {_cells('v.id = NEW.criterionversion_id', sector_link='NEW')}"
ON_UNTIL = (
    f"UPDATE {R} SET effective_until = COALESCE(NEW.effective_until, {OPEN_END}) "
    "WHERE version_id = NEW.id"
)

SQLITE = [
    f"CREATE TRIGGER {R}_on_version AFTER INSERT ON {V} BEGIN {ON_VERSION}; END;",
    f"CREATE TRIGGER {R}_on_country AFTER INSERT ON {LC} BEGIN {ON_COUNTRY}; END;",
    f"CREATE TRIGGER {R}_on_sector AFTER INSERT ON {LS} BEGIN {ON_SECTOR}; END;",
    f"CREATE TRIGGER {R}_on_until AFTER UPDATE OF effective_until ON {V} BEGIN {ON_UNTIL}; END;",
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {R}_on_{what};" for what in ("version", "country", "sector", "until")
]
POSTGRES = []
POSTGRES_REVERSE = []
for what, table, sql, event in [
    ("version", V, ON_VERSION, "INSERT"),
    ("country", LC, ON_COUNTRY, "INSERT"),
    ("sector", LS, ON_SECTOR, "INSERT"),
    ("until", V, ON_UNTIL, "UPDATE OF effective_until"),
]:
    POSTGRES += [
        f"""CREATE OR REPLACE FUNCTION {R}_on_{what}() RETURNS trigger AS $$
            BEGIN {sql}; RETURN NULL; END; $$ LANGUAGE plpgsql;""",
        f"""CREATE TRIGGER {R}_on_{what} AFTER {event} ON {table}
            FOR EACH ROW EXECUTE FUNCTION {R}_on_{what}();""",
    ]
    POSTGRES_REVERSE += [
        f"DROP TRIGGER IF EXISTS {R}_on_{what} ON {table};",
        f"DROP FUNCTION IF EXISTS {R}_on_{what}();",
    ]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE, "postgresql": POSTGRES}.get(vendor, []):
        schema_editor.execute(sql)
    schema_editor.execute(FILL)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("criteria", "0004_register_state")]

    operations = [
        migrations.CreateModel(
            name="VersionReach",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("country_key", models.IntegerField()),
                ("sector_key", models.CharField(max_length=8)),
                ("effective_from", models.DateField()),
                ("effective_until", models.DateField()),
                (
                    "version",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="criteria.criterionversion",
                    ),
                ),
            ],
            options={
                "verbose_name": "version reach",
                "verbose_name_plural": "version reach",
                "indexes": [
                    models.Index(
                        fields=[
                            "country_key",
                            "sector_key",
                            "effective_until",
                            "effective_from",
                            "version",
                        ],
                        name="crit_reach_cell",
                    ),
                    models.Index(fields=["version"], name="crit_reach_version"),
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
