"""The database guards of case events, clocks and clock notices, generated from their
`integrity` declarations (`commission.integrity.InstallGuards`) in place of the triggers
written by hand in migrations 0002 and 0004, which are dropped first (and put back
backwards)."""

import importlib

from django.db import migrations

from commission.integrity import InstallGuards

_HAND_WRITTEN = [
    importlib.import_module("commission.migrations.0002_caseevent_append_only"),
    importlib.import_module("commission.migrations.0004_clock_immutable"),
]


def _run(schema_editor, name):
    for module in _HAND_WRITTEN:
        statements = {
            "sqlite": getattr(module, f"SQLITE{name}"),
            "postgresql": getattr(module, f"POSTGRES{name}"),
        }.get(schema_editor.connection.vendor, [])
        for sql in statements:
            schema_editor.execute(sql)


def hand_written_drop(apps, schema_editor):
    _run(schema_editor, "_REVERSE")


def hand_written_create(apps, schema_editor):
    _run(schema_editor, "")


class Migration(migrations.Migration):
    dependencies = [("commission", "0007_caseevent_audit_chain")]

    operations = [
        migrations.RunPython(hand_written_drop, hand_written_create),
        InstallGuards("commission.CaseEvent"),
        InstallGuards("commission.Clock"),
        InstallGuards("commission.ClockNotice"),
    ]
