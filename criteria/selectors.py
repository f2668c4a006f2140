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
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from commission.models import Sector, TradingPartner

from . import isic, renderer, units
from .models import (
    AnswerSet,
    AveragingPeriod,
    BindingAnswer,
    BindingEntry,
    Criterion,
    CriterionVersion,
    DeliberationRound,
    Direction,
    Proposal,
    RegisterRow,
    RegisterState,
    Right,
    RuleResolution,
    Source,
    VersionReach,
)

# --------------------------------------------------------------------------- point in time


def in_force_q(on: dt.date, prefix: str = "") -> Q:
    """The condition "this version was in force on `on`" (optionally through a relation)."""
    return Q(**{f"{prefix}effective_from__lte": on}) & (
        Q(**{f"{prefix}effective_until__isnull": True}) | Q(**{f"{prefix}effective_until__gt": on})
    )


def api_json(value: Any) -> str:
    """`value` as JSON text exactly as the rest of the API renders it (DRF's JSONRenderer):
    compact, characters as they are rather than escaped, except the two line separators that
    JavaScript does not accept in a string."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


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
    if country is not None and sector_code and not include_retired:
        answer = precomputed_answer(country_id=country.pk, sector_code=sector_code, on=on)
        if answer is not None:
            qs = CriterionVersion.objects.filter(pk__in=answer.listed)
            if right is not None:
                qs = qs.filter(criterion__right=right)
            return qs
        # Read off the reach cells (a few index ranges), not the register. (A cell is a
        # country and a sector, so this needs both: a version naming partners but no sector
        # has no cell, yet a filter on the partner alone lists it.)
        reach = VersionReach.objects.filter(
            effective_from__lte=on,
            effective_until__gt=on,
            country_key__in=[VersionReach.ALL_COUNTRIES, country.pk],
            sector_key__in=[VersionReach.ALL_SECTORS, *isic.ancestors(sector_code)],
        )
        qs = CriterionVersion.objects.filter(pk__in=reach.values("version_id"))
        if right is not None:
            qs = qs.filter(criterion__right=right)
        return qs
    qs = CriterionVersion.objects.filter(in_force_q(on))
    if not include_retired:
        qs = qs.filter(is_retirement=False)
    if right is not None:
        qs = qs.filter(criterion__right=right)
    if country is not None:
        through = CriterionVersion.countries.through
        qs = qs.filter(
            Q(applies_to_all_countries=True)
            | Exists(
                through.objects.filter(criterionversion_id=OuterRef("pk"), tradingpartner=country)
            )
        )
    if sector_code:
        through = CriterionVersion.sectors.through
        qs = qs.filter(
            Q(applies_to_all_sectors=True)
            | Exists(
                through.objects.filter(
                    criterionversion_id=OuterRef("pk"),
                    sector__isic_code__in=isic.ancestors(sector_code),
                )
            )
        )
    return qs


# --------------------------------------------------------------------------- precomputed

# Table names only are formatted into these.
_ANSWER_SQL = (
    "SELECT a.answer_set_id, a.count, a.bindings, a.listed"  # noqa: S608
    f" FROM {BindingAnswer._meta.db_table} a"
    f" JOIN {AnswerSet._meta.db_table} s ON s.id = a.answer_set_id"
    f" JOIN {RegisterState._meta.db_table} r ON r.epoch = s.epoch AND r.serial = s.serial"
    " WHERE r.id = 1 AND s.finished_at IS NOT NULL AND s.renderer = %s AND a.country_id = %s"
    " AND a.sector_code = %s AND a.effective_until > %s AND a.effective_from <= %s"
)
_ENTRIES_SQL = (
    "SELECT number, {column} FROM {table}"
    " WHERE answer_set_id = %s AND language = %s AND number IN ({numbers})"
)


@dataclass
class PrecomputedAnswer:
    """A precomputed answer (criteria.answers) for the register's current state."""

    answer_set_id: int
    count: int
    bindings_json: str
    listed_json: str = "[]"

    @cached_property
    def bindings(self) -> list[int]:
        """The numbers of its `BindingEntry` rows, in the answer's order."""
        return json.loads(self.bindings_json)

    @cached_property
    def listed(self) -> list[int]:
        return json.loads(self.listed_json)


def precomputed_answer(
    *, country_id: int, sector_code: str, on: dt.date
) -> PrecomputedAnswer | None:
    """The precomputed answer for the question, in one query joined to the register's state
    row, so that only a set built for the current state by this code (criteria.renderer) can
    answer; None when there is none (not yet built since the last write or deployment, or a
    sector or partner added since)."""
    if not settings.CRITERIA_PRECOMPUTED_ANSWERS:
        return None
    day = on.isoformat()
    with connection.cursor() as cursor:
        cursor.execute(_ANSWER_SQL, [renderer.fingerprint(), country_id, sector_code, day, day])
        row = cursor.fetchone()
    return PrecomputedAnswer(*row) if row else None


def _entry_column(answer_set_id: int, numbers: list[int], column: str) -> dict[int, str]:
    """`column` of the answer set's binding entries `numbers`, in the active language."""
    if not numbers:
        return {}
    sql = _ENTRIES_SQL.format(
        column=column,
        table=BindingEntry._meta.db_table,
        numbers=", ".join(["%s"] * len(numbers)),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [answer_set_id, _entry_language(), *numbers])
        return dict(cursor.fetchall())


def _entry_language() -> str:
    """The language precomputed entries are read in: the active one if they were rendered in
    it, else the default."""
    language = get_language() or settings.LANGUAGE_CODE
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE


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


@dataclass(frozen=True)
class FragmentPage(_Paged):
    """A page of a precomputed answer as rendered text (criteria.answers): each binding's
    JSON for the API and HTML for the portal, in the active language. `stamp` is the register
    state the answer is of ("<epoch>.<serial>", as `criteria.cache.register_stamp`)."""

    count: int
    number: int
    per_page: int
    fragments: list[str]
    country_name: str
    sector_title: str
    stamp: str


# A question and a slice of its answer's `bindings` (or `listed`) joined to their rendered
# text, in one query: the answer row is joined to the register's state row, so that only a set
# built for the current state (by this code: criteria.renderer) can answer, and the slice of the JSON list is expanded in the
# database (SQLite's json_each, PostgreSQL's unnest of an array slice). When the slice is
# empty (no binding, or a page past the last) the answer row still comes back, once, with no
# text. Table and column names only are formatted in.
_SLICE_SQL = (
    "SELECT s.epoch, s.serial, a.count, a.country_name, a.sector_title, t.{column}"  # noqa: S608
    f" FROM {BindingAnswer._meta.db_table} a"
    f" JOIN {AnswerSet._meta.db_table} s ON s.id = a.answer_set_id"
    f" JOIN {RegisterState._meta.db_table} r ON r.epoch = s.epoch AND r.serial = s.serial"
    " LEFT JOIN {elements} ON {in_slice}"
    " LEFT JOIN {table} t ON t.answer_set_id = a.answer_set_id AND t.language = %s"
    " AND t.{key} = {element}"
    " WHERE r.id = 1 AND s.finished_at IS NOT NULL AND s.renderer = %s AND a.country_code = %s"
    " AND a.sector_code = %s AND a.effective_until > %s AND a.effective_from <= %s"
    " ORDER BY {position}"
)
_SLICE_VENDOR = {
    # json_each: `key` is the 0-based index; the slice is [start, end).
    "sqlite": {
        "elements": "json_each(a.{list}) j",
        "in_slice": "j.key >= %s AND j.key < %s",
        "element": "j.value",
        "position": "j.key",
    },
    # The list of integers read as an array, of which only the slice is expanded (arrays
    # count from 1: elements start + 1 … end).
    "postgresql": {
        "elements": "LATERAL unnest((translate(a.{list}, '[]', '{{}}')::integer[])[%s + 1:%s])"
        " WITH ORDINALITY j(value, position)",
        "in_slice": "true",
        "element": "j.value",
        "position": "j.position",
    },
}


@lru_cache(maxsize=16)
def _slice_sql(vendor: str, listing: str, table: str, key: str, column: str) -> str | None:
    parts = _SLICE_VENDOR.get(vendor)
    if parts is None:
        return None
    return _SLICE_SQL.format(
        column=column,
        elements=parts["elements"].format(list=listing),
        in_slice=parts["in_slice"],
        element=parts["element"],
        position=parts["position"],
        table=table,
        key=key,
    )


def _answer_slice(
    *, listing: str, column: str, country_code: str, sector_code: str, on: dt.date,
    start: int, count: int,
) -> tuple[str, int, str, str, list[str]] | None:  # fmt: skip
    """One query: (stamp, count, country name, sector title, texts) of the precomputed answer
    to the question, with the rendered text of items `start`… (at most `count`) of its list
    `listing` ("bindings": `BindingEntry.column`; "listed": `RegisterRow.html`); None when no
    precomputed answer can answer it."""
    if not settings.CRITERIA_PRECOMPUTED_ANSWERS:
        return None
    if listing == "bindings":
        table, key = BindingEntry._meta.db_table, "number"
    else:
        table, key = RegisterRow._meta.db_table, "version_id"
    sql = _slice_sql(connection.vendor, listing, table, key, column)
    if sql is None:
        return None
    day = on.isoformat()
    params = [
        start, start + count, _entry_language(), renderer.fingerprint(), country_code,
        sector_code, day, day,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        _execute_prepared(cursor, f"criteria_slice_{listing}_{column}", sql, params)
        rows = cursor.fetchall()
    if not rows:
        return None
    epoch, serial, total, country_name, sector_title, _text = rows[0]
    texts = [row[5] for row in rows if row[5] is not None]
    return f"{epoch}.{serial}", total, country_name, sector_title, texts


def _execute_prepared(cursor, name: str, sql: str, params: list) -> None:
    """Execute `sql` with `params`; on PostgreSQL as the prepared statement `name`, prepared
    once per database session: planning this query costs more than running it."""
    if connection.vendor != "postgresql" or not settings.CRITERIA_PREPARED_STATEMENTS:
        cursor.execute(sql, params)
        return
    prepared = getattr(connection, "criteria_prepared", None)
    if prepared is None:
        prepared = connection.criteria_prepared = set()
    if name not in prepared:
        numbered = sql
        for n in range(1, len(params) + 1):
            numbered = numbered.replace("%s", f"${n}", 1)
        cursor.execute(f"PREPARE {name} AS {numbered}")
        prepared.add(name)
    cursor.execute(f"EXECUTE {name}({', '.join(['%s'] * len(params))})", params)


def forget_prepared(sender, connection, **kwargs) -> None:
    """On `connection_created`: a new database session has no statement prepared yet."""
    connection.criteria_prepared = set()


def binding_fragments(
    *,
    country_code: str,
    sector_code: str,
    on: dt.date,
    number: int = 1,
    per_page: int = 50,
    column: str = "json",
) -> FragmentPage | None:
    """A page of the precomputed answer to "which criteria bind", as each binding's rendered
    `json` or `html`, in one query (two for a page past the last, which shows the last);
    None when no precomputed answer can answer it (the caller then asks
    `criteria_binding_page`). The country and sector are given by code; an unknown one has no
    answer."""
    if column not in ("json", "html"):
        return None
    question = {
        "listing": "bindings",
        "column": column,
        "country_code": country_code,
        "sector_code": sector_code,
        "on": on,
        "count": per_page,
    }
    found = _answer_slice(**question, start=max(0, number - 1) * per_page)
    if found is None:
        return None
    shown, start = _page_of(found[1], number, per_page)
    if shown != number:
        found = _answer_slice(**question, start=start)
        if found is None:  # the register was written to in between
            return None
    stamp, count, country_name, sector_title, fragments = found
    return FragmentPage(
        count=count,
        number=shown,
        per_page=per_page,
        fragments=fragments,
        country_name=country_name,
        sector_title=sector_title,
        stamp=stamp,
    )


@dataclass(frozen=True)
class RowSlice:
    """Rows of the register's list as rendered when the answers were precomputed, and the
    register state they are of."""

    rows: list[str]
    stamp: str


def register_rows(
    *, country_code: str, sector_code: str, on: dt.date, start: int, count: int
) -> RowSlice | None:
    """Rows `start`… (at most `count`) of the register's list for a country and sector on a
    date, as rendered when the answers were precomputed, in one query; None when no
    precomputed answer can answer it."""
    found = _answer_slice(
        listing="listed",
        column="html",
        country_code=country_code,
        sector_code=sector_code,
        on=on,
        start=start,
        count=count,
    )
    if found is None:
        return None
    return RowSlice(rows=found[4], stamp=found[0])


def decode_entries(
    entries: list[list],
    versions: dict[int, CriterionVersion],
    records: dict[int, RuleResolution],
) -> list[Binding]:
    """Bindings from their stored form (`BindingEntry.entry`)."""
    bindings = []
    for version_id, why, record_id, competitors in entries:
        winner = versions[version_id]
        bindings.append(
            Binding(
                version=winner,
                governs=winner.criterion.governs,
                why=why,
                resolution=records.get(record_id),
                competitors=tuple(
                    Competitor(
                        version=versions[other],
                        relation=relation,
                        margin=None if margin is None else Decimal(margin),
                        margin_percent=None if percent is None else Decimal(percent),
                        winner=winner,
                    )
                    for other, relation, margin, percent in competitors
                ),
            )
        )
    return bindings


def _decoded(answer: PrecomputedAnswer, numbers: list[int]) -> list[Binding]:
    """The bindings of a precomputed answer's entries `numbers`, with their versions and the
    members' records they cite: three queries, or two when no record is cited."""
    stored = _entry_column(answer.answer_set_id, numbers, "entry")
    entries = [json.loads(stored[n]) for n in numbers]
    ids = {e[0] for e in entries} | {c[0] for e in entries for c in e[3]}
    versions = {v.pk: v for v in narrow_versions(CriterionVersion.objects.filter(pk__in=ids))}
    cited = {e[2] for e in entries if e[2] is not None}
    records = (
        RuleResolution.objects.select_related("binding_criterion").in_bulk(cited) if cited else {}
    )
    return decode_entries(entries, versions, records)


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
# measuring methods, promulgation record) is never loaded for the selector.
_VERSION_FIELDS = (
    "id",
    "criterion_id",
    "number",
    "identifier",
    "effective_from",
    "direction",
    "threshold",
    "unit",
    "averaging_period",
)
_CRITERION_FIELDS = ("id", "right_id", "code", "kind", "governs", "title_en", "title_es")
_RIGHT_FIELDS = ("id", "code", "position")


def _binding_candidates(
    *, country: TradingPartner, sector_code: str, on: dt.date
) -> list[CriterionVersion]:
    """The versions in force on `on` for the country and sector, with their criterion and
    right, built from one row each (see `_loaded`)."""
    return narrow_versions(versions_in_force(on=on, country=country, sector_code=sector_code))


def narrow_versions(qs: QuerySet[CriterionVersion]) -> list[CriterionVersion]:
    """The versions of `qs` with only the columns the resolution and a page of answers read,
    and their criterion and right, built from one row each (see `_loaded`)."""
    qs = qs.order_by()
    rows = qs.values_list(
        *_VERSION_FIELDS,
        *(f"criterion__{f}" for f in _CRITERION_FIELDS[1:]),
        *(f"criterion__right__{f}" for f in _RIGHT_FIELDS[1:]),
    )
    db = qs.db
    nv, nc = len(_VERSION_FIELDS), len(_CRITERION_FIELDS) - 1
    rights: dict[int, Right] = {}
    versions = []
    for row in rows:
        right_id = row[nv]
        right = rights.get(right_id)
        if right is None:
            right = rights[right_id] = _loaded(
                Right, db, _RIGHT_FIELDS, (right_id, *row[nv + nc :])
            )
        criterion = _loaded(Criterion, db, _CRITERION_FIELDS, (row[1], *row[nv : nv + nc]))
        criterion._state.fields_cache["right"] = right
        version = _loaded(CriterionVersion, db, _VERSION_FIELDS, row[:nv])
        version._state.fields_cache["criterion"] = criterion
        versions.append(version)
    return versions


def _loaded(model, db: str, names: tuple[str, ...], values: tuple):
    """An instance of `model` as loaded from the database with only the columns `names` —
    what `Model.from_db` builds for a deferred-field queryset (the other columns load on
    access), without running `__init__` over every field of the model: for a few hundred rows
    that is most of the selector's time. The values come from `values_list`, so they are
    already converted to Python."""
    obj = model.__new__(model)
    obj.__dict__.update(zip(names, values, strict=True))
    obj._state = ModelState()
    obj._state.adding = False
    obj._state.db = db
    return obj


def _resolution_applies(
    record: RuleResolution, *, country_id: int, sector_codes: list[str], on: dt.date
) -> bool:
    """Whether the members' record `record` speaks for the country, sector and date."""
    return (
        record.effective_from <= on
        and (record.country_id is None or record.country_id == country_id)
        and (record.sector_id is None or record.sector.isic_code in sector_codes)
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
    sources_attach(versions)
    return bindings


def sources_attach(versions: list[CriterionVersion]) -> None:
    """Attach their sources to `versions` (as `version.sources.all()` reads them) in one
    query — what `prefetch_related("sources")` does, without building a related manager and
    a queryset per version, which for a few hundred versions was most of the time."""
    found: dict[int, list[Source]] = defaultdict(list)
    if versions:
        for source in Source.objects.filter(version_id__in=[v.pk for v in versions]).select_related(
            "country", "comparator_organization", "comparison_industry"
        ):
            found[source.version_id].append(source)
    for version in versions:
        cache = version.__dict__.setdefault("_prefetched_objects_cache", {})
        cache["sources"] = _loaded_queryset(Source, found.get(version.pk, []))


def _loaded_queryset(model, items: list) -> QuerySet:
    """A queryset whose results are `items`, as a prefetch leaves it."""
    qs = QuerySet(model=model)
    qs._result_cache = items
    qs._prefetch_done = True
    return qs


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
    answer = precomputed_answer(country_id=country.pk, sector_code=sector_code, on=on)
    if answer is not None:
        return _with_sources(_decoded(answer, answer.bindings))
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
    answer = precomputed_answer(country_id=country.pk, sector_code=sector_code, on=on)
    if answer is not None:
        count = answer.count
    else:
        bindings = _resolve(country=country, sector_code=sector_code, on=on)
        count = len(bindings)
    number, start = _page_of(count, number, per_page)
    shown = (
        _decoded(answer, answer.bindings[start : start + per_page])
        if answer is not None
        else bindings[start : start + per_page]
    )
    return BindingPage(
        bindings=_with_sources(shown),
        count=count,
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
    # version of a criterion is in force, so this is the order of codes, read off the
    # identifier's unique index without sorting the register.
    return (
        qs.select_related("criterion", "criterion__right")
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


def version_as_dict(v: CriterionVersion) -> dict[str, Any]:
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
        "countries": sorted(c.code for c in v.countries.all()),
        "all_sectors": v.applies_to_all_sectors,
        "sectors": sorted(s.isic_code for s in v.sectors.all()),
        "sources": [source_as_dict(s) for s in v.sources.all()],
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


def version_as_row(v: CriterionVersion) -> list[str]:
    d = version_as_dict(v)
    d["countries"] = " ".join(d["countries"])
    d["sectors"] = " ".join(d["sectors"])
    d["sources"] = " | ".join(f"{s['kind']}: {s['citation']}" for s in d["sources"])
    return ["" if d[c] is None else str(d[c]) for c in CSV_COLUMNS]


def register_export(
    *, on: dt.date | None = None, chunk_size: int = 500
) -> Iterator[CriterionVersion]:
    """Every version of the register (the full history), or only those in force on `on`."""
    qs = CriterionVersion.objects.all() if on is None else versions_in_force(on=on)
    qs = _with_details(qs).order_by("criterion__code", "number")
    yield from qs.iterator(chunk_size=chunk_size)


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
