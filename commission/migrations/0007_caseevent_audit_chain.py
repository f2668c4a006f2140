"""The audit chain (commission/audit.py): every case event gets its place in the chain, the hash
of the event before it and its own hash; existing events are chained in the order they were
written (their id), with `recorded_at` = `occurred_at`.

The append-only triggers of migration 0002 refuse the UPDATE that fills the new columns, so
they are dropped for the length of this migration and created again, unchanged, at its end
(on SQLite a table rebuild would drop them anyway)."""

import hashlib
import importlib
import json

import django.utils.timezone
from django.db import migrations, models

append_only = importlib.import_module("commission.migrations.0002_caseevent_append_only")

GENESIS = "0" * 64


def _utc(instant):
    import datetime as dt

    if instant is None:
        return ""
    return instant.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _hash(event, subject_label):
    # The same canonical content as commission.audit.content_hash (frozen here: a migration
    # must not change when the application code does).
    content = {
        "sequence": event.sequence,
        "previous_hash": event.previous_hash,
        "occurred_at": _utc(event.occurred_at),
        "recorded_at": _utc(event.recorded_at),
        "actor": event.actor_id,
        "subject_type": subject_label,
        "subject_id": str(event.subject_id),
        "docket_number": event.docket_number,
        "verb": event.verb,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "reason": event.reason,
        "data": event.data,
        "is_public": bool(event.is_public),
        "imported": bool(event.imported),
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def triggers_drop(apps, schema_editor):
    append_only.backwards(apps, schema_editor)


def triggers_create(apps, schema_editor):
    append_only.forwards(apps, schema_editor)


def chain_existing(apps, schema_editor):
    CaseEvent = apps.get_model("commission", "CaseEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    labels = {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}
    previous = GENESIS
    for sequence, event in enumerate(CaseEvent.objects.order_by("pk").iterator(), start=1):
        event.sequence = sequence
        event.previous_hash = previous
        event.recorded_at = event.occurred_at
        event.imported = False
        event.content_hash = _hash(event, labels[event.subject_type_id])
        CaseEvent.objects.filter(pk=event.pk).update(
            sequence=event.sequence,
            previous_hash=event.previous_hash,
            recorded_at=event.recorded_at,
            content_hash=event.content_hash,
        )
        previous = event.content_hash


class Migration(migrations.Migration):
    dependencies = [
        ("commission", "0006_tradingpartner_total_order"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(triggers_drop, triggers_create),
        migrations.AddField(
            model_name="caseevent",
            name="recorded_at",
            field=models.DateTimeField(
                default=None,
                null=True,
                help_text="When the row was written (the event may be dated at an earlier fact).",
                verbose_name="recorded at",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="caseevent",
            name="imported",
            field=models.BooleanField(
                default=False, help_text="Written by a legacy import.", verbose_name="imported"
            ),
        ),
        migrations.AddField(
            model_name="caseevent",
            name="sequence",
            field=models.BigIntegerField(null=True, verbose_name="place in the audit chain"),
        ),
        migrations.AddField(
            model_name="caseevent",
            name="previous_hash",
            field=models.CharField(
                default="", max_length=64, verbose_name="hash of the previous event"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="caseevent",
            name="content_hash",
            field=models.CharField(default="", max_length=64, verbose_name="hash of this event"),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="caseevent",
            name="recorded_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                help_text="When the row was written (the event may be dated at an earlier fact).",
                verbose_name="recorded at",
            ),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="sequence",
            field=models.BigIntegerField(unique=True, verbose_name="place in the audit chain"),
        ),
        migrations.RunPython(triggers_create, triggers_drop),
    ]
