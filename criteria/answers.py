"""Precomputed answers of "which criteria bind country C, sector S on date D".

An answer resolves every binding criterion (about 220 of them for a busy cell of a large
register) to order and count them, which costs milliseconds; the register changes rarely (a
deliberation round, a member's resolution). So, for each state of the register, `build`
resolves once every answer the selector can be asked — every trading partner × every sector
the commission knows × every period between two dates on which something changes for that
cell — and stores them (`AnswerSet`, `BindingAnswer`). The selector then reads one row.

Correctness does not depend on the precomputation:
- a set is built for the register state (`RegisterState`) read before its data, and kept only
  if the state is unchanged after the data is read, so it holds exactly that state's answers;
- the selector uses a set only while the register is in that state (one join on the state
  row), and only once the set is finished; otherwise it resolves the answer itself;
- every write to the register moves the state on (database triggers), whichever door it came
  through, so a stale set can never answer.

A set is built by `answers_refresh` (criteria.tasks): after every register write the services
queue it, and beat runs it every minute to catch writes made by other doors; `manage.py
criteria_answers` runs it by hand. Builders of the same state don't duplicate work: the set's
row is claimed first (unique per state), and an unfinished claim older than `STALE` is taken
over.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from commission.models import Sector, TradingPartner

from . import isic, renderer
from .models import (
    AnswerSet,
    BindingAnswer,
    BindingEntry,
    CriterionVersion,
    RegisterRow,
    RegisterState,
    RuleResolution,
    VersionReach,
)
from .selectors import (
    Binding,
    _best_resolutions,
    _binding_order,
    _contested_rules,
    _resolution_applies,
    _resolve_versions,
    api_json,
    decode_entries,
    narrow_versions,
    sources_attach,
)

logger = logging.getLogger(__name__)

DAWN = dt.date(1, 1, 1)
# An unfinished claim older than this is a builder that died: longer than the task's limit.
STALE = dt.timedelta(minutes=45)
CHUNK = 500


@dataclass(frozen=True)
class BuildResult:
    answer_set: AnswerSet | None
    built: bool
    reason: str
    seconds: float = 0.0


def _state() -> tuple[str, int] | None:
    row = RegisterState.objects.filter(pk=1).values_list("epoch", "serial").first()
    return (row[0], row[1]) if row else None


def current() -> AnswerSet | None:
    """The finished set of the register's current state, if one has been built."""
    state = _state()
    if state is None:
        return None
    return AnswerSet.objects.filter(
        epoch=state[0], serial=state[1], renderer=renderer.fingerprint(), finished_at__isnull=False
    ).first()


def _claim(state: tuple[str, int]) -> tuple[AnswerSet | None, str]:
    claim = {"epoch": state[0], "serial": state[1], "renderer": renderer.fingerprint()}
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return AnswerSet.objects.create(**claim), "claimed"
        except IntegrityError:
            existing = AnswerSet.objects.filter(**claim).first()
            if existing is None:
                continue
            if existing.finished_at is not None:
                return None, "already built"
            if timezone.now() - existing.started_at < STALE:
                return None, "being built"
            logger.warning(
                "Taking over answer set %s, unfinished since %s", existing, existing.started_at
            )
            AnswerSet.objects.filter(pk=existing.pk, finished_at__isnull=True).delete()
    return None, "being built"


def build() -> BuildResult:
    """Build the precomputed answers of the register's current state, unless they exist."""
    started = time.perf_counter()
    state = _state()
    if state is None:
        return BuildResult(None, False, "empty register")
    done = current()
    if done is not None:
        return BuildResult(done, False, "already built")
    answer_set, reason = _claim(state)
    if answer_set is None:
        return BuildResult(current(), False, reason)
    try:
        data = _load()
        if _state() != state:
            # A write committed while the register was read: what was read may mix two
            # states. The write queued the next build.
            answer_set.delete()
            return BuildResult(None, False, "register changed while it was read")
        entries = _Entries()
        count = _store(answer_set, _answers(data, entries), data)
        _store_entries(answer_set, data, entries)
        _store_rows(answer_set, entries.listed)
    except BaseException:
        AnswerSet.objects.filter(pk=answer_set.pk).delete()
        raise
    AnswerSet.objects.filter(pk=answer_set.pk).update(finished_at=timezone.now(), answers=count)
    # Other states' sets can never answer again, nor can sets rendered by other code once
    # this code has its own (a set still being built is left to its builder unless it died:
    # see STALE).
    others = AnswerSet.objects.exclude(pk=answer_set.pk).filter(
        Q(finished_at__isnull=False) | Q(started_at__lt=timezone.now() - STALE)
    )
    for old in others:
        BindingAnswer.objects.filter(answer_set=old).delete()
        BindingEntry.objects.filter(answer_set=old).delete()
        RegisterRow.objects.filter(answer_set=old).delete()
        old.delete()
    answer_set.refresh_from_db()
    seconds = time.perf_counter() - started
    logger.info(
        "Precomputed %d answers for register state %s in %.1f s", count, answer_set, seconds
    )
    return BuildResult(answer_set, True, "built", seconds)


@dataclass
class _Data:
    versions: dict[int, CriterionVersion]
    cells: dict[tuple[int, str], list[tuple[int, dt.date, dt.date]]]
    resolutions: list[RuleResolution]
    partners: list[tuple[int, str, str]]
    sectors: list[tuple[str, str]]


def _load() -> _Data:
    versions = {
        v.pk: v for v in narrow_versions(CriterionVersion.objects.filter(is_retirement=False))
    }
    cells: dict[tuple[int, str], list[tuple[int, dt.date, dt.date]]] = defaultdict(list)
    for version_id, country_key, sector_key, since, until in VersionReach.objects.values_list(
        "version_id", "country_key", "sector_key", "effective_from", "effective_until"
    ).iterator(chunk_size=5000):
        cells[(country_key, sector_key)].append((version_id, since, until))
    resolutions = list(RuleResolution.objects.select_related("binding_criterion", "sector"))
    partners = list(TradingPartner.objects.order_by("pk").values_list("pk", "code", "name"))
    sectors = list(Sector.objects.order_by("isic_code").values_list("isic_code", "title"))
    return _Data(versions, dict(cells), resolutions, partners, sectors)


class _Entries:
    """The distinct bindings of a set's answers, numbered as they are first met."""

    def __init__(self):
        self.numbers: dict[str, int] = {}
        self.entries: list[list] = []
        self.listed: set[int] = set()

    def number(self, binding: Binding) -> int:
        entry = encode(binding)
        text = json.dumps(entry, separators=(",", ":"))
        number = self.numbers.get(text)
        if number is None:
            number = self.numbers[text] = len(self.entries)
            self.entries.append(entry)
        return number


def _answers(data: _Data, entries: _Entries):
    """Yield (country id, sector code, from, until, count, bindings JSON, listed JSON) for
    every period of every cell, merging consecutive periods with the same answer."""
    # A group's outcome depends only on its members and the members' record in force, so it
    # is resolved once however many cells and periods share it.
    memo: dict[tuple, list[tuple[tuple, int]]] = {}
    for country_id, _code, _name in data.partners:
        for sector_code, _title in data.sectors:
            codes = isic.ancestors(sector_code)
            reach: dict[int, tuple[dt.date, dt.date]] = {}
            for country_key in (VersionReach.ALL_COUNTRIES, country_id):
                for sector_key in (VersionReach.ALL_SECTORS, *codes):
                    for version_id, since, until in data.cells.get((country_key, sector_key), ()):
                        if version_id in data.versions:
                            reach[version_id] = (since, until)
            records = [
                r
                for r in data.resolutions
                if (r.country_id is None or r.country_id == country_id)
                and (r.sector_id is None or r.sector.isic_code in codes)
            ]
            yield from _cell_answers(
                data, memo, entries, country_id, sector_code, codes, reach, records
            )


def _cell_answers(data, memo, entries, country_id, sector_code, codes, reach, records):
    bounds = {DAWN, VersionReach.OPEN_END}
    starts: dict[dt.date, list[int]] = defaultdict(list)
    ends: dict[dt.date, list[int]] = defaultdict(list)
    for version_id, (since, until) in reach.items():
        bounds.update((since, until))
        starts[since].append(version_id)
        ends[until].append(version_id)
    bounds.update(r.effective_from for r in records)
    ordered = sorted(bounds)
    active: set[int] = set()
    previous = None
    for since, until in zip(ordered, ordered[1:], strict=False):
        active.difference_update(ends.get(since, ()))
        active.update(starts.get(since, ()))
        versions = [data.versions[i] for i in active]
        entries.listed.update(active)
        bindings_json, count = _answer_json(
            versions, records, country_id, codes, since, memo, entries
        )
        listed = json.dumps([v.pk for v in sorted(versions, key=lambda v: v.identifier)])
        if previous is not None and previous[5] == bindings_json and previous[6] == listed:
            previous[3] = until
            continue
        if previous is not None:
            yield tuple(previous)
        previous = [country_id, sector_code, since, until, count, bindings_json, listed]
    if previous is not None:
        yield tuple(previous)


def _answer_json(versions, records, country_id, codes, on, memo, entries) -> tuple[str, int]:
    contested = _contested_rules(versions)
    resolutions = (
        _best_resolutions(
            r
            for r in records
            if r.governs in contested
            and _resolution_applies(r, country_id=country_id, sector_codes=codes, on=on)
        )
        if contested
        else {}
    )
    groups: dict[tuple[str, str, str], list[CriterionVersion]] = defaultdict(list)
    for v in versions:
        groups[(v.criterion.kind, v.criterion.governs, v.averaging_period or "")].append(v)
    shown: list[tuple[tuple, int]] = []
    for key, members in groups.items():
        resolution = resolutions.get(key[1])
        memo_key = (
            key,
            tuple(sorted(v.pk for v in members)),
            resolution.pk if resolution else None,
        )
        numbered = memo.get(memo_key)
        if numbered is None:
            numbered = memo[memo_key] = [
                (_binding_order(b), entries.number(b))
                for b in _resolve_versions(members, {key[1]: resolution} if resolution else {})
            ]
        shown.extend(numbered)
    shown.sort(key=lambda e: e[0])
    return json.dumps([e[1] for e in shown], separators=(",", ":")), len(shown)


def encode(binding: Binding) -> list:
    """A binding as stored in a precomputed answer (see `BindingAnswer.bindings`)."""
    return [
        binding.version.pk,
        binding.why,
        binding.resolution.pk if binding.resolution else None,
        [
            [
                c.version.pk,
                c.relation,
                None if c.margin is None else str(c.margin),
                None if c.margin_percent is None else str(c.margin_percent),
            ]
            for c in binding.competitors
        ],
    ]


def _store(answer_set: AnswerSet, answers, data: _Data) -> int:
    partners = {pk: (code, name) for pk, code, name in data.partners}
    titles = dict(data.sectors)
    count = 0
    batch: list[BindingAnswer] = []

    def flush():
        with transaction.atomic():
            BindingAnswer.objects.bulk_create(batch)

    for country_id, sector_code, since, until, n, bindings, listed in answers:
        batch.append(
            BindingAnswer(
                answer_set=answer_set,
                country_id=country_id,
                sector_code=sector_code,
                country_code=partners[country_id][0],
                country_name=partners[country_id][1],
                sector_title=titles[sector_code],
                effective_from=since,
                effective_until=until,
                count=n,
                bindings=bindings,
                listed=listed,
            )
        )
        if len(batch) >= CHUNK:
            flush()
            count += len(batch)
            batch = []
    if batch:
        flush()
        count += len(batch)
    return count


def _store_entries(answer_set: AnswerSet, data: _Data, entries: _Entries) -> None:
    """Every distinct binding of the set, rendered once per language as the API (JSON) and the
    portal (HTML) show it."""
    versions = data.versions
    loaded = list(versions.values())
    for first in range(0, len(loaded), 10 * CHUNK):
        # In chunks: one query per 5,000 versions keeps within SQLite's parameter limit.
        sources_attach(loaded[first : first + 10 * CHUNK])
    records = {r.pk: r for r in data.resolutions}
    batch: list[BindingEntry] = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            # Fresh bindings per language: their explanations are worded when first read.
            bindings = decode_entries(entries.entries, versions, records)
            for number, (entry, binding) in enumerate(zip(entries.entries, bindings, strict=True)):
                batch.append(
                    BindingEntry(
                        answer_set=answer_set,
                        number=number,
                        language=language,
                        entry=json.dumps(entry, separators=(",", ":")),
                        json=api_json(binding.as_dict()),
                        html=render_to_string("criteria/_binding_section.html", {"b": binding}),
                    )
                )
                if len(batch) >= CHUNK:
                    with transaction.atomic():
                        BindingEntry.objects.bulk_create(batch)
                    batch = []
    if batch:
        with transaction.atomic():
            BindingEntry.objects.bulk_create(batch)


_ROW_BREAK = "criteriarowbreak"


def _store_rows(answer_set: AnswerSet, version_ids: set[int]) -> None:
    """The register list's row of every version some answer lists, rendered once per
    language (one template pass per chunk of versions)."""
    ids = sorted(version_ids)
    for first in range(0, len(ids), CHUNK):
        versions = list(
            CriterionVersion.objects.filter(pk__in=ids[first : first + CHUNK])
            .select_related("criterion", "criterion__right")
            .prefetch_related("countries", "sectors")
        )
        rows = []
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                html = render_to_string("criteria/_register_rows.html", {"versions": versions})
            rendered = html.split(_ROW_BREAK)[:-1]
            rows.extend(
                RegisterRow(answer_set=answer_set, version_id=v.pk, language=language, html=h)
                for v, h in zip(versions, rendered, strict=True)
            )
        with transaction.atomic():
            RegisterRow.objects.bulk_create(rows)
