"""Reads of the criteria register.

Two selectors are the contract other apps rely on:

* `criterion_version_in_force(criterion=, on=)` — the exact version a decision must cite;
* `criteria_binding(country=, sector=, on=)` — which criteria bind a country and sector on a
  date, each with the explanation of why (which source won, which lost, and by how much).

Both are answered from `effective_from`/`effective_until`, so any past date reproduces exactly
what was in force then, and both run a constant number of queries whatever the size of the
register.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Any

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from commission.models import Sector, TradingPartner

from . import isic, units
from .models import (
    AveragingPeriod,
    Criterion,
    CriterionVersion,
    DeliberationRound,
    Direction,
    Proposal,
    RegisterState,
    Right,
    RuleResolution,
    Source,
)

# Table names only are formatted in.
_STATE_SQL = f"SELECT epoch, serial, changed_at FROM {RegisterState._meta.db_table} WHERE id = 1"  # noqa: S608


def register_state() -> RegisterState:
    """The register's state (its serial moves on with every write to the register, partners
    and sectors included), read by primary key on every cached answer — as SQL, since the
    ORM's query building costs more than the lookup. Before anything was ever written, an
    unsaved state at serial 0."""
    with connection.cursor() as cursor:
        cursor.execute(_STATE_SQL)
        row = cursor.fetchone()
    if row is None:
        return RegisterState(epoch="", serial=0)
    epoch, serial, changed_at = row
    if isinstance(changed_at, str):  # SQLite
        changed_at = parse_datetime(changed_at)
    if changed_at is not None and timezone.is_naive(changed_at):
        changed_at = timezone.make_aware(changed_at, dt.UTC)
    return RegisterState(epoch=epoch, serial=serial, changed_at=changed_at)


# --------------------------------------------------------------------------- point in time


def in_force_q(on: dt.date, prefix: str = "") -> Q:
    """The condition "this version was in force on `on`" (optionally through a relation)."""
    return Q(**{f"{prefix}effective_from__lte": on}) & (
        Q(**{f"{prefix}effective_until__isnull": True}) | Q(**{f"{prefix}effective_until__gt": on})
    )


def today() -> dt.date:
    return timezone.localdate()


def criterion_version_in_force(*, criterion: Criterion, on: dt.date) -> CriterionVersion | None:
    """The version of `criterion` in force on `on`; None before its first version takes
    effect and from the day a retirement takes effect."""
    version = (
        CriterionVersion.objects.filter(criterion=criterion)
        .filter(in_force_q(on))
        .select_related("criterion", "criterion__right")
        .order_by("-effective_from")
        .first()
    )
    if version is None or version.is_retirement:
        return None
    return version


def criterion_version_get(*, identifier: str) -> CriterionVersion | None:
    return (
        CriterionVersion.objects.select_related("criterion", "criterion__right", "successor")
        .filter(identifier=identifier)
        .first()
    )


def criterion_latest_version(*, criterion: Criterion) -> CriterionVersion | None:
    """The most recently promulgated version (possibly not yet in force)."""
    return CriterionVersion.objects.filter(criterion=criterion).order_by("-number").first()


def _country(country: TradingPartner | str) -> TradingPartner:
    if isinstance(country, TradingPartner):
        return country
    return TradingPartner.objects.get(code=country.upper())


def _sector_code(sector: Sector | str) -> str:
    return sector.isic_code if isinstance(sector, Sector) else str(sector).strip().upper()


def versions_in_force(
    *,
    on: dt.date,
    country: TradingPartner | None = None,
    sector_code: str | None = None,
    right: Right | None = None,
    include_retired: bool = False,
) -> QuerySet[CriterionVersion]:
    """Versions in force on `on`, optionally only those applying to a country and/or sector
    (a version for a section, division or group applies to every class beneath it)."""
    qs = CriterionVersion.objects.filter(in_force_q(on))
    if not include_retired:
        qs = qs.filter(is_retirement=False)
    if right is not None:
        qs = qs.filter(criterion__right=right)
    # The versions naming the partner or the sector, read once each (not per version).
    if country is not None:
        named = CriterionVersion.countries.through.objects.filter(tradingpartner=country)
        qs = qs.filter(
            Q(applies_to_all_countries=True) | Q(pk__in=named.values("criterionversion_id"))
        )
    if sector_code:
        named = CriterionVersion.sectors.through.objects.filter(
            sector__isic_code__in=isic.ancestors(sector_code)
        )
        qs = qs.filter(
            Q(applies_to_all_sectors=True) | Q(pk__in=named.values("criterionversion_id"))
        )
    return qs


class _Paged:
    """Page arithmetic for a page `number` of `per_page` out of `count` items."""

    count: int
    number: int
    per_page: int

    @property
    def start(self) -> int:
        return (self.number - 1) * self.per_page

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    @property
    def end(self) -> int:
        """The number of the page's last item (its first is `start + 1`)."""
        return min(self.start + self.per_page, self.count)

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _page_of(count: int, number: int, per_page: int) -> tuple[int, int]:
    """The page number asked for, kept between the first and the last page, and the index of
    its first item."""
    pages = max(1, -(-count // per_page))
    number = min(max(1, number), pages)
    return number, (number - 1) * per_page


def _with_details(qs: QuerySet[CriterionVersion]) -> QuerySet[CriterionVersion]:
    return qs.select_related("criterion", "criterion__right", "successor").prefetch_related(
        Prefetch(
            "sources",
            queryset=Source.objects.select_related(
                "country", "comparator_organization", "comparison_industry"
            ),
        ),
        "countries",
        "sectors",
    )


# --------------------------------------------------------------------------- resolution


@dataclass(frozen=True)
class Competitor:
    """A standard that governs the same thing and did not bind, and by how much it lost.

    `winner` is the version that binds; the explanation (`note`) is worded when first read, so
    a page of answers words only what it shows."""

    LESS_PROTECTIVE = "less_protective"
    EQUALLY_PROTECTIVE = "equally_protective"
    INCOMPARABLE = "incomparable"
    YIELDS = "yields"

    version: CriterionVersion
    relation: str
    margin: Decimal | None = None  # in the binding version's unit
    margin_percent: Decimal | None = None
    winner: CriterionVersion | None = None

    @property
    def identifier(self) -> str:
        return self.version.identifier

    @cached_property
    def note(self) -> str:
        version, winner = self.version, self.winner
        if self.relation == Competitor.EQUALLY_PROTECTIVE:
            return _(
                "%(id)s (%(sources)s, %(threshold)s) is equally protective; %(winner)s is cited."
            ) % {
                "id": version.identifier,
                "sources": _sources_label(version),
                "threshold": version.threshold_display,
                "winner": winner.identifier,
            }
        if self.relation == Competitor.LESS_PROTECTIVE:
            return _(
                "%(id)s (%(sources)s, %(threshold)s) is less protective by %(margin)s "
                "%(unit)s (%(percent)s%%)."
            ) % {
                "id": version.identifier,
                "sources": _sources_label(version),
                "threshold": version.threshold_display,
                "margin": _decimal_str(self.margin),
                "unit": winner.unit,
                "percent": _decimal_str(self.margin_percent)
                if self.margin_percent is not None
                else "—",
            }
        if self.relation == Competitor.YIELDS:
            return _("%(id)s (%(src)s) yields to %(winner)s by the members' resolution.") % {
                "id": version.identifier,
                "src": _sources_label(version),
                "winner": winner.identifier,
            }
        if version.criterion.kind == Criterion.Kind.RULE:
            return _("%(id)s also binds.") % {"id": version.identifier}
        return _(
            "%(id)s (%(threshold)s) cannot be compared with it (different unit or "
            "direction), so it binds as well."
        ) % {"id": version.identifier, "threshold": version.threshold_display}


@dataclass(frozen=True)
class Binding:
    """One criterion version that binds a country and sector on a date, and why.

    `why` says which of the resolution's cases applied; `reason` words it when first read."""

    ONLY_MEASURE = "only_measure"
    MOST_PROTECTIVE = "most_protective"
    ONLY_RULE = "only_rule"
    RULES_UNRESOLVED = "rules_unresolved"
    RESOLVED = "resolved"

    version: CriterionVersion
    governs: str
    why: str
    competitors: tuple[Competitor, ...] = ()
    resolution: RuleResolution | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def criterion(self) -> Criterion:
        return self.version.criterion

    @property
    def identifier(self) -> str:
        return self.version.identifier

    @property
    def source_kinds(self) -> list[str]:
        return sorted({s.kind for s in self.version.sources.all()})

    @cached_property
    def reason(self) -> str:
        v = self.version
        values = {"id": v.identifier, "src": _sources_label(v), "threshold": v.threshold_display}
        if self.why == Binding.ONLY_MEASURE:
            text = _("%(id)s is the only standard for this quantity: %(threshold)s (%(src)s).")
        elif self.why == Binding.MOST_PROTECTIVE:
            text = _(
                "%(id)s binds as the most worker-protective standard: %(threshold)s (%(src)s)."
            )
        elif self.why == Binding.ONLY_RULE:
            text = _("%(id)s is the only rule on this matter (%(src)s).")
        elif self.why == Binding.RULES_UNRESOLVED:
            text = _(
                "%(id)s binds (%(src)s). Members have not recorded which of the competing "
                "rules is most protective, so each of them binds."
            )
        else:
            text = _(
                "%(id)s binds (%(src)s): the members recorded on %(date)s that it is the most "
                "worker-protective rule on this matter: %(why)s"
            )
            values.update(
                date=self.resolution.effective_from.isoformat(), why=self.resolution.reason
            )
        return text % values

    @property
    def explanation(self) -> str:
        lines = [self.reason, *self.notes]
        for c in self.competitors:
            lines.append(c.note)
        return "\n".join(line for line in lines if line)

    def versions(self) -> Iterator[CriterionVersion]:
        """The binding version and every competitor's."""
        yield self.version
        for c in self.competitors:
            yield c.version

    def as_dict(self) -> dict[str, Any]:
        v = self.version
        return {
            "identifier": v.identifier,
            "criterion": v.criterion.code,
            "title": v.criterion.title,
            "right": v.criterion.right.code,
            "kind": v.criterion.kind,
            "governs": self.governs,
            "effective_from": v.effective_from.isoformat(),
            "threshold": _decimal_str(v.threshold),
            "unit": v.unit,
            "direction": v.direction,
            "averaging_period": v.averaging_period,
            "sources": [source_as_dict(s) for s in v.sources.all()],
            "reason": self.reason,
            "notes": list(self.notes),
            "resolution": (
                {
                    "binding_criterion": self.resolution.binding_criterion.code,
                    "reason": self.resolution.reason,
                    "effective_from": self.resolution.effective_from.isoformat(),
                }
                if self.resolution
                else None
            ),
            "competitors": [
                {
                    "identifier": c.version.identifier,
                    "relation": c.relation,
                    "threshold": _decimal_str(c.version.threshold),
                    "unit": c.version.unit,
                    "margin": _decimal_str(c.margin),
                    "margin_unit": v.unit if c.margin is not None else "",
                    "margin_percent": _decimal_str(c.margin_percent),
                    "sources": [source_as_dict(s) for s in c.version.sources.all()],
                    "note": c.note,
                }
                for c in self.competitors
            ],
        }


def _decimal_str(value: Decimal | None) -> str | None:
    if value is None:
        return None
    text = format(Decimal(value).normalize(), "f")
    return text


def _quantize(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.0001")).normalize()


def _sources_label(version: CriterionVersion) -> str:
    sources = list(version.sources.all())
    if not sources:
        return _("no cited source")
    labels = _kind_labels()
    kinds: list[str] = []
    for s in sources:
        label = labels.get(s.kind, s.kind)
        if label not in kinds:
            kinds.append(label)
    return "; ".join(kinds)


def _kind_labels() -> dict[str, str]:
    return _kind_labels_in(get_language())


@lru_cache(maxsize=8)
def _kind_labels_in(language: str | None) -> dict[str, str]:
    # The labels in the active language (`language` is the cache key: catalogs never change
    # while the process runs).
    return {value: str(label) for value, label in Source.Kind.choices}


def _more_protective(direction: str, a: Decimal, b: Decimal) -> bool:
    """Whether threshold `a` is strictly more protective than `b` (same unit)."""
    return a < b if direction == Direction.AT_MOST else a > b


def _resolve_measures(candidates: list[CriterionVersion]) -> list[Binding]:
    """The most protective of competing measures binds, per class of comparable standards."""
    # Classes of mutually comparable standards: same direction and same dimension.
    classes: list[list[CriterionVersion]] = []
    for version in sorted(candidates, key=lambda v: v.identifier):
        for group in classes:
            head = group[0]
            if head.direction == version.direction and units.comparable(version.unit, head.unit):
                group.append(version)
                break
        else:
            classes.append([version])

    bindings: list[Binding] = []
    for group in classes:
        winner = group[0]
        for version in group[1:]:
            value = units.convert(version.threshold, version.unit, winner.unit)
            if _more_protective(version.direction, value, winner.threshold):
                winner = version
        competitors: list[Competitor] = []
        for version in group:
            if version is winner:
                continue
            value = units.convert(version.threshold, version.unit, winner.unit)
            margin = abs(value - winner.threshold)
            percent = _quantize(margin / abs(value) * 100) if value else None
            relation = Competitor.EQUALLY_PROTECTIVE if margin == 0 else Competitor.LESS_PROTECTIVE
            competitors.append(
                Competitor(
                    version=version,
                    relation=relation,
                    margin=_quantize(margin),
                    margin_percent=percent,
                    winner=winner,
                )
            )
        incomparable = [
            Competitor(version=other[0], relation=Competitor.INCOMPARABLE, winner=winner)
            for other in classes
            if other is not group
        ]
        bindings.append(
            Binding(
                version=winner,
                governs=winner.criterion.governs,
                why=Binding.ONLY_MEASURE
                if len(group) == 1 and not incomparable
                else Binding.MOST_PROTECTIVE,
                competitors=tuple(competitors + incomparable),
            )
        )
    return bindings


def _resolve_rules(
    candidates: list[CriterionVersion], resolution: RuleResolution | None
) -> list[Binding]:
    candidates = sorted(candidates, key=lambda v: v.identifier)
    if len(candidates) == 1:
        v = candidates[0]
        return [Binding(version=v, governs=v.criterion.governs, why=Binding.ONLY_RULE)]
    chosen = None
    if resolution is not None:
        chosen = next(
            (v for v in candidates if v.criterion_id == resolution.binding_criterion_id), None
        )
    if chosen is None:
        # No recorded resolution among these rules: every one binds (complying with all of
        # them is never less protective than complying with one).
        return [
            Binding(
                version=v,
                governs=v.criterion.governs,
                why=Binding.RULES_UNRESOLVED,
                competitors=tuple(
                    Competitor(version=o, relation=Competitor.INCOMPARABLE, winner=v)
                    for o in candidates
                    if o is not v
                ),
            )
            for v in candidates
        ]
    return [
        Binding(
            version=chosen,
            governs=chosen.criterion.governs,
            why=Binding.RESOLVED,
            resolution=resolution,
            competitors=tuple(
                Competitor(version=o, relation=Competitor.YIELDS, winner=chosen)
                for o in candidates
                if o is not chosen
            ),
        )
    ]


def _resolution_rank(r: RuleResolution) -> tuple:
    return (r.effective_from, r.country_id is not None, r.sector_id is not None, r.pk)


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


def _binding_candidates(
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


def _resolve_versions(
    versions: list[CriterionVersion], resolutions: dict[str, RuleResolution]
) -> list[Binding]:
    """Resolve the versions in force for one question (`resolutions`: the members' record in
    force per contested matter) into its bindings, in the answer's order."""
    groups: dict[tuple[str, str, str], list[CriterionVersion]] = defaultdict(list)
    for v in versions:
        key = (v.criterion.kind, v.criterion.governs, v.averaging_period or "")
        groups[key].append(v)
    result: list[Binding] = []
    for key in sorted(groups):
        kind, governs, _period = key
        if kind == Criterion.Kind.MEASURE:
            result.extend(_resolve_measures(groups[key]))
        else:
            result.extend(_resolve_rules(groups[key], resolutions.get(governs)))
    result.sort(key=_binding_order)
    return result


def _binding_order(b: Binding) -> tuple:
    return (b.criterion.right.position, b.criterion.right.code, b.criterion.code)


def _contested_rules(versions: list[CriterionVersion]) -> set[str]:
    """The matters on which more than one rule is in force among `versions`."""
    seen: dict[tuple[str, str], int] = defaultdict(int)
    for v in versions:
        if v.criterion.kind == Criterion.Kind.RULE:
            seen[(v.criterion.governs, v.averaging_period or "")] += 1
    return {governs for (governs, _p), n in seen.items() if n > 1}


def _best_resolutions(records: Iterable[RuleResolution]) -> dict[str, RuleResolution]:
    """Per matter, the latest and most specific of the members' records."""
    best: dict[str, RuleResolution] = {}
    for record in records:
        current = best.get(record.governs)
        if current is None or _resolution_rank(record) > _resolution_rank(current):
            best[record.governs] = record
    return best


def _resolve(*, country: TradingPartner, sector_code: str, on: dt.date) -> list[Binding]:
    """Every binding, resolved and ordered, without the versions' sources (two queries)."""
    versions = _binding_candidates(country=country, sector_code=sector_code, on=on)
    contested = _contested_rules(versions)
    resolutions: dict[str, RuleResolution] = {}
    if contested:
        records = (
            RuleResolution.objects.filter(governs__in=contested, effective_from__lte=on)
            .filter(Q(country__isnull=True) | Q(country=country))
            .filter(Q(sector__isnull=True) | Q(sector__isic_code__in=isic.ancestors(sector_code)))
            .select_related("binding_criterion")
        )
        resolutions = _best_resolutions(records)
    return _resolve_versions(versions, resolutions)


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


def criteria_binding(
    *, country: TradingPartner | str, sector: Sector | str, on: dt.date
) -> list[Binding]:
    """Which criteria bind `country` and `sector` on `on`, each with its explanation.

    Measures that govern the same quantity over the same averaging period compete: after unit
    conversion the most protective binds, and the others are listed with the margin by which
    they lost; standards that cannot be compared (different units or directions) all bind.
    Rules that govern the same matter bind together unless the members recorded which one
    binds and why (`RuleResolution`)."""
    country, sector_code = _country(country), _sector_code(sector)
    return _with_sources(_resolve(country=country, sector_code=sector_code, on=on))


@dataclass(frozen=True)
class BindingPage(_Paged):
    """One page of the answer: `bindings` are numbers `start + 1`… of `count`."""

    bindings: list[Binding]
    count: int
    number: int
    per_page: int


BINDING_PAGE_SIZE = 50


def criteria_binding_page(
    *,
    country: TradingPartner | str,
    sector: Sector | str,
    on: dt.date,
    number: int = 1,
    per_page: int = BINDING_PAGE_SIZE,
) -> BindingPage:
    """`criteria_binding`, one page at a time: every group is resolved (the order and the
    count depend on it), but sources are loaded, and explanations worded, only for the page."""
    country, sector_code = _country(country), _sector_code(sector)
    bindings = _resolve(country=country, sector_code=sector_code, on=on)
    number, start = _page_of(len(bindings), number, per_page)
    return BindingPage(
        bindings=_with_sources(bindings[start : start + per_page]),
        count=len(bindings),
        number=number,
        per_page=per_page,
    )


# --------------------------------------------------------------------------- register pages


def right_list() -> QuerySet[Right]:
    return Right.objects.all()


def criterion_register(
    *,
    on: dt.date,
    right: Right | None = None,
    country: TradingPartner | None = None,
    sector_code: str | None = None,
    kind: str | None = None,
    query: str | None = None,
) -> QuerySet[CriterionVersion]:
    """The register as in force on `on`: one row per criterion in force (its version)."""
    qs = versions_in_force(on=on, country=country, sector_code=sector_code, right=right)
    if kind:
        qs = qs.filter(criterion__kind=kind)
    if query:
        qs = qs.filter(
            Q(criterion__code__icontains=query)
            | Q(criterion__title_en__icontains=query)
            | Q(criterion__title_es__icontains=query)
            | Q(text_en__icontains=query)
            | Q(text_es__icontains=query)
        )
    # Ordered by the citation identifier ("CB-001/v3" …): the code comes first and only one
    # version of a criterion is in force, so this is the order of codes. Selected by id, so
    # that the database finds the versions before it joins their criteria.
    return (
        CriterionVersion.objects.filter(pk__in=qs.order_by().values("pk"))
        .select_related("criterion", "criterion__right")
        .prefetch_related("countries", "sectors")
        .order_by("identifier")
    )


def criterion_get(*, code: str) -> Criterion | None:
    return Criterion.objects.select_related("right").filter(code=code).first()


def criterion_history(*, criterion: Criterion) -> list[CriterionVersion]:
    """Every version of a criterion, oldest first, with sources and applicability."""
    return list(
        _with_details(CriterionVersion.objects.filter(criterion=criterion))
        .select_related("proposal", "proposal__round", "promulgated_by")
        .order_by("number")
    )


# --------------------------------------------------------------------------- diff


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str
    segments: tuple[tuple[str, str], ...] = ()  # ("equal"|"delete"|"insert", text)


def _word_segments(old: str, new: str) -> tuple[tuple[str, str], ...]:
    a, b = old.split(), new.split()
    segments: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(("equal", " ".join(a[i1:i2])))
        else:
            if i2 > i1:
                segments.append(("delete", " ".join(a[i1:i2])))
            if j2 > j1:
                segments.append(("insert", " ".join(b[j1:j2])))
    return tuple(segments)


def _applicability(version: CriterionVersion, which: str) -> str:
    if which == "countries":
        if version.applies_to_all_countries:
            return _("all trading partners")
        return ", ".join(sorted(c.code for c in version.countries.all()))
    if version.applies_to_all_sectors:
        return _("all sectors")
    return ", ".join(sorted(s.isic_code for s in version.sectors.all()))


def _source_lines(version: CriterionVersion) -> str:
    return "\n".join(
        f"{s.get_kind_display()}: {s.citation}"
        + (f" [{_decimal_str(s.value)} {s.unit}]" if s.value is not None else "")
        for s in version.sources.all()
    )


def criterion_version_diff(*, old: CriterionVersion, new: CriterionVersion) -> list[FieldChange]:
    """A readable, field-by-field diff between two versions (texts diffed word by word)."""
    rows = [
        (_("Text (English)"), old.text_en, new.text_en, True),
        (_("Text (Spanish)"), old.text_es, new.text_es, True),
        (_("Threshold"), old.threshold_display, new.threshold_display, False),
        (_("Measuring method (English)"), old.measuring_method_en, new.measuring_method_en, True),
        (_("Measuring method (Spanish)"), old.measuring_method_es, new.measuring_method_es, True),
        (
            _("Trading partners"),
            _applicability(old, "countries"),
            _applicability(new, "countries"),
            False,
        ),
        (_("Sectors"), _applicability(old, "sectors"), _applicability(new, "sectors"), False),
        (_("In force from"), old.effective_from.isoformat(), new.effective_from.isoformat(), False),
        (_("Sources"), _source_lines(old), _source_lines(new), True),
        (
            _("Retirement"),
            _("retires; replaced by %(code)s") % {"code": old.successor.code}
            if old.is_retirement and old.successor
            else "",
            _("retires; replaced by %(code)s") % {"code": new.successor.code}
            if new.is_retirement and new.successor
            else "",
            False,
        ),
    ]
    changes = []
    for label, a, b, wordwise in rows:
        a, b = a or "", b or ""
        if a == b:
            continue
        changes.append(
            FieldChange(
                label=str(label),
                old=a,
                new=b,
                segments=_word_segments(a, b) if wordwise else (),
            )
        )
    return changes


# --------------------------------------------------------------------------- export


def source_as_dict(s: Source) -> dict[str, Any]:
    return {
        "kind": s.kind,
        "citation": s.citation,
        "instrument": s.instrument,
        "article": s.article,
        "supervisory_body": s.supervisory_body,
        "decision_reference": s.decision_reference,
        "country": s.country.code if s.country_id else None,
        "comparator": s.comparator_name
        or (s.comparator_organization.name if s.comparator_organization_id else ""),
        "comparison_region": s.comparison_region,
        "comparison_income_level": s.comparison_income_level,
        "comparison_labor_relations_system": s.comparison_labor_relations_system,
        "comparison_industry": s.comparison_industry.isic_code
        if s.comparison_industry_id
        else None,
        "value": _decimal_str(s.value),
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
        "successor": v.successor.code if v.successor_id else None,
        "text_en": v.text_en,
        "text_es": v.text_es,
        "direction": v.direction,
        "threshold": _decimal_str(v.threshold),
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


CSV_COLUMNS = [
    "identifier",
    "criterion",
    "right",
    "kind",
    "governs",
    "title_en",
    "title_es",
    "number",
    "effective_from",
    "effective_until",
    "is_retirement",
    "successor",
    "direction",
    "threshold",
    "unit",
    "averaging_period",
    "all_countries",
    "countries",
    "all_sectors",
    "sectors",
    "sources",
    "text_en",
    "text_es",
    "measuring_method_en",
    "measuring_method_es",
    "provenance",
    "record_reference",
    "promulgated_at",
]


def version_as_row(d: dict[str, Any]) -> list[str]:
    """A version's CSV row from its `version_as_dict`."""
    d = {
        **d,
        "countries": " ".join(d["countries"]),
        "sectors": " ".join(d["sectors"]),
        "sources": " | ".join(f"{s['kind']}: {s['citation']}" for s in d["sources"]),
    }
    return ["" if d[c] is None else str(d[c]) for c in CSV_COLUMNS]


def register_export(*, on: dt.date | None = None, chunk_size: int = 2000) -> Iterator[dict]:
    """Every version of the register (the full history), or only those in force on `on`, as
    `version_as_dict`, in the order of criterion code and version number.

    Four queries whatever the size of the register, each read in chunks as the export is
    streamed: the versions, and their sources, trading partners and sectors in the same
    order, walked side by side."""
    versions = CriterionVersion.objects.all() if on is None else versions_in_force(on=on)
    ids = versions.values("pk")
    order = ("criterion__code", "number")
    countries = CriterionVersion.countries.through.objects.filter(criterionversion__in=ids)
    sectors = CriterionVersion.sectors.through.objects.filter(criterionversion__in=ids)
    sources = _Alongside(
        Source.objects.filter(version__in=ids)
        .select_related("country", "comparator_organization", "comparison_industry")
        .order_by(*(f"version__{f}" for f in order), "position", "id"),
        "version_id",
        chunk_size,
    )
    codes = _Alongside(
        countries.order_by(*(f"criterionversion__{f}" for f in order)).values_list(
            "criterionversion_id", "tradingpartner__code"
        ),
        0,
        chunk_size,
    )
    isic_codes = _Alongside(
        sectors.order_by(*(f"criterionversion__{f}" for f in order)).values_list(
            "criterionversion_id", "sector__isic_code"
        ),
        0,
        chunk_size,
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


class _Alongside:
    """Rows of a query ordered as the versions are, taken version by version (`take`): the
    rows of one version follow each other, in the versions' order."""

    def __init__(self, qs: QuerySet, key: str | int, chunk_size: int) -> None:
        self._rows = qs.iterator(chunk_size=chunk_size)
        self._key = key
        self._next: Any = None
        self._done = False

    def _key_of(self, row: Any) -> int:
        return row[self._key] if isinstance(self._key, int) else getattr(row, self._key)

    def take(self, version_id: int) -> list:
        found = []
        while not self._done:
            if self._next is None:
                self._next = next(self._rows, None)
                if self._next is None:
                    self._done = True
                    break
            if self._key_of(self._next) != version_id:
                break
            found.append(self._next)
            self._next = None
        return found


# --------------------------------------------------------------------------- rounds


def round_list() -> QuerySet[DeliberationRound]:
    return DeliberationRound.objects.all()


def round_get(*, code: str) -> DeliberationRound | None:
    return DeliberationRound.objects.filter(code=code).first()


def round_proposals(*, round: DeliberationRound) -> list[Proposal]:
    return list(
        Proposal.objects.filter(round=round)
        .select_related("criterion", "right", "filed_by", "organization", "adopted_version")
        .prefetch_related("votes", "votes__member__person")
        .order_by("number")
    )


def averaging_period_label(value: str) -> str:
    return str(dict(AveragingPeriod.choices).get(value, value))


def codes_of(items: Iterable) -> list[str]:
    return [getattr(i, "code", i) for i in items]
