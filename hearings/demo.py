"""Demo of a case heard and decided: the union's and the human-rights organization's
complaint against Peru, the Peruvian employer, the prison system and the buying corporation,
received 100 days ago (a paper filing), with

* the panel selected by the commission on day 2 (every member declared no conflict);
* consultations between the governments on days 24 and 41 (on day 41 the United States
  declares Peru compliant — the hearing still takes place);
* public notice on day 20 of the open hearing, held on day 50 (with a virtual-hearing link),
  with written evidence and arguments from the union and the human-rights organization
  before it, minutes and transcript after it, and written arguments in the 14-day window;
* the panel's decision on day 85 finding violations on all three allegations, with sanctions
  on the employer, the buying corporation and the prison system, and its reasoned opinion,
  rendered synchronously here and signed (outside production, with a key generated into
  `.local/opinion-signing/` when none is configured).

Each step runs at its own date (the process's clock is moved with time-machine while the
scenario plays), so the case events, clocks and opinion carry the dates of the story.

Idempotent: the case is keyed by its intake reference; once its decision is issued, loading
again changes nothing. A scenario interrupted half-way is completed from where it stopped.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from commission.actors import SYSTEM
from commission.models import CommissionMember, Organization
from complaints import services as complaints_services
from complaints.models import Case, Complainant, Respondent
from criteria.models import Criterion

from . import hooks, services, signing
from .models import (
    AllegationFinding,
    Decision,
    GovernmentConsultation,
    Hearing,
    HearingParticipant,
    OpinionRender,
    Panel,
    Submission,
)

REFERENCE = "DEMO-2026-HEARING-DECISION"
WORKER = "Rosa Elvira Quispe Huamán"
FILED_DAYS_AGO = 100

PREGNANCY_CODES = ("ND-001", "DIS-001", "DISC-001")
RECOGNITION_CODES = ("CB-001", "FOA-003", "FOA-001")
PRISON_CODES = ("FL-001", "FL-002")


@contextmanager
def _on(instant: dt.datetime):
    import time_machine

    with time_machine.travel(instant, tick=False):
        yield


def _org(kind: str, name: str) -> Organization:
    return Organization.objects.get(kind=kind, name=name)


def _user(username: str):
    return get_user_model().objects.get(username=username)


def _criteria(codes) -> list[Criterion]:
    return list(Criterion.objects.filter(code__in=codes).order_by("code"))[:1]


def _file(received_at: dt.datetime, staff) -> Case:
    K = Organization.Kind
    union = _org(K.LABOR_ORGANIZATION, "Sindicato de Trabajadores de Confecciones del Pacífico")
    hro = _org(K.HUMAN_RIGHTS_ORGANIZATION, "Centro de Derechos Laborales y Humanos")
    employer = _org(K.EMPLOYER, "Confecciones del Pacífico S.A.C.")
    C, R, A = (
        complaints_services.ComplainantInput,
        complaints_services.RespondentInput,
        complaints_services.AllegationInput,
    )
    start = timezone.localdate() - dt.timedelta(days=FILED_DAYS_AGO)
    filing = complaints_services.FilingInput(
        kind=Case.Kind.COMPLAINT,
        language="en",
        complainants=[
            C(kind=Complainant.Kind.ORGANIZATION, organization=union),
            C(kind=Complainant.Kind.ORGANIZATION, organization=hro),
            C(kind=Complainant.Kind.WORKER, name=WORKER, contact="+51 944 120 733"),
        ],
        respondents=[
            R(
                kind=Respondent.Kind.GOVERNMENT,
                organization=_org(K.GOVERNMENT, "Government of Peru"),
            ),
            R(kind=Respondent.Kind.EMPLOYER, organization=employer),
            R(
                kind=Respondent.Kind.GOVERNMENT_AGENCY,
                organization=_org(K.GOVERNMENT_AGENCY, "National Penitentiary System"),
            ),
            R(
                kind=Respondent.Kind.GLOBAL_CORPORATION,
                organization=_org(K.GLOBAL_CORPORATION, "Northfield Apparel Group, Inc."),
            ),
        ],
        allegations=[
            A(
                summary="Dismissal of pregnant workers",
                facts=f"Eleven workers, among them {WORKER}, were dismissed within weeks of "
                "telling their supervisors that they were pregnant.",
                period_start=start - dt.timedelta(days=120),
                place="Ate, Lima",
                workers_affected=11,
                criteria=_criteria(PREGNANCY_CODES),
                proposed_standard=""
                if _criteria(PREGNANCY_CODES)
                else "No dismissal for pregnancy.",
            ),
            A(
                summary="Refusal to recognize the majority union",
                facts="The union has represented 64% of the workers since it was registered; the "
                "employer refuses to recognize it or to bargain.",
                period_start=start - dt.timedelta(days=200),
                place="Ate, Lima",
                workers_affected=540,
                criteria=_criteria(RECOGNITION_CODES),
                proposed_standard=""
                if _criteria(RECOGNITION_CODES)
                else "Recognition of a majority union.",
            ),
            A(
                summary="Garments sewn with prison labor",
                facts="Inmates of the National Penitentiary System sew shirts for the employer "
                "in prison workshops, without the option to refuse and far below the wage.",
                period_start=start - dt.timedelta(days=300),
                place="Lima prisons",
                workers_affected=120,
                criteria=_criteria(PRISON_CODES),
                proposed_standard="" if _criteria(PRISON_CODES) else "No prison labor for exports.",
            ),
        ],
        remedies_sought="Reinstatement with back pay, recognition of the union, the end of prison "
        "labor in the supply chain, and sanctions until compliance is verified.",
    )
    case, _code = complaints_services.case_file(
        filing=filing,
        actor=staff,
        received_via=Case.Channel.PAPER,
        received_at=received_at,
        intake_reference=REFERENCE,
    )
    return case


def _day(received_at: dt.datetime, n: int, hour: int, minute: int = 0) -> dt.datetime:
    local = timezone.localtime(received_at)
    return (local + dt.timedelta(days=n)).replace(hour=hour, minute=minute, second=0, microsecond=0)


def load() -> None:
    K = Organization.Kind
    staff, chair = _user("staff"), _user("chair")
    case = Case.objects.filter(received_via=Case.Channel.PAPER, intake_reference=REFERENCE).first()
    if case is None:
        received_at = _day(timezone.now(), -FILED_DAYS_AGO, 10, 30)
        with _on(received_at + dt.timedelta(minutes=20)):
            case = _file(received_at, staff)
    received_at = case.received_at

    def day(n, hour, minute=0):
        return _day(received_at, n, hour, minute)

    members = list(CommissionMember.objects.filter(left_on__isnull=True).select_related("person"))
    if not Panel.objects.filter(case=case).exists():
        with _on(day(2, 9)):
            for member in members:
                services.conflict_declare(
                    member=member,
                    case=case,
                    has_conflict=False,
                    statement="",
                    actor=member.person.user or SYSTEM,
                )
        with _on(day(2, 11)):
            services.panel_select(case=case, actor=staff)

    gov_us = _org(K.GOVERNMENT, "Government of the United States")
    gov_pe = _org(K.GOVERNMENT, "Government of Peru")
    if not Hearing.objects.filter(case=case).exists():
        with _on(day(20, 10)):
            services.hearing_schedule(
                case=case,
                scheduled_for=day(50, 9),
                location="Commission hearing room, Av. Salaverry 655, Jesús María, Lima",
                virtual_url="https://hearings.commission.localhost/room/peru-garments",
                actor=staff,
            )
    hearing = Hearing.objects.get(case=case)
    if not GovernmentConsultation.objects.filter(case=case).exists():
        with _on(day(24, 16)):
            services.consultation_record(
                case=case,
                requesting_government=gov_us,
                responding_government=gov_pe,
                held_on=day(24, 9).date(),
                summary="The United States asked Peru to reinstate the dismissed workers, order "
                "recognition of the union and stop prison labor for private firms.",
                outcome=GovernmentConsultation.Outcome.NO_AGREEMENT,
                actor=staff,
            )
        with _on(day(41, 16)):
            services.consultation_record(
                case=case,
                requesting_government=gov_us,
                responding_government=gov_pe,
                held_on=day(41, 9).date(),
                summary="Peru reported a labor inspection of the employer and a circular to "
                "prison directors; the United States declared itself satisfied.",
                outcome=GovernmentConsultation.Outcome.COMPLIANCE_DECLARED,
                compliance_statement_text="The United States considers that Peru has come into "
                "compliance and so informs the panel.",
                actor=staff,
            )
    union = _org(K.LABOR_ORGANIZATION, "Sindicato de Trabajadores de Confecciones del Pacífico")
    hro = _org(K.HUMAN_RIGHTS_ORGANIZATION, "Centro de Derechos Laborales y Humanos")
    employer = _org(K.EMPLOYER, "Confecciones del Pacífico S.A.C.")
    if not HearingParticipant.objects.filter(hearing=hearing).exists():
        with _on(day(30, 12)):
            services.participant_register(hearing=hearing, organization=union, actor=_user("union"))
            services.participant_register(hearing=hearing, organization=hro, actor=_user("hro"))
            services.participant_register(
                hearing=hearing,
                organization=gov_us,
                role=HearingParticipant.Role.COMPLAINING_GOVERNMENT,
                actor=staff,
            )
            for org in (gov_pe, employer):
                services.participant_register(
                    hearing=hearing,
                    organization=org,
                    role=HearingParticipant.Role.RESPONDENT,
                    actor=staff,
                )
    p_union = HearingParticipant.objects.get(hearing=hearing, organization=union)
    p_hro = HearingParticipant.objects.get(hearing=hearing, organization=hro)
    if not Submission.objects.filter(hearing=hearing).exists():
        with _on(day(35, 15)):
            services.submission_file(
                participant=p_union,
                kind=Submission.Kind.WRITTEN_EVIDENCE,
                title="Dismissal letters and pregnancy notifications",
                text="Eleven dismissal letters dated within three weeks of the workers' written "
                "notices of pregnancy to the human-resources office.",
                upload=SimpleUploadedFile(
                    "dismissals.csv",
                    b"worker,notice_of_pregnancy,dismissal\nA,2025-07-01,2025-07-18\n"
                    b"B,2025-07-09,2025-07-25\nC,2025-08-02,2025-08-20\n",
                    content_type="text/csv",
                ),
                actor=_user("union"),
            )
            services.submission_file(
                participant=p_union,
                kind=Submission.Kind.WRITTEN_EVIDENCE,
                title="Membership register of the union",
                text="The union's register shows 346 members out of 540 workers (64%).",
                is_public=False,
                actor=_user("union"),
            )
        with _on(day(40, 11)):
            services.submission_file(
                participant=p_hro,
                kind=Submission.Kind.WRITTEN_EVIDENCE,
                title="Report on prison workshops supplying the employer",
                text="Visits to two prisons found 120 inmates sewing shirts labeled for the "
                "employer's buyer, paid a fraction of the minimum wage, without the option to "
                "refuse.",
                actor=_user("hro"),
            )
            services.submission_file(
                participant=p_hro,
                kind=Submission.Kind.WRITTEN_ARGUMENT,
                title="The declaration of compliance does not reflect the facts",
                text="No worker has been reinstated and the prison workshops still operate.",
                actor=_user("hro"),
            )
    if hearing.status == Hearing.Status.SCHEDULED:
        with _on(day(50, 17)):
            services.hearing_record_held(hearing=hearing, held_at=day(50, 9), actor=staff)
            for kind, name, text in (
                ("minutes", "minutes.txt", "Minutes of the open hearing: appearances, exhibits."),
                ("transcript", "transcript.txt", "Transcript of the open hearing (112 pages)."),
            ):
                services.record_item_upload(
                    hearing=hearing,
                    kind=kind,
                    description=text,
                    upload=SimpleUploadedFile(name, text.encode(), content_type="text/plain"),
                    actor=staff,
                )
        with _on(day(55, 12)):
            services.submission_file(
                participant=p_union,
                kind=Submission.Kind.POST_HEARING_ARGUMENT,
                title="Closing written argument of the union",
                text="The employer offered no just cause for any of the dismissals.",
                actor=_user("union"),
            )
    hearing.refresh_from_db()
    decision = Decision.objects.filter(case=case).first()
    if decision is None:
        with _on(day(70, 10)):
            decision = services.decision_open(case=case, actor=chair)
            _draft(decision, hearing)
    if decision.status == Decision.Status.DRAFT and decision.adoption == Decision.Adoption.PANEL:
        with _on(day(85, 11)):
            services.decision_issue(decision=decision, actor=chair)
    decision.refresh_from_db()
    signing.demo_signing_key_ensure(common_name=settings.COMMISSION_NAME)
    for render in OpinionRender.objects.filter(decision=decision).exclude(
        status=OpinionRender.Status.DONE
    ):
        # Rendered synchronously at demo load (a worker would do the same from the queue).
        with _on(day(85, 11, 1)):
            if render.status == OpinionRender.Status.FAILED:
                services.opinion_render_retry(render=render, actor=SYSTEM)
            services.opinion_render_run(render_id=render.pk)


def _draft(decision: Decision, hearing: Hearing) -> None:
    submissions = {s.title: s for s in Submission.objects.filter(hearing=hearing)}
    transcript = hearing.record.filter(kind="transcript").first()
    texts = {
        1: (
            [
                (
                    "Eleven workers were dismissed between 2 and 20 days after notifying the "
                    "employer in writing that they were pregnant.",
                    submissions.get("Dismissal letters and pregnancy notifications"),
                ),
                (
                    "The employer's witness conceded at the hearing that no disciplinary record "
                    f"existed for any of them, including {WORKER}.",
                    transcript,
                ),
            ],
            "The dismissals fall within the period in which the criterion presumes a dismissal "
            "to be for pregnancy, and the employer proved no just cause unrelated to it.",
        ),
        2: (
            [
                (
                    "The union has represented an absolute majority of the workers (346 of 540) "
                    "since its registration and asked for recognition in writing.",
                    submissions.get("Membership register of the union"),
                ),
                (
                    "The employer has not recognized the union nor met it to bargain.",
                    transcript,
                ),
            ],
            "A union representing the absolute majority requested recognition; the employer's "
            "refusal breaches the criterion, and the government took no enforcement action.",
        ),
        3: (
            [
                (
                    "About 120 inmates of the National Penitentiary System sew shirts for the "
                    "employer in prison workshops, paid far below the minimum wage.",
                    submissions.get("Report on prison workshops supplying the employer"),
                ),
                (
                    "The shirts are sold to Northfield Apparel Group, Inc., which the employer "
                    "supplies.",
                    transcript,
                ),
            ],
            "Goods produced with prison labor enter the supply chain of a private employer and "
            "its buyer. The declaration of compliance of 41 days after filing is contradicted "
            "by the record: the workshops still operated at the date of the hearing.",
        ),
    }
    for finding in decision.findings.select_related("allegation"):
        number = finding.allegation.number
        criteria = list(finding.allegation.criteria.all())
        for criterion in criteria:
            services.criterion_apply(
                finding=finding,
                criterion=criterion,
                analysis="The facts found meet every element of the criterion.",
                actor=SYSTEM,
            )
        facts, reasoning = texts.get(number, texts[1])
        for text, source in facts:
            services.fact_finding_add(
                finding=finding,
                text=text,
                source=source,
                source_label="" if source else "Testimony at the hearing",
                actor=SYSTEM,
            )
        services.finding_record(
            finding=finding,
            determination=AllegationFinding.Determination.VIOLATION,
            reasoning=reasoning,
            actor=SYSTEM,
        )
    # The sanctions the decision orders are the sanctions app's (hearings.hooks).
    hooks.demo_drafted(decision)
