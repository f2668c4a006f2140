"""Demo of the Peru team's targeted investigation of the union's complaint (DOMAIN.md, the
canonical scenario): off-premises interviews, findings on pregnancy dismissals, union
recognition and prison labor, a remedial order with capacity building, a verification visit
that found it not carried out after its due date — and the complaint the team filed.

Everything goes through `investigations.services`. Idempotent: the investigation is the
complaint's one targeted investigation, and each step is done only when its row is missing.
The order was served in the field 45 days before the day the demo is first loaded, with a
30-day step, so its due date has passed; the sweep records the miss when `make run` starts.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from commission.models import InvestigativeTeam, Organization, TeamMembership
from complaints.models import Case
from criteria.models import Criterion
from criteria.selectors import criterion_version_in_force

from . import services
from .models import Finding, Interview, RemedialOrder

UNION_REF = "DEMO-2026-UNION-COMPLAINT"

INTERVIEWS = [
    (
        "Parish hall of Santa Clara, Ate (off company premises)",
        "Demo interviewee A",
        "I told my supervisor I was pregnant in March; two days later I was dismissed with "
        "eleven other women. The union had asked to bargain the week before.",
        "Dismissed two days after telling the supervisor she was pregnant, with eleven other "
        "women.",
    ),
    (
        "Union hall, Av. Nicolás Ayllón, Ate (off company premises)",
        "Demo interviewee B",
        "The union has the signatures of 312 of the 540 workers. Management says it will never "
        "sit down with us. Cut pieces leave for the prison workshop every Monday.",
        "The union holds the signatures of a majority; management refuses to meet it. Cut "
        "pieces leave for the prison workshop every Monday.",
    ),
]

FINDINGS = [
    (
        "ND-001",
        "Pregnant workers dismissed",
        "Twelve women were dismissed within a week of announcing their pregnancy; payroll shows "
        "no other dismissals in the period.",
        12,
        0,
    ),
    (
        "CB-001",
        "Majority union not recognized",
        "The union holds signed cards of 312 of 540 workers (57.8%); the employer refuses to "
        "recognize or bargain with it.",
        540,
        1,
    ),
    (
        "FL-001",
        "Prison labor in the supply chain",
        "Shirts for the buying corporation are sewn in workshops of the National Penitentiary "
        "System without the prisoners' free consent or market wages.",
        120,
        1,
    ),
]


def _version(code: str, on: dt.date):
    criterion = Criterion.objects.filter(code=code).first()
    return criterion_version_in_force(criterion=criterion, on=on) if criterion else None


def load() -> None:
    case = Case.objects.filter(received_via=Case.Channel.PAPER, intake_reference=UNION_REF).first()
    team = InvestigativeTeam.objects.filter(name="Lima Garment Sector Team").first()
    if case is None or team is None:
        return
    User = get_user_model()
    lead = User.objects.get(username="team.lead")
    rep = User.objects.get(username="team.union")
    memberships = {
        m.person.user_id: m
        for m in TeamMembership.objects.filter(team=team).select_related("person")
    }
    services.team_group_sync(team)
    # Opened by the task the filing queued; opened here too (the same service, once) so the
    # demo does not depend on the worker having run.
    investigation = services.investigation_open_for_complaint(case_id=case.pk)
    if investigation is None or investigation.team_id != team.pk:
        return
    start = timezone.localtime(case.received_at).date()
    observed = min(start + dt.timedelta(days=3), timezone.localdate())
    employer = Organization.objects.get(
        kind=Organization.Kind.EMPLOYER, name="Confecciones del Pacífico S.A.C."
    )
    prisons = Organization.objects.get(
        kind=Organization.Kind.GOVERNMENT_AGENCY, name="National Penitentiary System"
    )
    if not investigation.site_visits.exists():
        services.site_visit_record(
            investigation=investigation,
            organization=employer,
            place="Confecciones del Pacífico, Ate, Lima",
            visited_on=observed,
            announced=False,
            observations="Unannounced visit: cutting floor and payroll office; the union "
            "notice board had been removed; bundles labelled for the penitentiary workshop.",
            actor=rep,
        )
    excerpts = []
    for place, name, statement, excerpt in INTERVIEWS:
        interview = next(
            (
                i
                for i in Interview.objects.filter(investigation=investigation)
                if i.place_description == place
            ),
            None,
        )
        if interview is None:
            interview = services.interview_record(
                investigation=investigation,
                held_on=observed,
                place_description=place,
                off_premises=True,
                interviewee_name=name,
                statement=statement,
                actor=rep,
            )
            services.interview_excerpt_add(interview=interview, text=excerpt, actor=rep)
        excerpts.append(interview.excerpts.first())
    visit = investigation.site_visits.first()
    violations = []
    for code, summary, facts, workers, excerpt_index in FINDINGS:
        version = _version(code, observed)
        if version is None:
            continue
        finding = Finding.objects.filter(investigation=investigation, summary=summary).first()
        if finding is None:
            finding = services.finding_draft(
                investigation=investigation,
                criterion_version=version,
                result=Finding.Result.VIOLATION,
                summary=summary,
                facts=facts,
                observed_on=observed,
                organization=prisons if code == "FL-001" else employer,
                workers_affected=workers,
                site_visits=[visit],
                excerpts=[excerpts[excerpt_index]],
                actor=rep,
            )
        if finding.status == Finding.Status.DRAFT:
            services.finding_determine(
                finding=finding,
                positions=[
                    services.PositionInput(
                        memberships[lead.pk],
                        Finding.Result.VIOLATION,
                        "Payroll records and interviews agree.",
                    ),
                    services.PositionInput(
                        memberships[rep.pk],
                        Finding.Result.VIOLATION,
                        "The workers' accounts are consistent.",
                    ),
                ],
                actor=lead,
            )
        violations.append(finding)
    if not violations:
        return
    order = RemedialOrder.objects.filter(investigation=investigation).first()
    if order is None:
        issued_at = timezone.now() - dt.timedelta(days=45)
        order = services.remedial_order_issue(
            investigation=investigation,
            addressee=employer,
            findings=violations[:2],
            text="Reinstate the dismissed workers with back pay, recognize the majority union "
            "and stop sourcing from prison workshops.",
            steps=[
                services.StepInput("Reinstate the twelve workers with back pay", 30),
                services.StepInput("Recognize the union and open bargaining", 30),
            ],
            capacity_measures=[
                services.CapacityInput(
                    "employer",
                    "Training of supervisors on maternity protection and freedom of association",
                    "Ministry of Labour and Employment Promotion",
                )
            ],
            issued_at=issued_at,
            actor=lead,
        )
    if not order.verifications.exists():
        services.verification_record(
            order=order,
            visited_on=timezone.localdate() - dt.timedelta(days=5),
            basis="worker_interviews",
            outcome="not_complied",
            measured_value=Decimal("2"),
            measured_unit="workers reinstated of 12",
            measuring_method="Payroll check and interviews off premises",
            observations="Two of the twelve workers reinstated; the union still not recognized. "
            "The employer submitted a plan, which does not count as compliance.",
            actor=rep,
        )
