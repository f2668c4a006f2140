"""Window clocks: the written-arguments window and the public notice period close, they are
never met or missed (ADR 0022).

* `Clock.Status.CLOSED` and `Clock.closed_at` (= the due instant), with the status constraint
  extended and a constraint that a window only closes and an obligation never does.
* A window recorded before this migration as met (the written-arguments window was met as it
  opened) or missed is set back to pending with `next_action_at` = its due instant, so the next
  sweep closes it, dated at its due instant, with a public `clock_window_closed` case event.
  The case events already recorded stay as they are (the audit log is append-only).
* On SQLite, changing a check constraint rebuilds the table, which drops its triggers: the
  triggers of migration 0004 (no computed field changes, no delete) are created again after
  the rebuild, forwards and backwards. On PostgreSQL the trigger function is unchanged: it
  compares only the computed fields, so status, closed_at and next_action_at may change.
"""

import importlib

from django.db import migrations, models

WINDOW_KINDS = ["written_arguments_close", "public_notice"]

_immutable = importlib.import_module("commission.migrations.0004_clock_immutable")


def sqlite_triggers_create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in _immutable.SQLITE:
            schema_editor.execute(sql)


def windows_reopen(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Run any deferred foreign-key checks now, so the constraints below can be added in
        # this transaction.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    Clock = apps.get_model("commission", "Clock")
    for clock in Clock.objects.filter(kind__in=WINDOW_KINDS).exclude(status="pending"):
        Clock.objects.filter(pk=clock.pk).update(
            status="pending",
            met_at=None,
            met_by_event=None,
            missed_at=None,
            miss_recorded_at=None,
            completed_at=None,
            completed_by_event=None,
            days_overdue=None,
            next_action_at=clock.due_at,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("commission", "0004_clock_immutable"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        # Backwards, this runs last: the triggers come back after the table is rebuilt.
        migrations.RunPython(migrations.RunPython.noop, sqlite_triggers_create),
        migrations.RemoveConstraint(
            model_name="clock",
            name="clock_status_consistent",
        ),
        migrations.AddField(
            model_name="clock",
            name="closed_at",
            field=models.DateTimeField(
                blank=True,
                help_text="For a window: the due instant at which it closed.",
                null=True,
                verbose_name="closed at",
            ),
        ),
        migrations.AlterField(
            model_name="clock",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("met", "Met"),
                    ("missed", "Missed"),
                    ("closed", "Closed"),
                ],
                default="pending",
                max_length=16,
                verbose_name="status",
            ),
        ),
        migrations.AddConstraint(
            model_name="clock",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("closed_at__isnull", True),
                        ("met_at__isnull", True),
                        ("missed_at__isnull", True),
                        ("status", "pending"),
                    ),
                    models.Q(
                        ("closed_at__isnull", True),
                        ("met_at__isnull", False),
                        ("met_at__lte", models.F("due_at")),
                        ("missed_at__isnull", True),
                        ("status", "met"),
                    ),
                    models.Q(
                        ("closed_at__isnull", True),
                        ("met_at__isnull", True),
                        ("missed_at__isnull", False),
                        ("status", "missed"),
                    ),
                    models.Q(
                        ("closed_at", models.F("due_at")),
                        ("completed_at__isnull", True),
                        ("met_at__isnull", True),
                        ("missed_at__isnull", True),
                        ("status", "closed"),
                    ),
                    _connector="OR",
                ),
                name="clock_status_consistent",
            ),
        ),
        migrations.RunPython(windows_reopen, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="clock",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("kind__in", WINDOW_KINDS),
                        ("status__in", ["pending", "closed"]),
                    ),
                    models.Q(
                        models.Q(("kind__in", WINDOW_KINDS), _negated=True),
                        models.Q(("status", "closed"), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="clock_window_only_closes",
            ),
        ),
        migrations.RunPython(sqlite_triggers_create, migrations.RunPython.noop),
    ]
