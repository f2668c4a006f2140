"""Representative samples of employers, drawn so that anyone can redraw them.

The frame is every employer / workplace of the core records in a country (and sector), by
ascending id; the frame's ids, the method and the seed are recorded on the investigation.
`sample_draw(frame=..., size=..., seed=...)` with the recorded values gives the same sample on
any machine: Python's `random.Random` seeded with the text "<method>:<seed>" (string seeds are
hashed with SHA-512, version 2, which Python keeps stable), then `sample()` of the sorted frame.
"""

from __future__ import annotations

import random
import secrets

from commission.models import Organization, Sector, TradingPartner

METHOD = "srswor-python-random-v1"
METHOD_DESCRIPTION = (
    "Simple random sample without replacement: random.Random('srswor-python-random-v1:' + seed)"
    ".sample(sorted(frame), size), sorted ascending (Python 3, string seed version 2)."
)


def sample_frame(*, country: TradingPartner, sector: Sector | None = None) -> list[int]:
    """The ids of the employers / workplaces of a country (and sector), ascending."""
    qs = Organization.objects.filter(kind=Organization.Kind.EMPLOYER, country=country)
    if sector is not None:
        qs = qs.filter(sector=sector)
    return list(qs.order_by("pk").values_list("pk", flat=True))


def new_seed() -> str:
    return secrets.token_hex(8)


def sample_draw(*, frame: list[int], size: int, seed: str, method: str = METHOD) -> list[int]:
    """The sample the recorded frame, size, seed and method give (ascending ids)."""
    if method != METHOD:
        raise ValueError(f"unknown sampling method {method!r}")
    if size < 1 or size > len(frame):
        raise ValueError("the sample size must be between 1 and the size of the frame")
    rng = random.Random(f"{method}:{seed}")  # noqa: S311 - reproducibility, not secrecy  # nosec B311
    return sorted(rng.sample(sorted(frame), size))
