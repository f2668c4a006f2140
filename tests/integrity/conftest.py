"""One specimen of every guarded record, built once per module through the real services
(an issued decision with its opinion, a draft one, clocks met, missed and closed, criteria with
versions and sources), inside a transaction rolled back at the end of the module: each test
runs in a savepoint of it."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django.test import TestCase, override_settings

from commission.actors import SYSTEM
from commission.models import (
    CaseEvent,
    Clock,
    ClockNotice,
    ConfidentialRead,
    CourtUser,
    Person,
    Sector,
    TradingPartner,
)
from criteria.models import Criterion, CriterionVersion, Source
from hearings.models import (
    AllegationFinding,
    CourtOrder,
    CriterionApplication,
    Decision,
    FactFinding,
    FindingCitation,
    Opinion,
)
from investigations import models as inv
from sanctions.models import (
    BenchmarkVerification,
    LiftDetermination,
    LiftHearing,
    LiftNotice,
    SanctionBenchmark,
    SanctionOrder,
    SanctionSpecification,
    SanctionWaiver,
)


@dataclasses.dataclass
class Specimen:
    """A row to attack, and for a rule on a value (a transition, a requirement) the value."""

    model: type
    pk: object
    value: object = dataclasses.field(default=None)

    def fresh(self):
        return self.model._base_manager.get(pk=self.pk)


def _investigation_rows(parties, criteria, case, draft_case) -> dict[str, object]:
    """One row of every guarded record of investigations, in the states their rules speak of
    (written as rows: the services and their clocks are tested in tests/investigations)."""
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from commission.models import InvestigativeTeam, Person, TeamMembership

    user = get_user_model().objects.order_by("pk").first()
    now = timezone.now()
    today = timezone.localdate()
    team = InvestigativeTeam.objects.create(name="Specimen team", country=parties.pe)
    person = Person.objects.create(full_name="Specimen Staff", country=parties.pe)
    membership = TeamMembership.objects.create(team=team, person=person, role="staff")
    common = {"team": team, "country": parties.pe, "title": "Specimen"}
    targeted = inv.Investigation.objects.create(
        number="I-SPEC-1", kind="targeted", complaint=case, trigger="staff_decision", **common
    )
    concluded = inv.Investigation.objects.create(
        number="I-SPEC-2",
        kind="agency_monitoring",
        trigger="monitoring_plan",
        status="concluded",
        concluded_at=now,
        **common,
    )
    visit = inv.SiteVisit.objects.create(
        investigation=targeted,
        place="Lima",
        visited_on=today,
        observations="Seen.",
        recorded_by=user,
    )
    interview = inv.Interview.objects.create(
        investigation=targeted,
        pseudonym="Worker 1",
        held_on=today,
        place_description="Union hall",
        interviewee_name="Name",
        statement="Statement.",
        recorded_by=user,
    )
    excerpt = inv.InterviewExcerpt.objects.create(
        interview=interview, text="Excerpt.", created_by=user
    )
    stored = inv.InterviewFile.objects.create(
        interview=interview,
        kind="audio",
        original_name="recording.mp3",
        mime_type="audio/mpeg",
        size=3,
        sha256="0" * 64,
        stored_as="investigations/interviews/00/specimen.bin",
        uploaded_by=user,
    )
    access = inv.ConfidentialAccess.objects.create(
        user=user, interview=interview, what="identity_and_statement", door="portal"
    )
    demand = {
        "investigation": targeted,
        "addressee": parties.employer,
        "instrument": "request",
        "scope": "wages",
        "description": "Payroll.",
        "days": 10,
        "issued_at": now,
        "recorded_by": user,
    }
    disclosed = inv.DisclosureDemand.objects.create(
        status="disclosed", disclosed_at=now, response_summary="Payroll.", **demand
    )
    penalized = inv.DisclosureDemand.objects.create(
        status="not_disclosed",
        penalty="Fine.",
        penalty_amount=Decimal("100"),
        penalty_currency="USD",
        **demand,
    )
    determination = inv.TeamDetermination.objects.create(
        investigation=targeted, question="Q", outcome="violation", decided_by=membership
    )
    position = inv.MemberPosition.objects.create(
        determination=determination, membership=membership, role="staff", position="violation"
    )
    finding = inv.Finding.objects.create(
        investigation=targeted,
        criterion_version=criteria.pregnancy_v2,
        result="violation",
        summary="Dismissals.",
        facts="Facts.",
        observed_on=today,
        drafted_by=user,
    )
    draft = inv.Finding.objects.create(
        investigation=targeted,
        criterion_version=criteria.pregnancy_v2,
        result="violation",
        summary="Draft.",
        facts="Facts.",
        observed_on=today,
        drafted_by=user,
    )
    finding.site_visits.add(visit)
    finding.excerpts.add(excerpt)
    finding.demands.add(disclosed)
    finding.status, finding.determination = "determined", determination
    finding.save(update_fields=["status", "determination"])
    order = {
        "investigation": targeted,
        "addressee": parties.employer,
        "text": "Reinstate.",
        "issued_at": now,
        "issued_by": user,
    }
    verified = inv.RemedialOrder.objects.create(
        status="verified_complied", verified_at=now, **order
    )
    failed = inv.RemedialOrder.objects.create(
        status="failed", failed_at=now, failure_reason="Missed.", complaint=draft_case, **order
    )
    verified.findings.add(finding)
    step = inv.RemedialStep.objects.create(order=verified, number=1, description="Do.", days=5)
    measure = inv.CapacityMeasure.objects.create(
        order=verified, recipient="employer", description="Training."
    )
    verification = inv.VerificationVisit.objects.create(
        order=verified,
        visited_on=today,
        basis="inspection",
        outcome="complied",
        observations="Reinstated.",
        recorded_by=user,
    )
    review = inv.CommissionReview.objects.create(
        finding=finding, outcome="upheld", reasons="Sound.", reviewed_by=user
    )
    mandate = inv.ProtocolMandate.objects.create(
        team=team,
        change="Interview at night.",
        reasons="Better.",
        effective_on=today,
        mandated_by=user,
    )

    def through(name: str, owner):
        model = type(owner)._meta.get_field(name).remote_field.through
        return model, model.objects.filter(**{type(owner)._meta.model_name: owner}).first()

    rows = {"finding": finding}
    for label, row in [
        ("TeamDetermination", determination),
        ("MemberPosition", position),
        ("SiteVisit", visit),
        ("Interview", interview),
        ("InterviewExcerpt", excerpt),
        ("InterviewFile", stored),
        ("ConfidentialAccess", access),
        ("RemedialStep", step),
        ("CapacityMeasure", measure),
        ("VerificationVisit", verification),
        ("CommissionReview", review),
        ("ProtocolMandate", mandate),
    ]:
        rows[f"investigations.{label}"] = {"locked": Specimen(type(row), row.pk)}
    for name in ("site_visits", "excerpts", "demands"):
        model, row = through(name, finding)
        rows[f"investigations.Finding_{name}"] = {"locked": Specimen(model, row.pk)}
    model, row = through("findings", verified)
    rows["investigations.RemedialOrder_findings"] = {"locked": Specimen(model, row.pk)}
    rows["investigations.Investigation"] = {
        "locked": Specimen(inv.Investigation, concluded.pk),
        "transition": Specimen(inv.Investigation, concluded.pk, "open"),
        "concluded_at": Specimen(inv.Investigation, concluded.pk),
    }
    rows["investigations.DisclosureDemand"] = {
        "locked": Specimen(inv.DisclosureDemand, disclosed.pk),
        "transition": Specimen(inv.DisclosureDemand, disclosed.pk, "issued"),
        "disclosed_at": Specimen(inv.DisclosureDemand, disclosed.pk),
        "penalty_amount": Specimen(inv.DisclosureDemand, penalized.pk),
    }
    rows["investigations.Finding"] = {
        "locked": Specimen(inv.Finding, finding.pk),
        # a draft moves only to determined (a determined one is frozen whole)
        "transition": Specimen(inv.Finding, draft.pk, "withdrawn"),
    }
    rows["investigations.RemedialOrder"] = {
        "locked": Specimen(inv.RemedialOrder, failed.pk),
        "transition": Specimen(inv.RemedialOrder, failed.pk, "open"),
        "verified_at": Specimen(inv.RemedialOrder, verified.pk),
        "failed_at": Specimen(inv.RemedialOrder, failed.pk),
        "complaint_id": Specimen(inv.RemedialOrder, failed.pk),
    }
    return rows


def _build(tmp_path) -> dict[str, object]:
    from config.celery import app
    from hearings import services
    from tests.factories import hearings as f

    app.conf.task_always_eager = True
    with time_machine.travel(f.FILED_AT - dt.timedelta(days=1), tick=False) as traveller:
        parties = f.parties_create()
        members = f.members_create(parties)
        criteria = f.criteria_create()
        traveller.move_to(f.FILED_AT + dt.timedelta(minutes=5))
        issued_case = f.complaint_file(parties, criteria)
        draft_case = f.complaint_file(parties, criteria, language="es")
        traveller.move_to(f.day(3))
        f.panel_seat(members, issued_case)
        f.panel_seat(members, draft_case)
        traveller.move_to(f.day(20))
        hearing = f.hearing_schedule(issued_case)
        draft_hearing = f.hearing_schedule(draft_case, when=f.day(51, 9))
        traveller.move_to(f.day(52, 15))
        services.hearing_record_held(hearing=hearing, held_at=f.day(50, 9), actor=SYSTEM)
        services.hearing_record_held(hearing=draft_hearing, held_at=f.day(51, 9), actor=SYSTEM)
        traveller.move_to(f.day(70))
        decision = services.decision_open(case=issued_case, actor=SYSTEM)
        draft = services.decision_open(case=draft_case, actor=SYSTEM)
        f.findings_complete(decision, criteria)
        f.sanctions_complete(decision, parties)
        investigation_rows = _investigation_rows(parties, criteria, issued_case, draft_case)
        citation = FindingCitation.objects.create(
            decision=decision,
            finding=investigation_rows.pop("finding"),
            position=1,
            reliance="The dismissals measured by the team.",
        )
        traveller.move_to(f.day(85, 11))
        with TestCase.captureOnCommitCallbacks(execute=True):
            services.decision_issue(decision=decision, actor=SYSTEM)
        decision.refresh_from_db()
        assert decision.status == Decision.Status.ISSUED

        # Clocks in every state a rule speaks of, as rows (a copy of a real clock's arithmetic).
        model = Clock.objects.filter(subject_id=str(issued_case.pk), kind="hearing_by").get()
        event = CaseEvent.objects.for_subject(issued_case).first()
        arithmetic = {name: getattr(model, name) for name in Clock.IMMUTABLE_FIELDS}
        arithmetic = {
            (Clock._meta.get_field(k).attname): getattr(model, Clock._meta.get_field(k).attname)
            for k in arithmetic
        }

        def clock(subject: str, **state) -> Clock:
            return Clock.objects.create(**{**arithmetic, "subject_id": subject, **state})

        pending = clock("specimen-pending", next_action_at=model.due_at)
        met = clock("specimen-met", status="met", met_at=model.trigger_at, met_by_event=event)
        missed = clock(
            "specimen-missed",
            status="missed",
            missed_at=model.due_at,
            miss_recorded_at=model.due_at,
            completed_at=model.due_at + dt.timedelta(days=3),
            completed_by_event=event,
            days_overdue=3,
        )
        closed = clock(
            "specimen-closed", kind="public_notice", status="closed", closed_at=model.due_at
        )
        notice = ClockNotice.objects.create(
            clock=pending, kind="reminder", offset=5, scheduled_at=model.trigger_at
        )

    # A court's order on the issued case, and a read of confidential data (the read of the
    # interview specimen is mirrored into the commission's log).
    court_user = CourtUser.objects.create(
        person=Person.objects.create(full_name="Specimen clerk"), court="Specimen court"
    )
    court_order = CourtOrder.objects.create(
        case=issued_case,
        court_user=court_user,
        court=court_user.court,
        court_case_number="SC-1",
        kind="disclose_confidential",
        order_date=dt.date(2026, 1, 1),
        text="Produce the record.",
    )
    confidential_read = ConfidentialRead.objects.filter(what="interview").get()

    version = criteria.pregnancy_v2
    version.countries.add(TradingPartner.objects.first())
    version.sectors.add(Sector.objects.first())
    source = Source.objects.create(version=version, kind="international_law", instrument="C183")
    finding = AllegationFinding.objects.filter(decision=decision).first()
    sanction = SanctionSpecification.objects.filter(decision=decision).first()
    through = CriterionVersion._meta.get_field("countries").remote_field.through
    sectors = CriterionVersion._meta.get_field("sectors").remote_field.through
    answers = SanctionSpecification._meta.get_field("findings").remote_field.through
    superseded = criteria.pregnancy  # ended by its successor: its reach takes no new row
    assert superseded.effective_until is not None
    country_row = through.objects.get(criterionversion=version)
    sector_row = sectors.objects.get(criterionversion=version)

    def closed_reach(model, row):
        # a row of a version still in force, written for the superseded one
        return Specimen(model, row.pk, {"criterionversion_id": superseded.pk})

    return {
        # the row each rule of a model is tried on ("locked": frozen fields and deletes; "insert",
        # or else "locked": the row copied, with the columns in `value` changed, as a new row)
        "commission.CaseEvent": {"locked": Specimen(CaseEvent, event.pk)},
        "commission.Clock": {
            "locked": Specimen(Clock, missed.pk),
            "transition": Specimen(Clock, missed.pk, "met"),
            "met_at": Specimen(Clock, met.pk),
            "met_by_event_id": Specimen(Clock, met.pk),
            "missed_at": Specimen(Clock, missed.pk),
            "miss_recorded_at": Specimen(Clock, missed.pk),
            "completed_at": Specimen(Clock, missed.pk),
            "completed_by_event_id": Specimen(Clock, missed.pk),
            "closed_at": Specimen(Clock, closed.pk),
            "next_action_at": Specimen(Clock, pending.pk, None),
        },
        "commission.ClockNotice": {"locked": Specimen(ClockNotice, notice.pk)},
        "commission.ConfidentialRead": {"locked": Specimen(ConfidentialRead, confidential_read.pk)},
        "hearings.CourtOrder": {"locked": Specimen(CourtOrder, court_order.pk)},
        "complaints.Case": {
            "locked": Specimen(type(issued_case), issued_case.pk),
            "transition": Specimen(type(issued_case), issued_case.pk, "filed"),
            "issued_decision": Specimen(type(draft_case), draft_case.pk, "decided"),
            # a new case written already decided (a copy of the draft one)
            "insert": Specimen(type(draft_case), draft_case.pk, {"status": "decided"}),
        },
        "criteria.Criterion": {"locked": Specimen(Criterion, version.criterion_id)},
        "criteria.CriterionVersion": {
            "locked": Specimen(CriterionVersion, version.pk),
            "effective_until": Specimen(CriterionVersion, criteria.pregnancy.pk),
            "next_version": Specimen(CriterionVersion, version.pk, dt.date(2027, 1, 1)),
        },
        "criteria.CriterionVersion_countries": {
            "locked": Specimen(through, country_row.pk),
            "insert": closed_reach(through, country_row),
        },
        "criteria.CriterionVersion_sectors": {
            "locked": Specimen(sectors, sector_row.pk),
            "insert": closed_reach(sectors, sector_row),
        },
        "criteria.Source": {"locked": Specimen(Source, source.pk)},
        "hearings.Decision": {
            "locked": Specimen(Decision, decision.pk),
            "transition": Specimen(Decision, draft.pk, "issued"),
        },
        "hearings.AllegationFinding": {
            "locked": Specimen(AllegationFinding, finding.pk),
        },
        "hearings.FactFinding": {
            "locked": Specimen(FactFinding, FactFinding.objects.filter(finding=finding).first().pk),
        },
        "hearings.CriterionApplication": {
            "locked": Specimen(
                CriterionApplication,
                CriterionApplication.objects.filter(finding=finding).first().pk,
            ),
        },
        "sanctions.SanctionSpecification": {"locked": Specimen(SanctionSpecification, sanction.pk)},
        "sanctions.SanctionSpecification_findings": {
            "locked": Specimen(
                answers, answers.objects.filter(sanctionspecification=sanction).first().pk
            ),
        },
        "sanctions.SanctionBenchmark": {
            "locked": Specimen(
                SanctionBenchmark, SanctionBenchmark.objects.filter(sanction=sanction).first().pk
            ),
        },
        "hearings.Opinion": {
            "locked": Specimen(Opinion, Opinion.objects.get(decision=decision).pk)
        },
        "hearings.FindingCitation": {"locked": Specimen(FindingCitation, citation.pk)},
        **investigation_rows,
        **_sanction_specimens(sanction),
    }


def _sanction_specimens(sanction) -> dict:
    """A sanction in force (put in force by the decision's issue) and one row of each record
    of its life, written as rows (the guards refuse changes, not these inserts)."""
    from commission.models import InvestigativeTeam

    order = SanctionOrder.objects.get(specification=sanction)
    benchmark = SanctionBenchmark.objects.filter(sanction=sanction).first()
    team, _created = InvestigativeTeam.objects.get_or_create(
        name="Specimen team", defaults={"country": TradingPartner.objects.first()}
    )
    at = order.in_force_from
    verification = BenchmarkVerification.objects.create(
        benchmark=benchmark,
        team=team,
        measured_value=100,
        measured_on=at.date(),
        method_applied="Audit",
        met=True,
        submitted_at=at,
    )
    notice = LiftNotice.objects.create(
        order=order,
        benchmark=benchmark,
        published_at=at,
        hearing_at=at + dt.timedelta(days=15),
        location="Lima",
        text="Notice",
    )
    hearing = LiftHearing.objects.create(notice=notice, held_at=notice.hearing_at, record="Record")
    determination = LiftDetermination.objects.create(
        order=order,
        hearing=hearing,
        benchmark=benchmark,
        reasoning="Reasons",
        reduction=1,
        magnitude_after=order.magnitude - 1,
        determined_at=notice.hearing_at,
        pdf="sanctions/determinations/specimen.pdf",
        sha256="0" * 64,
    )
    waiver = SanctionWaiver.objects.create(
        order=order,
        national_security_grounds="Grounds",
        house_vote="H",
        senate_vote="S",
        president_signature="P",
        recorded_at=at,
    )
    return {
        "sanctions.SanctionOrder": {"locked": Specimen(SanctionOrder, order.pk)},
        "sanctions.BenchmarkVerification": {
            "locked": Specimen(BenchmarkVerification, verification.pk)
        },
        "sanctions.LiftNotice": {"locked": Specimen(LiftNotice, notice.pk)},
        "sanctions.LiftHearing": {"locked": Specimen(LiftHearing, hearing.pk)},
        "sanctions.LiftDetermination": {"locked": Specimen(LiftDetermination, determination.pk)},
        "sanctions.SanctionWaiver": {"locked": Specimen(SanctionWaiver, waiver.pk)},
    }


@pytest.fixture(scope="module")
def specimens(django_db_setup, django_db_blocker, tmp_path_factory):
    from config.celery import app

    eager = app.conf.task_always_eager
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=str(media),
            OPINION_SIGNING_DEMO_DIR="",
            OPINION_SIGNING_KEY_FILE="",
            OPINION_SIGNING_CERT_FILE="",
            HEARINGS_NOTICE_DAYS=10,
            HEARINGS_WRITTEN_ARGUMENTS_DAYS=14,
            HEARINGS_DECISION_ADOPTION="panel",
        ),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build(media)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            app.conf.task_always_eager = eager
