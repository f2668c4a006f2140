"""The Peru case played step by step for a person to watch (`manage.py play_scenario`, `make
scenario`): a new complaint of the union and the human-rights organization, from filing to a
sanction's first step lifted, each step through the same services the portal, the admin and the
team's workspace call, at its own date in the story (the player's clock is moved with
time-machine; the running site shows the dated result). After each step the player names the
page where its result can be seen, so a person following in a browser sees the case move.

The acceptance tests (tests/acceptance/) play the same story through the doors themselves;
both read its parties, the union's complaint and the criteria it cites from the scenario's
description (`commission.demo_data.peru()`), and the decision's sanctions from
`sanctions/demo.yaml`. The demo data (`make demo`) must be loaded: the player uses its people
and organizations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from commission.demo_data import demo_data_load, party, peru
from commission.models import CommissionMember, InvestigativeTeam, TeamMembership
from complaints import services as complaints_services
from complaints.models import Case, Complainant, Respondent
from criteria.models import Criterion, CriterionVersion
from hearings import services as hearings_services
from hearings.models import AllegationFinding, Decision, Hearing, OpinionRender
from investigations import services as investigations_services
from investigations.models import Finding, Investigation

from . import services
from .models import SanctionOrder

STORY_DAYS = 150  # the filing is dated this many days ago; the last step, nine days ago
SANCTIONS = Path(__file__).with_name("demo.yaml")  # its `decision_sanctions`


@dataclass
class Play:
    """What the steps share: the case and what each step made."""

    started: dt.datetime
    case: Case | None = None
    made: dict[str, Any] = field(default_factory=dict)

    def filed(self) -> Case:
        if self.case is None:
            raise RuntimeError("The complaint is filed first.")
        return self.case

    def day(self, n: int, hour: int = 10) -> dt.datetime:
        return (self.started + dt.timedelta(days=n)).replace(hour=hour, minute=0, second=0)


@dataclass(frozen=True)
class Step:
    title: str
    day: int
    hour: int
    run: Callable[[Play], str]  # returns the path where its result is seen


@contextmanager
def _at(instant: dt.datetime) -> Iterator[None]:
    import time_machine

    with time_machine.travel(instant, tick=False):
        yield


def _user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def _file(play: Play) -> str:
    C, R, A = (
        complaints_services.ComplainantInput,
        complaints_services.RespondentInput,
        complaints_services.AllegationInput,
    )
    story = peru()
    register = story["register"]
    criteria = {c.code: c for c in Criterion.objects.filter(code__in=register.values())}
    start = (play.started - dt.timedelta(days=180)).date()

    def allegation(described: dict[str, Any]) -> Any:
        found = criteria.get(register[described["register"]])
        return A(
            summary=described["summary"],
            facts=described["facts"],
            period_start=start,
            place=described["place"],
            workers_affected=described["workers_affected"],
            criteria=[found] if found else [],
            proposed_standard="" if found else described["summary"],
        )

    complaint = story["complaint"]
    filing = complaints_services.FilingInput(
        kind=Case.Kind.COMPLAINT,
        language=complaint["language"],
        complainants=[C(kind=Complainant.Kind.ORGANIZATION, organization=party("union"))],
        respondents=[
            R(kind=Respondent.Kind.GOVERNMENT, organization=party("gov_pe")),
            R(kind=Respondent.Kind.EMPLOYER, organization=party("employer")),
            R(kind=Respondent.Kind.GOVERNMENT_AGENCY, organization=party("prison")),
            R(kind=Respondent.Kind.GLOBAL_CORPORATION, organization=party("buyer")),
        ],
        allegations=[allegation(described) for described in complaint["allegations"]],
        remedies_sought=complaint["remedies_sought"],
    )
    play.case, _code = complaints_services.case_file(
        filing=filing,
        actor=_user("staff"),
        received_via=Case.Channel.PAPER,
        received_at=timezone.now(),
        intake_reference=f"SCENARIO-{play.started:%Y%m%d%H%M%S}",
    )
    return f"/complaints/docket/{play.case.docket_number}/"


def _investigate(play: Play) -> str:
    case = play.filed()
    team = InvestigativeTeam.objects.get(name=peru()["team"])
    investigation = investigations_services.investigation_open_for_complaint(case_id=case.pk)
    if investigation is None:
        investigation = Investigation.objects.get(complaint=case)
    if investigation.team_id != team.pk:
        investigations_services.investigation_assign_team(
            investigation=investigation, team=team, reason="Sector team.", actor=_user("staff")
        )
    rep, lead = _user("team.union"), _user("team.lead")
    investigations_services.interview_record(
        investigation=investigation,
        held_on=timezone.localdate(),
        place_description="Local sindical, Ate",
        off_premises=True,
        interviewee_name="Trabajadora entrevistada (nombre cifrado)",
        statement="Me despidieron tres semanas después de avisar mi embarazo.",
        actor=rep,
    )
    pregnancy = peru()["register"]["pregnancy"]
    version = CriterionVersion.objects.filter(criterion__code=pregnancy).order_by("-number").first()
    if version is not None:
        finding = investigations_services.finding_draft(
            investigation=investigation,
            criterion_version=version,
            result=Finding.Result.VIOLATION,
            summary="Despidos por embarazo",
            facts="Once despidos dentro de las tres semanas del aviso de embarazo.",
            observed_on=timezone.localdate(),
            workers_affected=11,
            actor=rep,
        )
        positions = [
            investigations_services.PositionInput(membership=m, position="violation")
            for m in TeamMembership.objects.filter(team=team)
        ]
        investigations_services.finding_determine(finding=finding, positions=positions, actor=lead)
    return f"/investigations/{investigation.pk}/"


def _panel(play: Play) -> str:
    case = play.filed()
    for member in CommissionMember.objects.filter(left_on__isnull=True).select_related("person"):
        if member.person.user is None:
            continue  # a member without an account declares on paper
        hearings_services.conflict_declare(
            member=member, case=case, has_conflict=False, statement="", actor=member.person.user
        )
    hearings_services.panel_select(case=case, actor=_user("staff"))
    return f"/admin/complaints/case/{case.pk}/change/"


def _schedule(play: Play) -> str:
    case = play.filed()
    hearing = hearings_services.hearing_schedule(
        case=case,
        scheduled_for=play.day(50, 9),
        location="Sala de audiencias de la comisión, Lima",
        actor=_user("staff"),
    )
    return f"/hearings/{hearing.pk}/"


def _submissions(play: Play) -> str:
    hearing = Hearing.objects.get(case=play.case)
    for username, key, title in (
        ("union", "union", "Cartas de despido"),
        ("hro", "hro", "Informe sobre talleres penitenciarios"),
    ):
        user = _user(username)
        org = party(key)
        participant = hearings_services.participant_register(
            hearing=hearing, organization=org, actor=user
        )
        hearings_services.submission_file(
            participant=participant,
            kind="written_evidence",
            title=title,
            text="Véase el registro de la visita y los documentos adjuntos.",
            actor=user,
        )
    return f"/hearings/{hearing.pk}/"


def _held(play: Play) -> str:
    hearing = Hearing.objects.get(case=play.case)
    hearings_services.hearing_record_held(
        hearing=hearing, held_at=play.day(50, 9), actor=_user("staff")
    )
    return f"/hearings/{hearing.pk}/"


def _draft(play: Play) -> str:
    case = play.filed()
    chair = _user("chair")
    decision = hearings_services.decision_open(case=case, actor=chair)
    for finding in decision.findings.select_related("allegation"):
        for criterion in finding.allegation.criteria.all():
            hearings_services.criterion_apply(
                finding=finding,
                criterion=criterion,
                analysis="Se cumplen todos los elementos.",
                actor=chair,
            )
        hearings_services.fact_finding_add(
            finding=finding,
            text="Hecho probado en la audiencia.",
            source_label="Acta",
            actor=chair,
        )
        hearings_services.finding_record(
            finding=finding,
            determination=AllegationFinding.Determination.VIOLATION,
            reasoning="Los hechos probados infringen el criterio.",
            actor=chair,
        )
    demo_data_load(SANCTIONS, section="decision_sanctions", params={"decision": decision})
    play.made["decision"] = decision
    return f"/admin/complaints/case/{case.pk}/change/"


def _issue(play: Play) -> str:
    decision: Decision = play.made["decision"]
    with transaction.atomic():
        hearings_services.decision_issue(decision=decision, actor=_user("chair"))
    for render in OpinionRender.objects.filter(decision=decision).exclude(
        status=OpinionRender.Status.DONE
    ):
        hearings_services.opinion_render_run(render_id=render.pk)
    return f"/hearings/decisions/{decision.pk}/"


def _order(play: Play) -> SanctionOrder:
    return SanctionOrder.objects.get(
        specification__decision=play.made["decision"], specification__target="firm"
    )


def _verify(play: Play) -> str:
    order = _order(play)
    services.benchmark_verify(
        benchmark=order.specification.benchmarks.get(position=1),
        team=InvestigativeTeam.objects.get(name=peru()["team"]),
        measured_on=timezone.localdate(),
        measured_value=Decimal("100"),
        method_applied="Auditoría de planillas y entrevistas fuera del centro de trabajo.",
        actor=_user("team.lead"),
    )
    return f"/sanctions/{order.public_id}/"


def _notice(play: Play) -> str:
    order = _order(play)
    play.made["notice"] = services.lift_notice_publish(
        order=order,
        benchmark=order.specification.benchmarks.get(position=1),
        hearing_at=play.day(140),
        location="Lima",
        text="Audiencia pública sobre el levantamiento del primer paso.",
        actor=_superuser(),
    )
    return f"/sanctions/{order.public_id}/"


def _lift_hearing(play: Play) -> str:
    services.lift_hearing_record(
        notice=play.made["notice"],
        presenters="El sindicato; la organización de derechos humanos.",
        record="Se confirmó la reincorporación; no hubo prueba en contrario.",
        actor=_superuser(),
    )
    return f"/sanctions/{_order(play).public_id}/"


def _lift(play: Play) -> str:
    order = _order(play)
    render = services.sanction_lift_step(
        order=order,
        benchmark=order.specification.benchmarks.get(position=1),
        reasoning="Reincorporación verificada por el equipo y confirmada en la audiencia.",
        actor=_superuser(),
    )
    # The worker's part, at the story's date (the task queued on commit finds it done).
    services.lift_render_run(render_id=render.pk)
    return f"/sanctions/{order.public_id}/"


def _superuser() -> Any:
    return get_user_model().objects.filter(is_superuser=True).order_by("pk").first()


STEPS = [
    Step("The union files its complaint; both statutory clocks start", 0, 10, _file),
    Step(
        "The team interviews a worker off the premises and determines a finding",
        8,
        16,
        _investigate,
    ),
    Step("The commission seats the panel; the respondent has no say", 3, 11, _panel),
    Step("The hearing is scheduled with public notice", 20, 10, _schedule),
    Step("The union and the human-rights organization submit evidence", 35, 15, _submissions),
    Step("The hearing is held (day 50 of 60)", 50, 17, _held),
    Step("The panel drafts its findings and deterrent sanctions", 70, 10, _draft),
    Step("The decision issues with its signed opinion (day 85 of 90)", 85, 11, _issue),
    Step("The team verifies the reinstatement benchmark", 120, 10, _verify),
    Step("Public notice of the lift hearing", 120, 12, _notice),
    Step("The lift hearing is held", 140, 15, _lift_hearing),
    Step("The first step of the tariff is lifted; the second stays", 141, 10, _lift),
]


def play(*, after_step: Callable[[int, Step, str], None]) -> Play:
    """Play every step in story order; `after_step(index, step, path)` runs after each (the
    command pauses and shows the page there)."""
    now = timezone.localtime()
    started = (now - dt.timedelta(days=STORY_DAYS)).replace(second=0, microsecond=0)
    state = Play(started=started)
    ordered = sorted(STEPS, key=lambda s: (s.day, s.hour))
    for index, step in enumerate(ordered, start=1):
        instant = state.day(step.day, step.hour) if step.day else started
        with _at(instant):
            path = step.run(state)
        after_step(index, step, path)
    return state


__all__ = ["STEPS", "Play", "Step", "play"]
