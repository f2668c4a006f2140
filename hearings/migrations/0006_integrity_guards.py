"""The database guards of decisions, everything an issued decision holds, and the register of
opinions, generated from the `integrity` declarations (`InstallGuards`) in place of the
trigger written by hand in migration 0002, which is dropped first (and put back
backwards)."""

import importlib

from django.db import migrations

from commission.integrity import InstallGuards

_hand_written = importlib.import_module("hearings.migrations.0002_opinion_immutable")


def hand_written_drop(apps, schema_editor):
    _hand_written.backwards(apps, schema_editor)


def hand_written_create(apps, schema_editor):
    _hand_written.forwards(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("hearings", "0005_submission_review_queue")]

    operations = [
        migrations.RunPython(hand_written_drop, hand_written_create),
        InstallGuards("hearings.Decision"),
        InstallGuards("hearings.AllegationFinding"),
        InstallGuards("hearings.FactFinding"),
        InstallGuards("hearings.CriterionApplication"),
        InstallGuards("hearings.SanctionSpecification"),
        InstallGuards("hearings.SanctionBenchmark"),
        InstallGuards("hearings.Opinion"),
    ]
