"""Which criteria bind a country and sector on a date, and why: the versions in force (one
query; two when rules compete) go through `criteria.resolution`, and each decision becomes a
`Binding` whose explanation is worded, and whose sources are loaded, only for what is shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from commission.models import Sector, TradingPartner

from .. import isic, resolution
from ..models import Criterion, CriterionVersion, RuleResolution, Source
from .register import versions_in_force


@dataclass(frozen=True)
class Competitor:
    """A standard that governs the same thing and did not bind, and by how much it lost
    (`margin` in the binding version's unit)."""

    LESS_PROTECTIVE = resolution.Loss.LESS_PROTECTIVE
    EQUALLY_PROTECTIVE = resolution.Loss.EQUALLY_PROTECTIVE
    INCOMPARABLE = resolution.Loss.INCOMPARABLE
    YIELDS = resolution.Loss.YIELDS

    loss: resolution.Loss
    winner: CriterionVersion

    version = property(lambda self: self.loss.standard.ref)
    identifier = property(lambda self: self.version.identifier)
    relation = property(lambda self: self.loss.relation)
    margin = property(lambda self: self.loss.margin)
    margin_percent = property(lambda self: self.loss.margin_percent)

    @cached_property
    def note(self) -> str:
        if self.loss is None or self.winner is None:
            raise ValueError("Only a competitor that lost to a winner has a note.")
        return resolution.note(
            self.loss,
            winner=_standard(self.winner),
            sources=_sources_label(self.version),
            threshold=self.version.threshold_display,
        )


@dataclass(frozen=True)
class Binding:
    """One criterion version that binds a country and sector on a date, and why (`why`: one
    of `resolution.Decision`'s cases)."""

    version: CriterionVersion
    governs: str
    why: str
    competitors: tuple[Competitor, ...] = ()
    resolution: RuleResolution | None = None
    notes: tuple[str, ...] = ()

    @property
    def criterion(self) -> Criterion:
        return self.version.criterion

    @property
    def identifier(self) -> str:
        return self.version.identifier

    @cached_property
    def reason(self) -> str:
        record = self.resolution
        return resolution.reason(
            self.why,
            identifier=self.version.identifier,
            sources=_sources_label(self.version),
            threshold=self.version.threshold_display,
            choice_date=record.effective_from.isoformat() if record else "",
            choice_reason=record.reason if record else "",
        )

    @property
    def explanation(self) -> str:
        lines = [self.reason, *self.notes, *(c.note for c in self.competitors)]
        return "\n".join(line for line in lines if line)

    def versions(self) -> Iterator[CriterionVersion]:
        """The binding version and every competitor's."""
        yield self.version
        for c in self.competitors:
            yield c.version


def _sources_label(version: CriterionVersion) -> str:
    """The kinds of source a version cites, in the active language, in citation order."""
    labels = _kind_labels(get_language())
    kinds = dict.fromkeys(labels.get(s.kind, s.kind) for s in version.sources.all())
    return "; ".join(kinds) if kinds else _("no cited source")


@lru_cache(maxsize=8)
def _kind_labels(language: str | None) -> dict[str, str]:
    """The kinds' labels in `language` (read often; a catalog never changes in a process)."""
    return {value: str(label) for value, label in Source.Kind.choices}


def _standard(version: CriterionVersion) -> resolution.Standard:
    criterion = version.criterion
    return resolution.Standard(
        identifier=version.identifier,
        criterion=criterion.code,
        kind=criterion.kind,
        governs=criterion.governs,
        averaging_period=version.averaging_period or "",
        direction=version.direction,
        threshold=version.threshold,
        unit=version.unit,
        ref=version,
    )


def _binding(decision: resolution.Decision) -> Binding:
    winner = decision.standard.ref
    return Binding(
        version=winner,
        governs=decision.standard.governs,
        why=decision.why,
        resolution=decision.choice.ref if decision.choice else None,
        competitors=tuple(Competitor(loss, winner) for loss in decision.losses),
    )


# The columns the resolution and a page of answers read; the rest of a version (texts,
# measuring methods, promulgation record) is not loaded for the selector.
_BINDING_FIELDS = (
    "criterion_id",
    "number",
    "identifier",
    "effective_from",
    "direction",
    "threshold",
    "unit",
    "averaging_period",
    "criterion__right_id",
    "criterion__code",
    "criterion__kind",
    "criterion__governs",
    "criterion__title_en",
    "criterion__title_es",
    "criterion__right__code",
    "criterion__right__position",
)


def _candidates(
    *, country: TradingPartner, sector_code: str, on: dt.date
) -> list[CriterionVersion]:
    """The versions in force on `on` for the country and sector, with their criterion and
    right, in one query. (Selected by id from the versions in force, so that the database
    finds the versions before it joins their criteria, not the other way round.)"""
    in_force = versions_in_force(on=on, country=country, sector_code=sector_code)
    return list(
        CriterionVersion.objects.filter(pk__in=in_force.order_by().values("pk"))
        .select_related("criterion", "criterion__right")
        .only(*_BINDING_FIELDS)
        .order_by()
    )


def _rank(r: RuleResolution) -> tuple[dt.date, bool, bool, int]:
    return (r.effective_from, r.country_id is not None, r.sector_id is not None, r.pk)


def _choices(
    *, governs: set[str], country: TradingPartner, sector_code: str, on: dt.date
) -> dict[str, resolution.Choice]:
    """Per contested matter, the latest and most specific of the members' records in force."""
    records = (
        RuleResolution.objects.filter(governs__in=governs, effective_from__lte=on)
        .filter(Q(country__isnull=True) | Q(country=country))
        .filter(Q(sector__isnull=True) | Q(sector__isic_code__in=isic.ancestors(sector_code)))
        .select_related("binding_criterion")
    )
    best: dict[str, RuleResolution] = {}
    for r in sorted(records, key=_rank):
        best[r.governs] = r  # the latest, then the most specific, wins
    return {g: resolution.Choice(g, r.binding_criterion.code, ref=r) for g, r in best.items()}


def _resolve(*, country: TradingPartner, sector_code: str, on: dt.date) -> list[Binding]:
    """Every binding, resolved and ordered, without the versions' sources (two queries)."""
    standards = [_standard(v) for v in _candidates(country=country, sector_code=sector_code, on=on)]
    contested = resolution.contested(standards)
    choices = (
        _choices(governs=contested, country=country, sector_code=sector_code, on=on)
        if contested
        else {}
    )
    bindings = [_binding(d) for d in resolution.resolve(standards, choices)]
    bindings.sort(
        key=lambda b: (b.criterion.right.position, b.criterion.right.code, b.criterion.code)
    )
    return bindings


def _with_sources(bindings: list[Binding]) -> list[Binding]:
    """Load, in one query, the sources of the versions `bindings` show (binding and
    competing)."""
    versions = list({id(v): v for b in bindings for v in b.versions()}.values())
    prefetch_related_objects(
        versions,
        Prefetch(
            "sources",
            queryset=Source.objects.select_related(
                "country", "comparator_organization", "comparison_industry"
            ),
        ),
    )
    return bindings


def _question(country: TradingPartner | str, sector: Sector | str) -> tuple[TradingPartner, str]:
    if not isinstance(country, TradingPartner):
        country = TradingPartner.objects.get(code=country.upper())
    sector_code = sector.isic_code if isinstance(sector, Sector) else str(sector).strip().upper()
    return country, sector_code


def criteria_binding(
    *, country: TradingPartner | str, sector: Sector | str, on: dt.date
) -> list[Binding]:
    """Which criteria bind `country` and `sector` on `on`, each with its explanation (the
    most-protective rule: `criteria.resolution`)."""
    country, sector_code = _question(country, sector)
    return _with_sources(_resolve(country=country, sector_code=sector_code, on=on))


BINDING_PAGE_SIZE = 50


def criteria_binding_page(
    *,
    country: TradingPartner | str,
    sector: Sector | str,
    on: dt.date,
    number: int = 1,
    per_page: int = BINDING_PAGE_SIZE,
) -> Page[Binding]:
    """`criteria_binding`, one page at a time: every group is resolved (the order and the
    count depend on it), but sources are loaded, and explanations worded, only for the page."""
    country, sector_code = _question(country, sector)
    bindings = _resolve(country=country, sector_code=sector_code, on=on)
    page = Paginator(bindings, per_page).get_page(number)
    _with_sources(list(page.object_list))  # the same objects, their sources loaded
    return page
