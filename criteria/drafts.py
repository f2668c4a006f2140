"""The content of a proposed criterion version, as filed in a proposal (JSON) and as handed to
the services. `VersionDraft.from_dict` is the one parser: the admin, the portal form, the REST
API and the management command all produce a dict and go through it."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import AveragingPeriod, Direction, Source


def _decimal(value: Any, label: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(
            _("%(label)s must be a number, not “%(value)s”."),
            params={"label": label, "value": value},
            code="number",
        ) from exc
    if not number.is_finite():
        raise ValidationError(_("%(label)s must be a finite number."), params={"label": label})
    return number


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        raise ValidationError(_("The effective date must be a date, not a time."))
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            _("The effective date must be a date (YYYY-MM-DD)."), code="date"
        ) from exc


def _codes(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    return sorted({str(v).strip().upper() for v in value if str(v).strip()})


@dataclass
class SourceDraft:
    kind: str
    instrument: str = ""
    article: str = ""
    supervisory_body: str = ""
    decision_reference: str = ""
    country: str = ""  # ISO alpha-2 of the trading partner or comparator country
    comparator_name: str = ""
    comparison_region: str = ""
    comparison_income_level: str = ""
    comparison_labor_relations_system: str = ""
    comparison_industry: str = ""  # ISIC code
    value: Decimal | None = None
    unit: str = ""
    url: str = ""
    note: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceDraft:
        if not isinstance(data, dict):
            raise ValidationError(_("Each source must be an object."))
        unknown = set(data) - set(SOURCE_FIELDS)
        if unknown:
            raise ValidationError(
                _("Unknown source fields: %(fields)s."),
                params={"fields": ", ".join(sorted(unknown))},
            )
        kind = str(data.get("kind", ""))
        if kind not in Source.Kind.values:
            raise ValidationError(
                _("A source must be international law, domestic law or best practice.")
            )
        values: dict[str, Any] = {
            k: str(data.get(k) or "").strip() for k in SOURCE_FIELDS if k != "value"
        }
        values["country"] = values["country"].upper()
        values["comparison_industry"] = values["comparison_industry"].upper()
        values["value"] = _decimal(data.get("value"), _("A source's threshold"))
        draft = cls(**values)
        draft.validate_shape()
        return draft

    def validate_shape(self) -> None:
        if self.kind == Source.Kind.INTERNATIONAL_LAW:
            if not (self.instrument or (self.supervisory_body and self.decision_reference)):
                raise ValidationError(
                    _(
                        "An international-law source names the instrument and article, or the "
                        "supervisory body and its decision."
                    )
                )
        elif self.kind == Source.Kind.DOMESTIC_LAW:
            if not (self.country and self.instrument):
                raise ValidationError(
                    _("A domestic-law source names the trading partner and the statute.")
                )
        elif self.kind == Source.Kind.BEST_PRACTICE:
            if not (self.comparator_name or self.country):
                raise ValidationError(
                    _("A best-practice source names the comparator country or employer.")
                )
            if not (
                self.comparison_region
                or self.comparison_income_level
                or self.comparison_labor_relations_system
                or self.comparison_industry
            ):
                raise ValidationError(
                    _(
                        "A best-practice source names its comparison group: region, development "
                        "level, labor-relations system or industry."
                    )
                )
        if (self.value is None) != (not self.unit):
            raise ValidationError(_("A source's threshold needs both a value and a unit."))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["value"] = None if self.value is None else str(self.value)
        return {k: v for k, v in data.items() if v not in ("", None) or k == "kind"}


SOURCE_FIELDS = [f.name for f in fields(SourceDraft)]


@dataclass
class VersionDraft:
    """What a version says. For a retirement only `effective_from`, `successor` and the texts
    (explaining the retirement) are used."""

    text_en: str
    effective_from: dt.date
    text_es: str = ""
    direction: str = ""
    threshold: Decimal | None = None
    unit: str = ""
    averaging_period: str = ""
    measuring_method_en: str = ""
    measuring_method_es: str = ""
    all_countries: bool = True
    countries: list[str] = field(default_factory=list)
    all_sectors: bool = True
    sectors: list[str] = field(default_factory=list)
    sources: list[SourceDraft] = field(default_factory=list)
    successor: str = ""  # code of the successor criterion (retirement only)

    FIELDS: ClassVar[tuple[str, ...]]  # its fields, in order (set below)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | VersionDraft) -> VersionDraft:
        if isinstance(data, VersionDraft):
            return data
        if not isinstance(data, dict):
            raise ValidationError(_("The proposed version must be an object."))
        unknown = set(data) - set(cls.FIELDS)
        if unknown:
            raise ValidationError(
                _("Unknown fields in the proposed version: %(fields)s."),
                params={"fields": ", ".join(sorted(unknown))},
            )
        text_en = str(data.get("text_en") or "").strip()
        if not text_en:
            raise ValidationError(_("The English text is required."), code="text_en")
        if "effective_from" not in data or data["effective_from"] in (None, ""):
            raise ValidationError(_("The effective date is required."), code="effective_from")
        direction = str(data.get("direction") or "")
        if direction and direction not in Direction.values:
            raise ValidationError(_("The direction must be “at most” or “at least”."))
        period = str(data.get("averaging_period") or "")
        if period not in AveragingPeriod.values:
            raise ValidationError(
                _("“%(value)s” is not an averaging period."), params={"value": period}
            )
        sources_in = data.get("sources") or []
        if not isinstance(sources_in, list):
            raise ValidationError(_("Sources must be a list."))
        all_countries = _bool(data.get("all_countries", True))
        all_sectors = _bool(data.get("all_sectors", True))
        return cls(
            text_en=text_en,
            text_es=str(data.get("text_es") or "").strip(),
            effective_from=_date(data["effective_from"]),
            direction=direction,
            threshold=_decimal(data.get("threshold"), _("The threshold")),
            unit=str(data.get("unit") or "").strip(),
            averaging_period=period,
            measuring_method_en=str(data.get("measuring_method_en") or "").strip(),
            measuring_method_es=str(data.get("measuring_method_es") or "").strip(),
            all_countries=all_countries,
            countries=[] if all_countries else _codes(data.get("countries")),
            all_sectors=all_sectors,
            sectors=[] if all_sectors else _codes(data.get("sectors")),
            sources=[SourceDraft.from_dict(s) for s in sources_in],
            successor=str(data.get("successor") or "").strip().upper(),
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return {
            **data,
            "effective_from": self.effective_from.isoformat(),
            "threshold": None if self.threshold is None else str(self.threshold),
            "sources": [s.to_dict() for s in self.sources],
        }


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


VersionDraft.FIELDS = tuple(f.name for f in fields(VersionDraft))
