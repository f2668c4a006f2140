"""Panel composition: which seats a panel has, and whether a member fits a seat.

The composition is configured (`settings.HEARINGS_PANEL_COMPOSITION`), e.g. the default
"jurist:any:presides, worker_representative:respondent, worker_representative:other" — a jurist
presiding and a worker representative from each country. "respondent" is the country
complained against; "other" any other trading partner; a two-letter code names a country.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from commission.models import CommissionMember, TradingPartner
from complaints.models import Case, Respondent

ANY = "any"
RESPONDENT = "respondent"
OTHER = "other"


@dataclass(frozen=True)
class SeatSpec:
    kind: str
    country: str  # ANY, RESPONDENT, OTHER or an ISO code
    presides: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "country": self.country, "presides": self.presides}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SeatSpec:
        return cls(kind=data["kind"], country=data["country"], presides=bool(data["presides"]))

    def describe(self, respondent_country: TradingPartner | None = None) -> str:
        kind = str(CommissionMember.Kind(self.kind).label)
        if self.country == ANY:
            where = _("any country")
        elif self.country == RESPONDENT:
            where = respondent_country.name if respondent_country else _("the respondent country")
        elif self.country == OTHER:
            where = _("a country other than %(country)s") % {
                "country": respondent_country.name
                if respondent_country
                else _("the respondent country")
            }
        else:
            where = self.country
        text = f"{kind} ({where})"
        return text + (" — " + _("presides") if self.presides else "")


def parse_composition(entries: list[str]) -> list[SeatSpec]:
    """Parse and check the configured composition (exactly one presiding seat)."""
    seats: list[SeatSpec] = []
    for raw in entries:
        parts = [p.strip() for p in raw.strip().split(":") if p.strip()]
        if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] != "presides"):
            raise ImproperlyConfigured(f"HEARINGS_PANEL_COMPOSITION: bad seat {raw!r}")
        kind, country = parts[0], parts[1]
        if kind not in CommissionMember.Kind.values:
            raise ImproperlyConfigured(f"HEARINGS_PANEL_COMPOSITION: unknown kind {kind!r}")
        if country not in (ANY, RESPONDENT, OTHER) and not (
            len(country) == 2 and country.isalpha() and country.isupper()
        ):
            raise ImproperlyConfigured(f"HEARINGS_PANEL_COMPOSITION: bad country {country!r}")
        seats.append(SeatSpec(kind=kind, country=country, presides=len(parts) == 3))
    if not seats:
        raise ImproperlyConfigured("HEARINGS_PANEL_COMPOSITION has no seat")
    if sum(1 for s in seats if s.presides) != 1:
        raise ImproperlyConfigured("HEARINGS_PANEL_COMPOSITION needs exactly one presiding seat")
    return seats


def configured_composition() -> list[SeatSpec]:
    return parse_composition(list(settings.HEARINGS_PANEL_COMPOSITION))


_COUNTRY_ORDER = (
    Respondent.Kind.GOVERNMENT,
    Respondent.Kind.GOVERNMENT_AGENCY,
    Respondent.Kind.EMPLOYER,
    Respondent.Kind.SECTOR,
    Respondent.Kind.GLOBAL_CORPORATION,
)


def respondent_country(case: Case) -> TradingPartner | None:
    """The country complained against: that of the government respondent, else of the
    workplace, else the country the filer gave."""
    respondents = list(case.respondents.select_related("organization__country", "country"))
    for kind in _COUNTRY_ORDER:
        for r in respondents:
            if r.kind != kind:
                continue
            if r.organization is not None and r.organization.country_id:
                return r.organization.country
            if r.country_id:
                return r.country
    return None


def member_is_sitting(member: CommissionMember, on: dt.date) -> bool:
    return member.seated_on <= on and (member.left_on is None or member.left_on > on)


def member_fits_seat(
    member: CommissionMember, seat: SeatSpec, country: TradingPartner | None
) -> bool:
    if member.kind != seat.kind:
        return False
    if seat.country == ANY:
        return True
    if seat.country == RESPONDENT:
        return country is not None and member.country_id == country.pk
    if seat.country == OTHER:
        return country is not None and member.country_id != country.pk
    return member.country.code == seat.country
