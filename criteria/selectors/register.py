"""Reads of the register at a point in time (from `effective_from`/`effective_until`), its
pages, a criterion's history, the rounds, and the register's state (the key of cached answers).
"""

from __future__ import annotations

import datetime as dt

from django.db import connections, router
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from commission.models import TradingPartner

from .. import isic
from ..models import (
    Criterion,
    CriterionVersion,
    DeliberationRound,
    Proposal,
    RegisterState,
    Right,
    Source,
)

_STATE_SQL = f"SELECT epoch, serial, changed_at FROM {RegisterState._meta.db_table} WHERE id = 1"  # noqa: S608 - the model's own table  # nosec B608


def register_state() -> RegisterState:
    """The register's state, read on every cached answer (as SQL: the ORM's query building
    costs more than the lookup); serial 0 before anything was ever written. Read from the
    database the register's rows are read from (a public read may come from the replica,
    commission/db/replica.py), so that an answer is never cached under a newer state than the
    rows it was computed from."""
    with connections[router.db_for_read(RegisterState)].cursor() as cursor:
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
        named_sectors = CriterionVersion.sectors.through.objects.filter(
            sector__isic_code__in=isic.ancestors(sector_code)
        )
        qs = qs.filter(
            Q(applies_to_all_sectors=True) | Q(pk__in=named_sectors.values("criterionversion_id"))
        )
    return qs


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


def criterion_history(*, criterion: Criterion) -> list[CriterionVersion]:
    """Every version of a criterion, oldest first, with sources and applicability."""
    return list(
        _with_details(CriterionVersion.objects.filter(criterion=criterion))
        .select_related("proposal", "proposal__round", "promulgated_by")
        .order_by("number")
    )


def criterion_version_with_history(
    *, identifier: str
) -> tuple[CriterionVersion, list[CriterionVersion]] | None:
    """The version cited as `identifier` and its criterion's whole history (with sources and
    applicability), or None."""
    version = (
        CriterionVersion.objects.select_related("criterion__right")
        .filter(identifier=identifier)
        .first()
    )
    if version is None:
        return None
    history = criterion_history(criterion=version.criterion)
    return next(v for v in history if v.identifier == identifier), history


# --------------------------------------------------------------------------- rounds


def round_list() -> QuerySet[DeliberationRound]:
    return DeliberationRound.objects.all()


def round_proposals(*, round: DeliberationRound) -> list[Proposal]:
    return list(
        Proposal.objects.filter(round=round)
        .select_related("criterion", "right", "filed_by", "organization", "adopted_version")
        .prefetch_related("votes", "votes__member__person")
        .order_by("number")
    )
