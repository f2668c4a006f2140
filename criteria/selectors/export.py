"""The register as data: a version and a source as the register publishes them (the API and
the JSON export share the shape), CSV rows, and the streamed export of the whole register."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from itertools import groupby
from operator import attrgetter, itemgetter
from typing import Any, Generic, TypeVar

from ..models import CriterionVersion, Source
from ..resolution import number
from .register import versions_in_force

_Row = TypeVar("_Row")


def source_as_dict(s: Source) -> dict[str, Any]:
    return {
        "kind": s.kind,
        "citation": s.citation,
        "instrument": s.instrument,
        "article": s.article,
        "supervisory_body": s.supervisory_body,
        "decision_reference": s.decision_reference,
        "country": s.country.code if s.country is not None else None,
        "comparator": s.comparator_name
        or (s.comparator_organization.name if s.comparator_organization is not None else ""),
        "comparison_region": s.comparison_region,
        "comparison_income_level": s.comparison_income_level,
        "comparison_labor_relations_system": s.comparison_labor_relations_system,
        "comparison_industry": s.comparison_industry.isic_code
        if s.comparison_industry is not None
        else None,
        "value": number(s.value),
        "unit": s.unit,
        "url": s.url,
    }


def version_as_dict(
    v: CriterionVersion,
    *,
    sources: Iterable[Source] | None = None,
    countries: Iterable[str] | None = None,
    sectors: Iterable[str] | None = None,
) -> dict[str, Any]:
    """A version as the register publishes it; its sources and applicability (partner codes,
    ISIC codes) are read from its relations unless given."""
    if sources is None:
        sources = v.sources.all()
    if countries is None:
        countries = [c.code for c in v.countries.all()]
    if sectors is None:
        sectors = [s.isic_code for s in v.sectors.all()]
    return {
        "identifier": v.identifier,
        "criterion": v.criterion.code,
        "right": v.criterion.right.code,
        "kind": v.criterion.kind,
        "governs": v.criterion.governs,
        "title_en": v.criterion.title_en,
        "title_es": v.criterion.title_es,
        "number": v.number,
        "effective_from": v.effective_from.isoformat(),
        "effective_until": v.effective_until.isoformat() if v.effective_until else None,
        "is_retirement": v.is_retirement,
        "successor": v.successor.code if v.successor is not None else None,
        "text_en": v.text_en,
        "text_es": v.text_es,
        "direction": v.direction,
        "threshold": number(v.threshold),
        "unit": v.unit,
        "averaging_period": v.averaging_period,
        "measuring_method_en": v.measuring_method_en,
        "measuring_method_es": v.measuring_method_es,
        "all_countries": v.applies_to_all_countries,
        "countries": sorted(countries),
        "all_sectors": v.applies_to_all_sectors,
        "sectors": sorted(sectors),
        "sources": [source_as_dict(s) for s in sources],
        "provenance": v.provenance,
        "record_reference": v.record_reference,
        "promulgated_at": v.promulgated_at.isoformat(),
    }


# The export's columns: the JSON's fields, the long texts last.
CSV_COLUMNS = (
    "identifier criterion right kind governs title_en title_es number effective_from "
    "effective_until is_retirement successor direction threshold unit averaging_period "
    "all_countries countries all_sectors sectors sources text_en text_es measuring_method_en "
    "measuring_method_es provenance record_reference promulgated_at"
).split()


def version_as_row(d: dict[str, Any]) -> list[str]:
    """A version's CSV row from its `version_as_dict`."""
    d = {
        **d,
        "countries": " ".join(d["countries"]),
        "sectors": " ".join(d["sectors"]),
        "sources": " | ".join(f"{s['kind']}: {s['citation']}" for s in d["sources"]),
    }
    return ["" if d[c] is None else str(d[c]) for c in CSV_COLUMNS]


def register_export(
    *, on: dt.date | None = None, chunk_size: int = 2000
) -> Iterator[dict[str, Any]]:
    """Every version of the register (the full history), or only those in force on `on`, as
    `version_as_dict`, in the order of criterion code and version number.

    Four queries whatever the size of the register, each read in chunks as the export is
    streamed: the versions, and their sources, trading partners and sectors in the same
    order, walked side by side."""
    versions = CriterionVersion.objects.all() if on is None else versions_in_force(on=on)
    ids = versions.values("pk")
    order = ("criterion__code", "number")
    sources = _Alongside(
        Source.objects.filter(version__in=ids)
        .select_related("country", "comparator_organization", "comparison_industry")
        .order_by(*(f"version__{f}" for f in order), "position", "id")
        .iterator(chunk_size=chunk_size),
        attrgetter("version_id"),
    )
    codes, isic_codes = (
        _Alongside(
            through.objects.filter(criterionversion__in=ids)
            .order_by(*(f"criterionversion__{f}" for f in order))
            .values_list("criterionversion_id", code)
            .iterator(chunk_size=chunk_size),
            itemgetter(0),
        )
        for through, code in (
            (CriterionVersion.countries.through, "tradingpartner__code"),
            (CriterionVersion.sectors.through, "sector__isic_code"),
        )
    )
    for v in (
        versions.select_related("criterion", "criterion__right", "successor")
        .order_by(*order)
        .iterator(chunk_size=chunk_size)
    ):
        yield version_as_dict(
            v,
            sources=sources.take(v.pk),
            countries=[code for _id, code in codes.take(v.pk)],
            sectors=[code for _id, code in isic_codes.take(v.pk)],
        )


class _Alongside(Generic[_Row]):
    """Rows ordered as the versions are, taken version by version (`take`)."""

    def __init__(self, rows: Iterator[_Row], key: Callable[[_Row], int]) -> None:
        self._groups = groupby(rows, key)
        self._head = next(self._groups, None)

    def take(self, version_id: int) -> list[_Row]:
        if self._head is None or self._head[0] != version_id:
            return []
        rows = list(self._head[1])
        self._head = next(self._groups, None)
        return rows
