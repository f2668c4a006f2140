"""The database guards of criteria, their versions (with their countries and sectors) and
their sources, generated from the `integrity` declarations (`InstallGuards`) in place of the
triggers written by hand in migration 0002, which are dropped first (and put back
backwards)."""

import importlib

from django.db import migrations

from commission.integrity import InstallGuards

_hand_written = importlib.import_module("criteria.migrations.0002_versions_are_immutable")


def hand_written_drop(apps, schema_editor):
    _hand_written.backwards(apps, schema_editor)


def hand_written_create(apps, schema_editor):
    _hand_written.forwards(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("criteria", "0009_registerstate_changed_at")]

    operations = [
        migrations.RunPython(hand_written_drop, hand_written_create),
        InstallGuards("criteria.Criterion"),
        InstallGuards("criteria.CriterionVersion"),
        InstallGuards("criteria.Source"),
    ]
