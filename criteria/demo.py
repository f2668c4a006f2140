"""The Peru scenario's criteria register and deliberation round, as data (`demo.yaml`), fed
through the services by `commission.demo_data`."""

from pathlib import Path

from commission.demo_data import demo_data_load
from commission.models import Sector

# ISIC divisions the register cites that the core's scenario does not load.
SECTORS = {"13": "Manufacture of textiles", "14": "Manufacture of wearing apparel"}


def load() -> None:
    for code, title in SECTORS.items():
        Sector.objects.get_or_create(isic_code=code, defaults={"title": title})
    demo_data_load(Path(__file__).with_name("demo.yaml"))
