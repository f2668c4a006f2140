"""Wait until beat and a worker have recorded a heartbeat (used by run_all before the web
server starts, so /healthz is green as soon as the portal answers)."""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from commission.models import Heartbeat


class Command(BaseCommand):
    help = "Wait for a fresh heartbeat from beat and a worker (or give up after --timeout)."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=120.0)

    def handle(self, *args, timeout, **options):
        started = timezone.now()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if Heartbeat.objects.filter(recorded_at__gte=started).exists():
                self.stdout.write("worker and beat are up (heartbeat recorded)")
                return
            time.sleep(0.5)
        self.stderr.write(
            f"no heartbeat within {timeout:.0f} s: starting anyway; /healthz will say what is down"
        )
