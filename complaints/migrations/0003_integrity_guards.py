"""The database guards of cases, generated from `Case.integrity` (`InstallGuards`) in place of
the triggers written by hand in migration 0002, which are dropped first (and put back
backwards). The rule that a case is `decided` only with an issued decision reads the hearings
app's decision table, hence the dependency."""

import importlib

from django.db import migrations

from commission.integrity import InstallGuards

_hand_written = importlib.import_module("complaints.migrations.0002_case_receipt_immutable")


def hand_written_drop(apps, schema_editor):
    _hand_written.backwards(apps, schema_editor)


def hand_written_create(apps, schema_editor):
    _hand_written.forwards(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0002_case_receipt_immutable"),
        ("hearings", "0003_sanction_unit_labels"),
    ]

    operations = [
        migrations.RunPython(hand_written_drop, hand_written_create),
        InstallGuards("complaints.Case"),
    ]
