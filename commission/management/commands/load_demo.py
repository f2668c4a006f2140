"""Load the demo scenario: the data files of `DEMO_FILES`, in this order (each app's after the
apps below it, and the sanctions after the decision they belong to), each fed through the
services by `commission.demo_data` in its own transaction.

Loading the demo sends nothing: the side effects the scenario's filings and steps queue
(acknowledgements, panel notices, renders) run in this process as they are queued, with
outgoing email going nowhere — no one receives mail for a case that only plays a scenario. The
notices its backdated clocks would have sent are recorded as superseded, so the first clock
sweep afterwards sends each clock's current escalation only
(`commission.services.clock_history_settle`)."""

from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from commission.demo_data import demo_data_load

SILENT_EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"

# The Peru scenario, file by file (paths from the project's top folder).
DEMO_FILES = [
    "commission/demo.yaml",  # countries, sectors, parties, accounts, members, the Lima team
    "criteria/demo.yaml",  # the criteria register and a deliberation round
    "complaints/demo.yaml",  # three cases at three clock situations
    "investigations/demo.yaml",  # the team's investigation of the union's complaint
    "hearings/demo.yaml",  # a case heard, and its decision drafted
    "sanctions/demo.yaml",  # that decision's sanctions and issue; a sanction step lifted
]


@contextmanager
def _nothing_sent():
    from celery import current_app as app

    eager, backend = app.conf.task_always_eager, settings.EMAIL_BACKEND
    app.conf.task_always_eager = True
    settings.EMAIL_BACKEND = SILENT_EMAIL_BACKEND
    try:
        yield
    finally:
        app.conf.task_always_eager = eager
        settings.EMAIL_BACKEND = backend


class Command(BaseCommand):
    help = "Load (or refresh) the Peru demo scenario. Safe to run any number of times."

    def handle(self, *args, **options):
        with _nothing_sent():
            for name in DEMO_FILES:
                with transaction.atomic():
                    ran = demo_data_load(settings.BASE_DIR / name)
                self.stdout.write(f"demo data loaded: {name} ({ran} steps run)")
            # The scenario's clocks started weeks ago: what fell due in its history is settled,
            # so the first sweep sends each clock's current escalation only, not a flood.
            from commission.services import clock_history_settle

            settled = clock_history_settle()
            self.stdout.write(f"demo clock notices settled: {settled}")
