"""The guards of everything an issued decision holds, installed again from the declarations now
that they name `frozen_with`: an issued decision's findings, fact findings, criteria applied,
sanctions and benchmarks, and the findings a sanction answers, are closed to new rows (BEFORE
INSERT, both databases)."""

from django.db import migrations

from commission.integrity import InstallGuards


class Migration(migrations.Migration):
    dependencies = [("hearings", "0006_integrity_guards")]

    operations = [
        InstallGuards("hearings.AllegationFinding"),
        InstallGuards("hearings.FactFinding"),
        InstallGuards("hearings.CriterionApplication"),
        InstallGuards("hearings.SanctionSpecification"),
        InstallGuards("hearings.SanctionBenchmark"),
    ]
