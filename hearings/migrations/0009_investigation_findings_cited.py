"""The investigation findings a decision cites, frozen with the decision once issued."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from commission.integrity import InstallGuards


class Migration(migrations.Migration):
    dependencies = [
        ("hearings", "0008_sanctions_moved_to_sanctions_app"),
        ("investigations", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="FindingCitation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(verbose_name="position")),
                ("reliance", models.TextField(verbose_name="what the panel relies on it for")),
                (
                    "cited_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="cited at"
                    ),
                ),
                (
                    "cited_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="cited by",
                    ),
                ),
                (
                    "decision",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="citations",
                        to="hearings.decision",
                        verbose_name="decision",
                    ),
                ),
                (
                    "finding",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="investigations.finding",
                        verbose_name="investigation finding",
                    ),
                ),
            ],
            options={
                "verbose_name": "investigation finding cited",
                "verbose_name_plural": "investigation findings cited",
                "ordering": ["decision", "position"],
                "constraints": [
                    models.UniqueConstraint(fields=("decision", "finding"), name="citation_once"),
                    models.UniqueConstraint(
                        fields=("decision", "position"), name="citation_position"
                    ),
                ],
            },
        ),
        InstallGuards("hearings.FindingCitation"),
    ]
