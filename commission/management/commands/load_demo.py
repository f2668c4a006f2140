"""Load the demo scenario: the core first, then each app's `demo.load()` in layer order."""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Load (or refresh) the Peru demo scenario. Safe to run any number of times."

    def handle(self, *args, **options):
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
