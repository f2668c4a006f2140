"""The scale generator: a realistic commission of N cases for the benchmarks (issue #22).

`commission_generate(cases=100_000, seed=1)` fills an empty commission with cases received over
ten years from several trading partners and sectors: their complainants, respondents and
allegations, both statutory clocks in every state (pending, met, missed, missed and completed
late), the hearings, the issued decisions with a finding on every allegation, the register of
issued opinions (metadata only: no PDF is rendered) and the audit record of all of it.

Everything is written by bulk inserts that go through the doors the integrity declarations
leave open, never around them (docs/adr/0008):

* rows are inserted in states the guards allow on insert; a case reaches `decided` by the
  allowed transition `heard -> decided`, after its decision was issued (`issuing -> issued`),
  and the findings are written while the decision is still `issuing` (no row may name an
  issued decision);
* the case events are appended to the audit chain by `commission.services.case_events_import`
  inside `audit.legacy_import()`: linked and hashed like every other event, marked
  `imported`, so `manage.py verify_audit` recomputes the whole chain afterwards.

The same seed gives the same commission (names, dates, statuses, findings, hashes of the
opinions) for the same `now`; the events' `recorded_at` is the time of the run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Concat
from django.utils import timezone

from commission import audit
from commission import services as commission_services
from commission.dates import statutory_deadline
from commission.models import (
    CaseEvent,
    Clock,
    CommissionMember,
    Organization,
    Person,
    Sector,
    TradingPartner,
)
from complaints.models import Allegation, Case, Complainant, DocketCounter, Respondent
from complaints.services import DOCKET_PREFIX

from .models import AllegationFinding, Decision, Hearing, Opinion, OpinionRender, Panel, PanelSeat
from .panels import configured_composition

YEARS = 10
HEARING_DAYS = 60
DECISION_DAYS = 90

PARTNERS = [
    ("PE", "Peru", "Latin America", "upper_middle", "enterprise"),
    ("MX", "Mexico", "Latin America", "upper_middle", "mixed"),
    ("GT", "Guatemala", "Central America", "upper_middle", "enterprise"),
    ("CO", "Colombia", "Latin America", "upper_middle", "mixed"),
    ("KH", "Cambodia", "South-East Asia", "lower_middle", "mixed"),
    ("US", "United States", "North America", "high", "enterprise"),
]
SECTORS = [
    ("1410", "Manufacture of wearing apparel, except fur apparel"),
    ("0111", "Growing of cereals, leguminous crops and oil seeds"),
    ("0126", "Growing of oleaginous fruits"),
    ("0510", "Mining of hard coal"),
    ("1079", "Manufacture of other food products"),
    ("2930", "Manufacture of parts and accessories for motor vehicles"),
    ("4923", "Freight transport by road"),
    ("5510", "Short term accommodation activities"),
]
PLACES = ["Ate, Lima", "Arequipa", "Trujillo", "Monterrey", "Escuintla", "Medellín", "Phnom Penh"]
TOPICS = [
    ("Dismissal of pregnant workers", "Trabajadoras embarazadas fueron despedidas."),
    ("Refusal to recognize the union", "El empleador se niega a reconocer al sindicato."),
    ("Unpaid overtime", "Las horas extraordinarias no se pagan."),
    ("Prison labor", "Internos cosen prendas para el empleador."),
    ("Cotton dust above the limit", "El polvo de algodón supera el límite."),
    ("Child labor at harvest", "Menores trabajan en la cosecha."),
    ("Blacklisting of union leaders", "Los dirigentes sindicales figuran en listas negras."),
    ("Wage theft by a subcontractor", "El contratista no paga los salarios pactados."),
]


@dataclass
class GenerationReport:
    cases: int = 0
    events: int = 0
    clocks: int = 0
    hearings: int = 0
    decisions: int = 0
    opinions: int = 0
    seconds: float = 0.0
    by_status: dict[str, int] = field(default_factory=dict)
    clocks_by_status: dict[str, int] = field(default_factory=dict)


@dataclass
class _Plan:
    """What happens to one case, drawn from the seed before anything is written."""

    index: int
    kind: str
    docket_number: str
    received_at: dt.datetime
    status: str
    scheduled_for: dt.datetime | None
    held_at: dt.datetime | None
    decided_at: dt.datetime | None
    allegations: int
    violation: list[bool]
    partner: int
    employer: int
    filer: int
    withheld: bool


class _Deadlines:
    """One `statutory_deadline` computation per receipt day and period: the due instant
    depends on the local day of the trigger only (the arithmetic of `commission.dates`)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[dt.date, int], dict] = {}
        self._tz = ZoneInfo(settings.TIME_ZONE)

    def fields(self, trigger_at: dt.datetime, days: int) -> dict:
        day = trigger_at.astimezone(self._tz).date()
        fields = self._cache.get((day, days))
        if fields is None:
            deadline = statutory_deadline(trigger_at=trigger_at, days=days, trigger_event="filed")
            fields = deadline.as_clock_fields()
            self._cache[(day, days)] = fields
        return {**fields, "trigger_at": trigger_at}


def _plan_cases(
    rng: random.Random, *, cases: int, now: dt.datetime, partners: int
) -> tuple[list[_Plan], dict[tuple[str, int], int]]:
    start = now - dt.timedelta(days=365 * YEARS)
    span = (now - dt.timedelta(hours=1) - start).total_seconds()
    instants = sorted(start + dt.timedelta(seconds=rng.random() * span) for _ in range(cases))
    tz = ZoneInfo(settings.TIME_ZONE)
    counters: dict[tuple[str, int], int] = {}
    plans: list[_Plan] = []
    for index, received in enumerate(instants):
        received = received.replace(microsecond=0)
        kind = Case.Kind.PETITION if rng.random() < 0.25 else Case.Kind.COMPLAINT
        year = received.astimezone(tz).year
        key = (DOCKET_PREFIX[kind], year)
        counters[key] = counters.get(key, 0) + 1
        docket = f"{key[0]}-{year}-{counters[key]:05d}"
        age_days = (now - received).total_seconds() / 86400
        # Most hearings are held on time; some late, a few never (an old missed clock).
        hearing_day = rng.choice([20, 30, 40, 45, 50, 55, 58, 59, 64, 75])
        decision_day = hearing_day + rng.choice([10, 20, 25, 28, 30, 35, 40])
        stuck = rng.random() < 0.02  # the old backlog: a hearing held, no decision ever issued
        scheduled_for: dt.datetime | None = received + dt.timedelta(
            days=hearing_day, hours=rng.randint(0, 6)
        )
        held_at = scheduled_for if age_days > hearing_day + 1 else None
        decided_at = (
            received + dt.timedelta(days=decision_day, hours=rng.randint(0, 6))
            if held_at is not None and age_days > decision_day + 1 and not stuck
            else None
        )
        if age_days < 7:
            scheduled_for = None
        if decided_at is not None:
            status = Case.Status.DECIDED if kind == Case.Kind.COMPLAINT else Case.Status.DENIED
        elif held_at is not None:
            status = Case.Status.HEARD
        elif scheduled_for is not None:
            status = Case.Status.HEARING_SCHEDULED
        else:
            status = Case.Status.FILED
        allegations = rng.choice([1, 1, 1, 2, 2, 3])
        violation = [kind == Case.Kind.COMPLAINT and rng.random() < 0.6 for _ in range(allegations)]
        plans.append(
            _Plan(
                index=index,
                kind=kind,
                docket_number=docket,
                received_at=received,
                status=status,
                scheduled_for=scheduled_for,
                held_at=held_at,
                decided_at=decided_at,
                allegations=allegations,
                violation=violation,
                partner=rng.randrange(partners),
                employer=rng.randrange(1_000_000),
                filer=rng.randrange(1_000_000),
                withheld=rng.random() < 0.1,
            )
        )
    return plans, counters


def _reference_data(rng: random.Random):
    partners = []
    for code, name, region, income, system in PARTNERS:
        partner, _ = TradingPartner.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "region": region,
                "income_level": income,
                "labor_relations_system": system,
            },
        )
        partners.append(partner)
    sectors = []
    for code, title in SECTORS:
        sector, _ = Sector.objects.get_or_create(isic_code=code, defaults={"title": title})
        sectors.append(sector)
    organizations = []
    for p_index, partner in enumerate(partners):
        for i in range(60):
            organizations.append(
                Organization(
                    kind=Organization.Kind.EMPLOYER,
                    name=f"Generated employer {partner.code}-{i:03d}",
                    country=partner,
                    sector=sectors[(i + p_index) % len(sectors)],
                    location=PLACES[i % len(PLACES)],
                )
            )
        for i in range(20):
            organizations.append(
                Organization(
                    kind=Organization.Kind.LABOR_ORGANIZATION,
                    name=f"Generated union {partner.code}-{i:03d}",
                    country=partner,
                )
            )
        organizations.append(
            Organization(
                kind=Organization.Kind.GOVERNMENT,
                name=f"Generated government of {partner.name}",
                country=partner,
            )
        )
    for i in range(10):
        organizations.append(
            Organization(
                kind=Organization.Kind.HUMAN_RIGHTS_ORGANIZATION,
                name=f"Generated rights group {i:02d}",
                country=partners[i % len(partners)],
            )
        )
    Organization.objects.bulk_create(organizations)
    employers: dict[int, list[Organization]] = {}
    filers: dict[int, list[Organization]] = {}
    position: dict[int | None, int] = {partner.pk: i for i, partner in enumerate(partners)}
    for org in organizations:
        index = position[org.country_id]
        if org.kind == Organization.Kind.EMPLOYER:
            employers.setdefault(index, []).append(org)
        elif org.kind in (
            Organization.Kind.LABOR_ORGANIZATION,
            Organization.Kind.HUMAN_RIGHTS_ORGANIZATION,
        ):
            filers.setdefault(index, []).append(org)
    del rng  # reference data is fixed; the seed draws the cases
    return partners, sectors, employers, filers, _members(partners)


def _members(partners: list[TradingPartner]) -> dict[str, list[CommissionMember]]:
    members: dict[str, list[CommissionMember]] = {}
    for partner in partners:
        for kind in (CommissionMember.Kind.JURIST, CommissionMember.Kind.WORKER_REPRESENTATIVE):
            for i in range(3):
                person = Person.objects.create(
                    full_name=f"Generated member {partner.code}-{kind[:1]}{i}", country=partner
                )
                members.setdefault(kind, []).append(
                    CommissionMember.objects.create(
                        person=person, kind=kind, country=partner, seated_on=dt.date(2000, 1, 1)
                    )
                )
    return members


def commission_generate(
    *,
    cases: int,
    seed: int = 1,
    now: dt.datetime | None = None,
    batch: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> GenerationReport:
    """Fill an empty commission with `cases` cases (see the module's docstring)."""
    if cases < 1:
        raise ValidationError("The generator makes at least one case.")
    if Case.objects.exists():
        raise ValidationError(
            "The generator fills an empty commission: this database already holds cases."
        )
    started = time.monotonic()
    now = (now or timezone.now()).replace(microsecond=0)
    rng = random.Random(seed)  # noqa: S311  # nosec B311 - reproducible test data, not a secret
    report = GenerationReport()
    with transaction.atomic():
        partners, _sectors, employers, filers, members = _reference_data(rng)
    plans, counters = _plan_cases(rng, cases=cases, now=now, partners=len(partners))
    writer = _Writer(
        now=now,
        seed=seed,
        partners=partners,
        employers=employers,
        filers=filers,
        members=members,
        report=report,
    )
    for start in range(0, len(plans), batch):
        with transaction.atomic(), audit.legacy_import():
            writer.write(plans[start : start + batch])
        if progress:
            progress(min(start + batch, len(plans)))
    with transaction.atomic():
        for (prefix, year), last in counters.items():
            DocketCounter.objects.update_or_create(
                prefix=prefix, year=year, defaults={"last_number": last}
            )
    report.seconds = time.monotonic() - started
    return report


class _Writer:
    def __init__(self, *, now, seed, partners, employers, filers, members, report):
        self.now = now
        self.seed = seed
        self.partners = partners
        self.employers = employers
        self.filers = filers
        self.members = members
        self.report = report
        self.deadlines = _Deadlines()
        self.case_type = ContentType.objects.get_for_model(Case)

    # -- events ---------------------------------------------------------------------------
    def _event(self, case: Case, verb: str, at: dt.datetime, **kwargs) -> CaseEvent:
        return CaseEvent(
            subject_type=self.case_type,
            subject_id=str(case.pk),
            docket_number=case.docket_number,
            verb=verb,
            occurred_at=at,
            **kwargs,
        )

    def write(self, plans: list[_Plan]) -> None:  # noqa: C901 - one pass, in the order written
        rows = []
        for plan in plans:
            final = plan.status
            # A case that will be decided or denied is written as heard and moves on by the
            # allowed transition once its decision is issued.
            status = Case.Status.HEARD if plan.decided_at else final
            rows.append(
                Case(
                    kind=plan.kind,
                    docket_number=plan.docket_number,
                    status=status,
                    received_at=plan.received_at,
                    received_via=Case.Channel.PORTAL,
                    recorded_at=plan.received_at,
                    language="es" if plan.index % 3 else "en",
                    remedies_sought="Reinstatement of the dismissed workers and back pay.",
                    withhold_organization_names=plan.withheld,
                    hearing_scheduled_for=plan.scheduled_for,
                    hearing_held_at=plan.held_at,
                )
            )
        Case.objects.bulk_create(rows)
        self.report.cases += len(rows)
        by_plan = list(zip(plans, rows, strict=True))

        complainants, respondents, allegations = [], [], []
        for plan, case in by_plan:
            filers = self.filers[plan.partner]
            complainants.append(
                Complainant(
                    case=case,
                    kind=Complainant.Kind.ORGANIZATION,
                    position=1,
                    organization=filers[plan.filer % len(filers)],
                    identity_withheld=plan.withheld,
                    pseudonym=f"O{plan.index % 1000:03d}" if plan.withheld else "",
                )
            )
            employers = self.employers[plan.partner]
            respondents.append(
                Respondent(
                    case=case,
                    kind=Respondent.Kind.EMPLOYER,
                    organization=employers[plan.employer % len(employers)],
                )
            )
            for number in range(1, plan.allegations + 1):
                summary, facts = TOPICS[(plan.index + number) % len(TOPICS)]
                allegations.append(
                    Allegation(
                        case=case,
                        number=number,
                        summary=summary,
                        facts=facts,
                        place=PLACES[(plan.index + number) % len(PLACES)],
                        period_start=(plan.received_at - dt.timedelta(days=200)).date(),
                        workers_affected=10 + plan.index % 300,
                    )
                )
        Complainant.objects.bulk_create(complainants)
        Respondent.objects.bulk_create(respondents)
        Allegation.objects.bulk_create(allegations)
        allegations_of: dict[int, list[Allegation]] = {}
        for allegation in allegations:
            allegations_of.setdefault(allegation.case_id, []).append(allegation)

        # Panels and hearings of the cases that have a hearing date.
        panels, seats, hearings = [], [], []
        composition = [spec.as_json() for spec in configured_composition()]
        for plan, case in by_plan:
            if plan.scheduled_for is None:
                continue
            panel = Panel(
                case=case,
                composition=composition,
                selected_at=plan.received_at + dt.timedelta(days=5),
            )
            panels.append((plan, case, panel))
        Panel.objects.bulk_create([p for _, _, p in panels])
        panel_of = {}
        for plan, case, panel in panels:
            if plan.scheduled_for is None:  # only cases with a hearing date have a panel
                continue
            panel_of[case.pk] = panel
            jurists = self.members["jurist"]
            workers = self.members["worker_representative"]
            respondent_side = workers[plan.partner * 3 + plan.index % 3]
            other_side = workers[((plan.partner + 1) * 3 + plan.index % 3) % len(workers)]
            chosen = [jurists[(plan.index * 7) % len(jurists)], respondent_side, other_side]
            for position, member in enumerate(chosen, start=1):
                seats.append(
                    PanelSeat(
                        panel=panel,
                        position=position,
                        member=member,
                        presides=position == 1,
                        seated_at=panel.selected_at,
                    )
                )
            hearings.append(
                Hearing(
                    case=case,
                    panel=panel,
                    status=Hearing.Status.HELD if plan.held_at else Hearing.Status.SCHEDULED,
                    scheduled_for=plan.scheduled_for,
                    location=PLACES[plan.index % len(PLACES)],
                    notice_published_at=plan.received_at + dt.timedelta(days=6),
                    held_at=plan.held_at,
                    created_at=plan.received_at + dt.timedelta(days=6),
                )
            )
        PanelSeat.objects.bulk_create(seats)
        Hearing.objects.bulk_create(hearings)
        self.report.hearings += len(hearings)

        # The events, in the order they happened for each case; the clocks point at the ones
        # that met or completed them, so they are written first.
        events: list[CaseEvent] = []
        meets: dict[tuple[int, str], CaseEvent] = {}
        for plan, case in by_plan:
            events.append(
                self._event(
                    case,
                    "filed",
                    plan.received_at,
                    to_status=Case.Status.FILED,
                    data={
                        "kind": case.kind,
                        "received_via": case.received_via,
                        "received_at": plan.received_at.isoformat(),
                        "complainants": 1,
                        "respondents": 1,
                        "allegations": plan.allegations,
                        "evidence": 0,
                    },
                    is_public=True,
                )
            )
            for kind, days in (("hearing_by", HEARING_DAYS), ("decision_by", DECISION_DAYS)):
                fields = self.deadlines.fields(plan.received_at, days)
                events.append(
                    self._event(
                        case,
                        "clock_started",
                        plan.received_at,
                        to_status=Clock.Status.PENDING,
                        data={
                            "kind": kind,
                            "days": days,
                            "trigger_at": plan.received_at.isoformat(),
                            "due_at": fields["due_at"].isoformat(),
                        },
                        is_public=True,
                    )
                )
            events.append(self._event(case, "receipt_issued", plan.received_at))
            if plan.scheduled_for is not None:
                events.append(
                    self._event(
                        case,
                        "hearing_scheduled",
                        plan.received_at + dt.timedelta(days=6),
                        from_status=Case.Status.FILED,
                        to_status=Case.Status.HEARING_SCHEDULED,
                        data={"scheduled_for": plan.scheduled_for.isoformat()},
                        is_public=True,
                    )
                )
            if plan.held_at is not None:
                held = self._event(
                    case,
                    "hearing_held",
                    plan.held_at,
                    from_status=Case.Status.HEARING_SCHEDULED,
                    to_status=Case.Status.HEARD,
                    data={"held_at": plan.held_at.isoformat()},
                    is_public=True,
                )
                events.append(held)
                meets[(case.pk, "hearing_by")] = held
            if plan.decided_at is not None:
                events.append(
                    self._event(case, "decision_issued", plan.decided_at, data={}, is_public=False)
                )
                decided = self._event(
                    case,
                    "decided",
                    plan.decided_at,
                    from_status=Case.Status.HEARD,
                    to_status=plan.status,
                    reason="Reasoned opinion: " + f"{plan.docket_number}/OP",
                    is_public=True,
                )
                events.append(decided)
                meets[(case.pk, "decision_by")] = decided
        # Misses are recorded at the due instant (the sweep's event), placed in time order
        # among the case's own events only by their date: the chain order is the write order.
        clocks: list[Clock] = []
        for plan, case in by_plan:
            for kind, days, done_at in (
                ("hearing_by", HEARING_DAYS, plan.held_at),
                ("decision_by", DECISION_DAYS, plan.decided_at),
            ):
                fields = self.deadlines.fields(plan.received_at, days)
                due = fields["due_at"]
                clock = Clock(
                    subject_type=self.case_type,
                    subject_id=str(case.pk),
                    docket_number=case.docket_number,
                    kind=kind,
                    legal_basis=(
                        commission_services.HEARING_LEGAL_BASIS
                        if kind == "hearing_by"
                        else commission_services.DECISION_LEGAL_BASIS
                    ),
                    legal_source=(
                        commission_services.HEARING_LEGAL_SOURCE
                        if kind == "hearing_by"
                        else commission_services.DECISION_LEGAL_SOURCE
                    ),
                    trigger_event="filed",
                    started_at=plan.received_at,
                    **fields,
                )
                if done_at is not None and done_at <= due:
                    clock.status = Clock.Status.MET
                    clock.met_at = done_at
                elif due < self.now:
                    clock.status = Clock.Status.MISSED
                    clock.missed_at = due
                    clock.miss_recorded_at = due + dt.timedelta(minutes=1)
                    events.append(
                        self._event(
                            case,
                            "clock_missed",
                            due,
                            from_status=Clock.Status.PENDING,
                            to_status=Clock.Status.MISSED,
                            data={"kind": kind, "due_at": due.isoformat()},
                            is_public=True,
                        )
                    )
                    if done_at is not None:
                        clock.completed_at = done_at
                        local_done = done_at.astimezone(ZoneInfo(clock.time_zone)).date()
                        clock.days_overdue = max((local_done - clock.last_day).days, 0)
                    else:
                        local_now = self.now.astimezone(ZoneInfo(clock.time_zone)).date()
                        clock.days_overdue = max((local_now - clock.last_day).days, 0)
                if clock.status != Clock.Status.MET:
                    clock.next_action_at = commission_services._clock_next_action_at(
                        clock, claimed=set()
                    )
                clocks.append(clock)
        commission_services.case_events_import(events=events)
        self.report.events += len(events)
        for clock in clocks:
            meet = meets.get((int(clock.subject_id), clock.kind))
            if meet is None:
                continue
            if clock.status == Clock.Status.MET:
                clock.met_by_event = meet
            elif clock.completed_at is not None:
                clock.completed_by_event = meet
        Clock.objects.bulk_create(clocks)
        self.report.clocks += len(clocks)
        for clock in clocks:
            self.report.clocks_by_status[str(clock.status)] = (
                self.report.clocks_by_status.get(str(clock.status), 0) + 1
            )

        self._decide(
            [(plan, case) for plan, case in by_plan if plan.decided_at], panel_of, allegations_of
        )
        for plan, _case in by_plan:
            self.report.by_status[str(plan.status)] = (
                self.report.by_status.get(str(plan.status), 0) + 1
            )

    def _decide(self, decided, panel_of, allegations_of) -> None:
        """Decisions issued with a finding on every allegation and their opinion in the
        register: written `issuing`, findings and opinion added, then issued; the case then
        moves `heard -> decided` (or `denied`), which the guards allow only now."""
        if not decided:
            return
        decisions = []
        for plan, case in decided:
            decisions.append(
                Decision(
                    case=case,
                    panel=panel_of[case.pk],
                    kind=Decision.Kind.COMPLAINT
                    if plan.kind == Case.Kind.COMPLAINT
                    else Decision.Kind.PETITION,
                    adoption=Decision.Adoption.PANEL,
                    language=case.language,
                    status=Decision.Status.ISSUING,
                    introduction="The panel heard the parties and examined the record.",
                    created_at=plan.held_at,
                    adopted_at=plan.decided_at,
                )
            )
        Decision.objects.bulk_create(decisions)
        findings, renders, opinions = [], [], []
        for (plan, case), decision in zip(decided, decisions, strict=True):
            for allegation, violation in zip(allegations_of[case.pk], plan.violation, strict=True):
                findings.append(
                    AllegationFinding(
                        decision=decision,
                        allegation=allegation,
                        relevant_date=allegation.period_start,
                        determination=AllegationFinding.Determination.VIOLATION
                        if violation
                        else AllegationFinding.Determination.NO_VIOLATION,
                        reasoning="The record establishes the facts alleged."
                        if violation
                        else "The record does not establish the facts alleged.",
                    )
                )
            renders.append(
                OpinionRender(
                    decision=decision,
                    status=OpinionRender.Status.DONE,
                    attempts=1,
                    queued_at=plan.decided_at,
                    started_at=plan.decided_at,
                    finished_at=plan.decided_at,
                    seconds=1.5,
                )
            )
        AllegationFinding.objects.bulk_create(findings)
        OpinionRender.objects.bulk_create(renders)
        for (plan, case), decision, render in zip(decided, decisions, renders, strict=True):
            sha = hashlib.sha256(f"{self.seed}:{case.docket_number}".encode()).hexdigest()
            opinion = Opinion(
                reference=f"{case.docket_number}/OP",
                decision=decision,
                kind=Opinion.Kind.OPINION,
                docket_number=case.docket_number,
                language=case.language,
                sha256=sha,
                size=40_000 + plan.index % 200_000,
                page_count=4 + plan.allegations * 3,
                signed=False,
                issued_at=plan.decided_at,
                render=render,
            )
            opinion.file.name = f"opinions/{sha[:2]}/{sha}.pdf"
            opinions.append(opinion)
        Opinion.objects.bulk_create(opinions)
        # One UPDATE per step (the guards check each row, in Python and in the database).
        Decision.objects.filter(pk__in=[d.pk for d in decisions]).update(
            status=Decision.Status.ISSUED, issued_at=F("adopted_at")
        )
        groups: dict[tuple[str, str], list[int]] = {}
        for plan, case in decided:
            reasoning = "\n".join(
                f"{n}. {'Violation' if v else 'No violation'}"
                for n, v in enumerate(plan.violation, start=1)
            )
            groups.setdefault((plan.status, reasoning), []).append(case.pk)
        adopted = Decision.objects.filter(case=OuterRef("pk")).values("adopted_at")[:1]
        for (status, reasoning), ids in groups.items():
            Case.objects.filter(pk__in=ids).update(
                status=status,
                outcome_at=Subquery(adopted),
                outcome_reasoning=reasoning,
                outcome_reference=Concat(F("docket_number"), Value("/OP")),
            )
        self.report.decisions += len(decisions)
        self.report.opinions += len(opinions)
