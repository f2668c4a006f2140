"""Load the demo scenario: the core first, then each app's `demo.load()` in layer order.

Loading the demo sends nothing: the side effects the scenario's filings and steps queue
(acknowledgements, panel notices, renders) run in this process as they are queued, with
outgoing email going nowhere — no one receives mail for a case that only plays a scenario. The
notices its backdated clocks would have sent are recorded as superseded, so the first clock
sweep afterwards sends each clock's current escalation only
(`commission.services.clock_history_settle`)."""

from contextlib import contextmanager
from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

SILENT_EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"


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
            for app in settings.COMMISSION_APPS:
                try:
                    module = import_module(f"{app}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app}.demo":
                        raise
                    continue
                with transaction.atomic():
                    module.load()
                self.stdout.write(f"demo data loaded: {app}")
            # The scenario's clocks started weeks ago: what fell due in its history is settled,
            # so the first sweep sends each clock's current escalation only, not a flood.
            from commission.services import clock_history_settle

            settled = clock_history_settle()
            self.stdout.write(f"demo clock notices settled: {settled}")
