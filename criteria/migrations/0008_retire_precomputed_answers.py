"""The read path answers from the register itself (docs/adr/0011): the precomputed answers
(`AnswerSet`, `BindingAnswer`, `BindingEntry`, `RegisterRow`) and the reach cells
(`VersionReach`) with the triggers that kept them (migration 0005) are dropped. The register
state's triggers (migrations 0004 and 0006) stay."""

from importlib import import_module

from django.db import migrations

REACH = import_module("criteria.migrations.0005_version_reach")


def drop_reach_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": REACH.SQLITE_REVERSE, "postgresql": REACH.POSTGRES_REVERSE}.get(
        vendor, []
    ):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("criteria", "0007_answers_renderer")]

    operations = [
        # The triggers write into the reach table: they go before it does.
        migrations.RunPython(drop_reach_triggers, REACH.forwards),
        migrations.DeleteModel(name="VersionReach"),
        migrations.DeleteModel(name="BindingAnswer"),
        migrations.DeleteModel(name="BindingEntry"),
        migrations.DeleteModel(name="RegisterRow"),
        migrations.DeleteModel(name="AnswerSet"),
    ]
