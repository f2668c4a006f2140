"""The guards of criterion versions, installed again from `CriterionVersion.integrity` now that
its countries and sectors are closed to new rows once a later version ends it (BEFORE INSERT on
the two many-to-many tables, both databases)."""

from django.db import migrations

from commission.integrity import InstallGuards


class Migration(migrations.Migration):
    dependencies = [("criteria", "0010_integrity_guards")]

    operations = [
        InstallGuards("criteria.CriterionVersion"),
    ]
