"""Recompute the audit chain of case events and name the first broken link (exit 1)."""

from django.core.management.base import BaseCommand, CommandError

from commission.models import CaseEvent
from commission.services import audit_chain_verify


class Command(BaseCommand):
    help = "Recompute the case-event hash chain; name the first broken link and exit non-zero."

    def add_arguments(self, parser):
        parser.add_argument(
            "--alert",
            action="store_true",
            help="Also notify staff of a break (the daily task does).",
        )

    def handle(self, *args, **options):
        broken = audit_chain_verify(alert=options["alert"])
        if broken is not None:
            raise CommandError(f"audit chain broken at {broken}")
        self.stdout.write(f"audit chain intact: {CaseEvent.objects.count()} events")
