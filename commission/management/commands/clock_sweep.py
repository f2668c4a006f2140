"""Run the statutory-clock sweep once, now (beat runs it every minute; this is for operators
and for a freshly loaded demo). Safe to run at any time: nothing is sent twice."""

from django.core.management.base import BaseCommand

from commission.services import clock_sweep


class Command(BaseCommand):
    help = "Send due clock reminders and escalations and record misses, exactly once."

    def handle(self, *args, **options):
        report = clock_sweep()
        self.stdout.write(
            f"clocks {report.clocks}, notices {report.notices} ({report.late_notices} late, "
            f"{report.not_needed} recorded without sending), misses {report.misses}, "
            f"notifications {report.notifications}"
        )
