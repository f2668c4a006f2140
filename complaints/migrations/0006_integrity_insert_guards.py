"""The guards of cases, installed again from `Case.integrity` now that its requirement is
checked on INSERT too: no case row is written already `decided` without an issued decision."""

from django.db import migrations

from commission.integrity import InstallGuards


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0005_alter_case_received_via"),
        ("hearings", "0006_integrity_guards"),
    ]

    operations = [
        InstallGuards("complaints.Case"),
    ]
