"""The attack matrix, generated from the `integrity` declarations: every frozen field, every
forbidden transition, every set-once field, every field never cleared, every cross-table
requirement and every no-delete rule of every guarded model is tried through each door — the
model's `save()` (with and without `update_fields`), `QuerySet.update()`, `bulk_update()`,
`delete()`, the queryset's `delete()`, raw SQL `UPDATE` and `DELETE`, SQLite's
`INSERT OR REPLACE`, PostgreSQL's `INSERT … ON CONFLICT DO UPDATE`, `TRUNCATE`, and on
PostgreSQL the same as the application role — and each is refused with a message that names
the rule (`<app>.<Model>.<field>:<kind>`). A rule declared later is attacked without a line
added here (a row to try it on must be named in conftest.py, or its attacks fail)."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, models, transaction

from commission import integrity

pytestmark = pytest.mark.django_db

UPDATE_DOORS = ["save_fields", "save", "queryset_update", "bulk_update", "raw_update", "upsert"]
DELETE_DOORS = ["delete", "queryset_delete", "raw_delete", "replace", "truncate"]


def _attacks():
    for label, declaration in integrity.registry().items():
        model = apps.get_model(label)
        for rule in integrity.rules(model, declaration):
            if rule.endswith(":no_delete"):
                for door in [*DELETE_DOORS, "app_role_delete"]:
                    yield pytest.param(label, rule, door, id=f"{rule}-{door}")
            else:
                for door in [*UPDATE_DOORS, "app_role_update"]:
                    yield pytest.param(label, rule, door, id=f"{rule}-{door}")


ATTACKS = list(_attacks())


def _field_of(model, rule: str) -> models.Field:
    attname = rule.split(":")[0].rsplit(".", 1)[1]
    return next(f for f in model._meta.concrete_fields if f.attname == attname)


def _different(field: models.Field, old):
    """A value of the field's type that differs from `old` (and fits the column)."""
    if field.primary_key or isinstance(field, models.ForeignKey):
        return (old or 0) + 100000
    if isinstance(field, models.BooleanField):
        return not old
    if isinstance(field, models.UUIDField):
        return uuid.uuid4()
    if isinstance(field, models.DateTimeField):
        return (old or dt.datetime(2026, 1, 1, tzinfo=dt.UTC)) + dt.timedelta(days=1)
    if isinstance(field, models.DateField):
        return (old or dt.date(2026, 1, 1)) + dt.timedelta(days=1)
    if isinstance(field, models.DecimalField):
        return (old or decimal.Decimal(0)) + 1
    if isinstance(field, models.IntegerField | models.FloatField):
        return (old or 0) + 1
    if isinstance(field, models.JSONField):
        return {"tampered": True}
    if isinstance(field, models.FileField):
        return f"{old}x"
    text = str(old or "")
    limit = field.max_length or 1000
    return (text + "x")[-limit:] if not text.endswith("x") else text[:-1] + "y"


def _attack(specimens, label: str, rule: str):
    """(row, field, value) of the attack on `rule`."""
    rows = specimens[label]
    kind = rule.split(":")[1] if rule.count(":") else ""
    model = apps.get_model(label)
    if rule.endswith(":transition"):
        specimen = rows["transition"]
        return specimen, _field_of(model, rule), specimen.value
    if kind == "requires":
        specimen = rows[rule.rsplit(":", 1)[1]]
        return specimen, _field_of(model, rule), specimen.value
    field = _field_of(model, rule)
    if kind in ("set_once", "never_cleared"):
        specimen = rows[field.attname]
        old = getattr(specimen.fresh(), field.attname)
        return (
            specimen,
            field,
            (specimen.value if kind == "never_cleared" else _different(field, old)),
        )
    specimen = rows["locked"]
    return specimen, field, _different(field, getattr(specimen.fresh(), field.attname))


def _refused(rule: str, door):
    """Run `door`; it must be refused by the rule (Python or database)."""
    with pytest.raises((ValidationError, DatabaseError)) as refused, transaction.atomic():
        door()
    assert rule in str(refused.value), f"{rule} not named in: {refused.value}"


def _sql(statement: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, list(params))


def _app_role():
    if connection.vendor != "postgresql" or not settings.DATABASE_APP_ROLE:
        return None
    return connection.ops.quote_name(settings.DATABASE_APP_ROLE)


def test_the_matrix_is_not_empty():
    assert len(ATTACKS) > 300


@pytest.mark.parametrize(("label", "rule", "door"), ATTACKS)
def test_attack_is_refused(specimens, label, rule, door):  # noqa: C901 - one branch per door of the generated attack matrix
    model = apps.get_model(label)
    table = connection.ops.quote_name(model._meta.db_table)
    pk = model._meta.pk
    if rule.endswith(":no_delete"):
        specimen = specimens[label]["locked"]

        def truncate():
            if connection.vendor == "postgresql":
                # The rows written in this transaction leave deferred foreign-key checks
                # pending, which PostgreSQL would name instead of the guard.
                _sql("SET CONSTRAINTS ALL IMMEDIATE")
                _sql(f"TRUNCATE {table} CASCADE")
            else:
                _sql(f"DELETE FROM {table}")  # noqa: S608

        where = f"{connection.ops.quote_name(pk.column)} = %s"
        doors = {
            "delete": lambda: specimen.fresh().delete(),
            "queryset_delete": lambda: model.objects.filter(pk=specimen.pk).delete(),
            "raw_delete": lambda: _sql(f"DELETE FROM {table} WHERE {where}", [specimen.pk]),  # noqa: S608
            "replace": lambda: _sql(
                f"INSERT OR REPLACE INTO {table} SELECT * FROM {table} WHERE {where}",  # noqa: S608
                [specimen.pk],
            ),
            "truncate": lambda: truncate(),
        }
        expected = {
            "replace": rule.replace(":no_delete", ":no_replace"),
            "truncate": ":no_truncate" if connection.vendor == "postgresql" else rule,
        }.get(door, rule)
        if door == "replace" and connection.vendor != "sqlite":
            pytest.skip("INSERT OR REPLACE is SQLite's")
        if door == "app_role_delete":
            role = _app_role()
            if role is None:
                pytest.skip("needs PostgreSQL with an application role (DATABASE_OWNER_URL)")

            def as_app():
                _sql(f"SET LOCAL ROLE {role}")
                _sql(f"DELETE FROM {table} WHERE {where}", [specimen.pk])  # noqa: S608

            _refused(rule, as_app)
        else:
            _refused(expected, doors[door])
        assert model._base_manager.filter(pk=specimen.pk).exists()
        return

    specimen, field, value = _attack(specimens, label, rule)
    column = connection.ops.quote_name(field.column)
    where = f"{connection.ops.quote_name(pk.column)} = %s"
    prepared = field.get_db_prep_save(value, connection)
    before = getattr(specimen.fresh(), field.attname)
    if field.primary_key and door in ("save_fields", "save", "bulk_update", "upsert"):
        pytest.skip("a new key through these doors is a new row, not a change of this one")

    def save(fields):
        row = specimen.fresh()
        setattr(row, field.attname, value)
        row.save(update_fields=fields)

    def bulk_update():
        row = specimen.fresh()
        setattr(row, field.attname, value)
        model.objects.bulk_update([row], [field.name])

    def upsert():
        columns = [f.column for f in model._meta.concrete_fields]
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        select = ", ".join(
            "%s" if c == field.column else connection.ops.quote_name(c) for c in columns
        )
        if connection.vendor == "sqlite":
            _sql(
                f"INSERT OR REPLACE INTO {table} ({names}) SELECT {select} FROM {table} WHERE {where}",  # noqa: S608
                [prepared, specimen.pk],
            )
        else:
            # The row proposed is the row as it is (its checks pass); the conflict's UPDATE
            # writes the attack.
            _sql(
                f"INSERT INTO {table} SELECT * FROM {table} WHERE {where} "  # noqa: S608
                f"ON CONFLICT ({connection.ops.quote_name(pk.column)}) "
                f"DO UPDATE SET {column} = %s",
                [specimen.pk, prepared],
            )

    def as_app():
        role = _app_role()
        if role is None:
            pytest.skip("needs PostgreSQL with an application role (DATABASE_OWNER_URL)")
        _sql(f"SET LOCAL ROLE {role}")
        _sql(f"UPDATE {table} SET {column} = %s WHERE {where}", [prepared, specimen.pk])  # noqa: S608

    doors = {
        "save_fields": lambda: save([field.name]),
        "save": lambda: save(None),
        "queryset_update": lambda: model.objects.filter(pk=specimen.pk).update(
            **{field.attname: value}
        ),
        "bulk_update": bulk_update,
        "raw_update": lambda: _sql(
            f"UPDATE {table} SET {column} = %s WHERE {where}",  # noqa: S608
            [prepared, specimen.pk],
        ),
        "upsert": upsert,
        "app_role_update": as_app,
    }
    expected = rule
    if door == "upsert" and connection.vendor == "sqlite":
        expected = f"{label}:no_replace"
    fk = integrity.registry()[label].frozen_with
    if door == "upsert" and connection.vendor == "postgresql" and fk:
        # A row proposed for a closed parent is refused as an insert, before any conflict.
        parent = model._meta.get_field(fk).related_model
        closed = parent._base_manager.filter(integrity.declaration_of(parent).closed())
        if model._base_manager.filter(pk=specimen.pk, **{f"{fk}__in": closed}).exists():
            expected = f"{label}:insert_closed:{fk}"
    if door == "app_role_update" and _app_role() is None:
        pytest.skip("needs PostgreSQL with an application role (DATABASE_OWNER_URL)")
    _refused(expected, doors[door])
    assert getattr(specimen.fresh(), field.attname) == before


# --- New rows: every rule checked on INSERT, through every door that writes one ----------------

INSERT_DOORS = ["create", "bulk_create", "raw_insert", "app_role_insert"]


def _insert_attacks():
    for label, declaration in integrity.registry().items():
        model = apps.get_model(label)
        for rule in integrity.insert_rules(model, declaration):
            for door in INSERT_DOORS:
                yield pytest.param(label, rule, door, id=f"{rule}-{door}")


INSERT_ATTACKS = list(_insert_attacks())


def test_the_insert_matrix_covers_every_closed_table():
    assert {label for label, _rule, _door in (a.values for a in INSERT_ATTACKS)} == {
        "complaints.Case",
        "criteria.CriterionVersion_countries",
        "criteria.CriterionVersion_sectors",
        "hearings.AllegationFinding",
        "hearings.CriterionApplication",
        "hearings.FactFinding",
        "hearings.FindingCitation",
        "investigations.Finding_site_visits",
        "investigations.Finding_excerpts",
        "investigations.Finding_demands",
        "sanctions.SanctionBenchmark",
        "sanctions.SanctionSpecification",
        "sanctions.SanctionSpecification_findings",
    }


@pytest.mark.parametrize(("label", "rule", "door"), INSERT_ATTACKS)
def test_insert_is_refused(specimens, label, rule, door):
    """A copy of a guarded row, as a new row (a new key, new values in its unique columns),
    with the columns the attack names changed: refused by the rule."""
    model = apps.get_model(label)
    rows = specimens[label]
    specimen = rows.get("insert", rows["locked"])
    changes = specimen.value if isinstance(specimen.value, dict) else {}
    template = specimen.fresh()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    values = {f.attname: getattr(template, f.attname) for f in fields}
    for f in fields:
        if f.unique:
            values[f.attname] = _different(f, values[f.attname])
    values.update(changes)
    before = model._base_manager.count()
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    prepared = [f.get_db_prep_save(values[f.attname], connection) for f in fields]

    def raw_insert():
        _sql(f"INSERT INTO {table} ({columns}) VALUES ({marks})", prepared)  # noqa: S608

    def as_app():
        _sql(f"SET LOCAL ROLE {_app_role()}")
        raw_insert()

    doors = {
        "create": lambda: model.objects.create(**values),
        "bulk_create": lambda: model.objects.bulk_create([model(**values)]),
        "raw_insert": raw_insert,
        "app_role_insert": as_app,
    }
    if door == "app_role_insert" and _app_role() is None:
        pytest.skip("needs PostgreSQL with an application role (DATABASE_OWNER_URL)")
    _refused(rule, doors[door])
    assert model._base_manager.count() == before
