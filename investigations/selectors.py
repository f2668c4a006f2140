"""Reads of investigations: what a user may see, an investigation's record, the clocks due,
and the teams' enforcement records compared at fora. Query counts do not grow with the number
of findings (tests assert it)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Prefetch, Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from commission.models import Clock, InvestigativeTeam, TeamMembership

from .models import (
    DisclosureDemand,
    Finding,
    Interview,
    Investigation,
    MemberPosition,
    ProtocolMandate,
    RemedialOrder,
    RemedialStep,
)
from .services import PERM_VIEW

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


def investigations_for_user(user: User | AnonymousUser | None) -> QuerySet[Investigation]:
    """Team members: their team's investigations (object permission). Commission staff and
    members (model permission): all. Anyone else: none."""
    base = Investigation.objects.select_related("team", "country", "complaint")
    if not (user is not None and user.is_authenticated and user.is_active):
        return base.none()
    if user.has_perm(PERM_VIEW):
        return base
    return get_objects_for_user(
        user, PERM_VIEW, klass=base, accept_global_perms=False, with_superuser=False
    )


def user_teams(user: User | AnonymousUser | None) -> list[InvestigativeTeam]:
    if not (user is not None and user.is_authenticated):
        return []
    return list(
        InvestigativeTeam.objects.filter(memberships__person__user=user).distinct().order_by("name")
    )


def investigation_record(*, investigation: Investigation) -> dict[str, Any]:
    """Everything the workspace shows of one investigation (the template's context), in a fixed
    number of queries."""
    findings = list(
        investigation.findings.select_related(
            "criterion_version", "organization", "determination__decided_by__person"
        )
        .prefetch_related(
            Prefetch(
                "determination__positions",
                queryset=MemberPosition.objects.select_related("membership__person"),
            ),
            "reviews",
        )
        .order_by("pk")
    )
    orders = list(
        investigation.orders.select_related("addressee", "complaint")
        .prefetch_related("steps", "capacity_measures", "verifications", "findings", "reviews")
        .order_by("pk")
    )
    demands = list(investigation.demands.select_related("addressee").order_by("pk"))
    steps = [step for order in orders for step in order.steps.all()]
    clocks = clocks_by_subject([*demands, *steps])
    return {
        "investigation": investigation,
        "site_visits": list(investigation.site_visits.select_related("organization")),
        "interviews": list(
            Interview.objects.filter(investigation=investigation)
            .prefetch_related("excerpts")
            .order_by("pk")
        ),
        "demands": [(d, clocks.get(("disclosuredemand", d.pk), [])) for d in demands],
        "findings": findings,
        "orders": [
            (o, [(s, clocks.get(("remedialstep", s.pk), [])) for s in o.steps.all()])
            for o in orders
        ],
        "members": list(
            TeamMembership.objects.filter(team_id=investigation.team_id)
            .select_related("person", "organization")
            .order_by("role", "person__full_name")
        ),
    }


def clocks_by_subject(subjects: Iterable[models.Model]) -> dict[tuple[str, int], list[Clock]]:
    """{(model name, pk): [clocks]} for demands and remedial steps, in one query."""
    wanted: dict[int, list[str]] = defaultdict(list)
    names: dict[int, str] = {}
    for subject in subjects:
        ct = ContentType.objects.get_for_model(subject)
        wanted[ct.pk].append(str(subject.pk))
        names[ct.pk] = ct.model
    result: dict[tuple[str, int], list[Clock]] = defaultdict(list)
    if not wanted:
        return result
    query = Q(pk__in=[])
    for type_id, ids in wanted.items():
        query |= Q(subject_type_id=type_id, subject_id__in=ids)
    for clock in Clock.objects.filter(query).order_by("due_at", "pk"):
        result[(names[clock.subject_type_id], int(clock.subject_id))].append(clock)
    return result


@dataclass
class DueItem:
    investigation: Investigation
    label: str
    clock: Clock


def due_for_investigations(
    *, investigations: Iterable[Investigation], within_days: int = 14
) -> list[DueItem]:
    """Disclosure demands and remedial steps due within `within_days` or overdue (missed and
    not completed), of the given investigations: three queries."""
    from django.utils import timezone

    by_pk = {i.pk: i for i in investigations}
    if not by_pk:
        return []
    horizon = timezone.now() + dt.timedelta(days=within_days)
    demands = {
        str(d.pk): d
        for d in DisclosureDemand.objects.filter(
            investigation_id__in=by_pk, status=DisclosureDemand.Status.ISSUED
        ).select_related("addressee")
    }
    steps = {
        str(s.pk): s
        for s in RemedialStep.objects.filter(
            order__investigation_id__in=by_pk, order__status=RemedialOrder.Status.OPEN
        ).select_related("order__addressee")
    }
    types = ContentType.objects.get_for_models(DisclosureDemand, RemedialStep)
    clocks = Clock.objects.filter(
        Q(subject_type=types[DisclosureDemand], subject_id__in=list(demands))
        | Q(subject_type=types[RemedialStep], subject_id__in=list(steps))
    ).filter(
        Q(status=Clock.Status.PENDING, due_at__lte=horizon)
        | Q(status=Clock.Status.MISSED, completed_at__isnull=True)
    )
    items: list[DueItem] = []
    for clock in clocks.order_by("due_at", "pk"):
        if clock.subject_type_id == types[DisclosureDemand].pk:
            demand = demands[clock.subject_id]
            items.append(DueItem(by_pk[demand.investigation_id], str(demand), clock))
        else:
            step = steps[clock.subject_id]
            items.append(
                DueItem(
                    by_pk[step.order.investigation_id],
                    f"{step.order.addressee}: {step}",
                    clock,
                )
            )
    return items


@dataclass
class TeamRecord:
    team: InvestigativeTeam
    violations_found: int = 0
    remediated: int = 0
    median_days_to_remediation: float | None = None
    relapses: int = 0
    orders_failed: int = 0
    complaints_filed: int = 0
    mandates: list[ProtocolMandate] = field(default_factory=list)


def team_records(
    *, since: dt.date, until: dt.date, teams: QuerySet[InvestigativeTeam] | None = None
) -> list[TeamRecord]:
    """Per team, for violations determined in [since, until] (the commission's days):
    violations found; of them, remediated (an order naming them verified as complied); the
    median days from the determination to the verification; relapses (violations found
    again after an earlier one was remedied); orders failed and complaints filed. Five
    queries whatever the number of findings."""
    tz = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(since, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    team_list = list(
        (teams if teams is not None else InvestigativeTeam.objects.all()).order_by("name")
    )
    records = {t.pk: TeamRecord(team=t) for t in team_list}
    violations = Finding.objects.filter(
        investigation__team_id__in=records,
        status=Finding.Status.DETERMINED,
        result=Finding.Result.VIOLATION,
        determination__decided_at__gte=start,
        determination__decided_at__lt=end,
    )
    for row in violations.values("investigation__team_id").annotate(
        n=Count("pk"), relapsed=Count("pk", filter=Q(relapse_of__isnull=False))
    ):
        record = records[row["investigation__team_id"]]
        record.violations_found = row["n"]
        record.relapses = row["relapsed"]
    first_verified: dict[int, tuple[int, dt.datetime, dt.datetime]] = {}
    for pk, team_id, decided_at, verified_at in violations.filter(
        orders__status=RemedialOrder.Status.VERIFIED_COMPLIED
    ).values_list(
        "pk", "investigation__team_id", "determination__decided_at", "orders__verified_at"
    ):
        if verified_at is None:
            continue  # never: a complied order's verification instant is set (its constraint)
        known = first_verified.get(pk)
        if known is None or verified_at < known[2]:
            first_verified[pk] = (team_id, decided_at, verified_at)
    days: dict[int, list[int]] = defaultdict(list)
    for team_id, decided_at, verified_at in first_verified.values():
        days[team_id].append(
            (verified_at.astimezone(tz).date() - decided_at.astimezone(tz).date()).days
        )
    for team_id, values in days.items():
        records[team_id].remediated = len(values)
        records[team_id].median_days_to_remediation = float(statistics.median(values))
    for failed in (
        RemedialOrder.objects.filter(
            investigation__team_id__in=records,
            status=RemedialOrder.Status.FAILED,
            failed_at__gte=start,
            failed_at__lt=end,
        )
        .values("investigation__team_id")
        .annotate(n=Count("pk"), filed=Count("complaint"))
    ):
        records[failed["investigation__team_id"]].orders_failed = failed["n"]
        records[failed["investigation__team_id"]].complaints_filed = failed["filed"]
    for mandate in ProtocolMandate.objects.filter(team_id__in=records).select_related(
        "mandated_by"
    ):
        records[mandate.team_id].mandates.append(mandate)
    return [records[t.pk] for t in team_list]
