"""Print which criteria bind a country and sector on a date, with the explanation.

manage.py criteria_binding PE 1410 --on 2026-12-01 [--json]
"""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from commission.models import Sector, TradingPartner
from criteria.api import BindingSerializer
from criteria.selectors import criteria_binding


class Command(BaseCommand):
    help = "Which criteria bind a country and sector on a date (and why)."

    def add_arguments(self, parser):
        parser.add_argument("country")
        parser.add_argument("sector")
        parser.add_argument("--on", default="")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        try:
            country = TradingPartner.objects.get(code=o["country"].upper())
            sector = Sector.objects.get(isic_code=o["sector"].upper())
            on = dt.date.fromisoformat(o["on"]) if o["on"] else timezone.localdate()
        except (TradingPartner.DoesNotExist, Sector.DoesNotExist, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        results = criteria_binding(country=country, sector=sector, on=on)
        if o["json"]:
            self.stdout.write(
                json.dumps(BindingSerializer(results, many=True).data, ensure_ascii=False, indent=2)
            )
            return
        for b in results:
            self.stdout.write(f"{b.identifier}  {b.criterion.title}")
            for line in b.explanation.splitlines():
                self.stdout.write(f"    {line}")
