"""Hearings of a complaints case, its reasoned outcomes, petitions, court review, court
orders and compliance statements."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commission import audit
from commission.actors import Actor, actor_require, actor_user
from commission.models import (
    CaseEvent,
    Organization,
)
from commission.services import case_event_record, clock_meet

from ..models import (
    GROUND_FIELDS,
    Case,
    ComplianceStatement,
    CourtReview,
)
from ._common import (
    PERM_COURT,
    PERM_OUTCOME,
    AllegationInput,
    ComplainantInput,
    FilingInput,
    RespondentInput,
    _lock,
    _required_text,
    _transition,
)
from .filing import case_file
from .notices import _refresh

logger = logging.getLogger(__name__)


def case_hearing_schedule(*, case: Case, scheduled_for: dt.datetime, actor: Actor) -> Case:
    """Record the date of the hearing (the hearings app calls this). The date may fall after
    the 60-day deadline — the clock will then be missed and published, never moved."""
    # The hearings app schedules and records hearings as the commission, after its own check.
    actor_require(actor, PERM_OUTCOME, system_allowed=True)
    if timezone.is_naive(scheduled_for):
        raise ValidationError(_("The hearing time must carry its time zone."))
    with transaction.atomic():
        locked = _lock(case)
        if scheduled_for < locked.received_at:
            raise ValidationError(_("A hearing cannot precede the filing."))
        previous = locked.hearing_scheduled_for
        locked.hearing_scheduled_for = scheduled_for
        data = {"scheduled_for": scheduled_for.isoformat()}
        if locked.status == Case.Status.HEARING_SCHEDULED:
            locked.save(update_fields=["hearing_scheduled_for"])
            data["previously"] = previous.isoformat() if previous else ""
            case_event_record(
                subject=locked, verb="hearing_rescheduled", actor=actor, data=data, is_public=True
            )
        else:
            _transition(
                case=locked,
                to_status=Case.Status.HEARING_SCHEDULED,
                actor=actor,
                verb="hearing_scheduled",
                data=data,
                extra_fields=["hearing_scheduled_for"],
            )
    _refresh(case, locked)
    return case


def case_hearing_record_held(*, case: Case, held_at: dt.datetime, actor: Actor) -> Case:
    """Record that the hearing was held; meets (or completes late) the hearing-by clock."""
    # The hearings app schedules and records hearings as the commission, after its own check.
    actor_require(actor, PERM_OUTCOME, system_allowed=True)
    if held_at > timezone.now():
        raise ValidationError(_("A hearing cannot be recorded as held in the future."))
    with transaction.atomic():
        locked = _lock(case)
        if held_at < locked.received_at:
            raise ValidationError(_("A hearing cannot precede the filing."))
        locked.hearing_held_at = held_at
        event = _transition(
            case=locked,
            to_status=Case.Status.HEARD,
            actor=actor,
            verb="hearing_held",
            data={"held_at": held_at.isoformat()},
            extra_fields=["hearing_held_at"],
            at=held_at,
        )
        clock_meet(subject=locked, kind="hearing_by", at=held_at, event=event, actor=actor)
    _refresh(case, locked)
    return case


def _record_outcome(
    *,
    case: Case,
    to_status: str,
    verb: str,
    reasoning: str,
    actor: Actor,
    reference: str = "",
    at: dt.datetime | None = None,
    data: dict[str, Any] | None = None,
) -> tuple[Case, CaseEvent]:
    reasoning = _required_text(
        reasoning, _("Every outcome comes with its reasons: write the reasoning.")
    )
    at = at or timezone.now()
    if at > timezone.now():
        raise ValidationError(_("An outcome cannot be recorded in the future."))
    locked = _lock(case)
    locked.outcome_at = at
    locked.outcome_reasoning = reasoning
    locked.outcome_reference = reference.strip()[:120]
    event = _transition(
        case=locked,
        to_status=to_status,
        actor=actor,
        verb=verb,
        reason=reasoning,
        data={**(data or {}), "reference": locked.outcome_reference},
        extra_fields=["outcome_at", "outcome_reasoning", "outcome_reference"],
        at=at,
    )
    clock_meet(subject=locked, kind="decision_by", at=at, event=event, actor=actor)
    return locked, event


def complaint_decide(
    *,
    complaint: Case,
    reasoning: str,
    actor: Actor,
    reference: str = "",
    decided_at: dt.datetime | None = None,
) -> Case:
    """The panel's reasoned decision: the only way a complaint ends."""
    actor_require(actor, PERM_OUTCOME, system_allowed=True)
    if not complaint.is_complaint:
        raise ValidationError(_("Only a complaint is decided by a panel."))
    with transaction.atomic():
        locked, _event = _record_outcome(
            case=complaint,
            to_status=Case.Status.DECIDED,
            verb="decided",
            reasoning=reasoning,
            actor=actor,
            reference=reference,
            at=decided_at,
        )
    _refresh(complaint, locked)
    return complaint


def petition_deny(
    *,
    petition: Case,
    reasoning: str,
    actor: Actor,
    reference: str = "",
    denied_at: dt.datetime | None = None,
) -> Case:
    """Deny a petition with a reasoned opinion (the findings in detail and why they do not
    breach the criteria). Only after the hearing. A denial is dated when it is recorded; only
    a legacy import (`audit.legacy_import()`) records the date of a past one."""
    actor_require(actor, PERM_OUTCOME, system_allowed=True)
    if not petition.is_petition:
        raise ValidationError(_("Only a petition is denied."))
    if denied_at is not None and not audit.importing():
        raise ValidationError(_("A denial is dated when it is recorded."))
    with transaction.atomic():
        if _lock(petition).status != Case.Status.HEARD:
            raise ValidationError(
                _("A petition is denied only after its hearing, with a reasoned opinion."),
                code="transition_refused",
            )
        locked, _event = _record_outcome(
            case=petition,
            to_status=Case.Status.DENIED,
            verb="petition_denied",
            reasoning=reasoning,
            actor=actor,
            reference=reference,
            at=denied_at,
        )
    _refresh(petition, locked)
    return petition


def petition_file_complaint(
    *,
    petition: Case,
    complainant: Organization,
    reasoning: str,
    actor: Actor,
    court_review: CourtReview | None = None,
) -> Case:
    """The commission files the complaint a petition asks for: a new complaint, linked to the
    petition, with the petition's respondents and allegations, whose own clocks start at this
    filing. Under a court order (`court_review`) the same happens, through the order."""
    actor_require(actor, PERM_COURT if court_review else PERM_OUTCOME, system_allowed=True)
    if not petition.is_petition:
        raise ValidationError(_("Only a petition leads to a complaint filed by the commission."))
    if complainant.kind != Organization.Kind.GOVERNMENT:
        raise ValidationError(_("The complaint is filed in the name of a government."))
    with transaction.atomic():
        source = _lock(petition)
        filing = FilingInput(
            kind=Case.Kind.COMPLAINT,
            language=source.language,
            complainants=[ComplainantInput(kind="organization", organization=complainant)],
            respondents=[
                RespondentInput(
                    kind=r.kind,
                    organization=r.organization,
                    sector=r.sector,
                    name_given=r.name_given,
                    country=r.country,
                )
                for r in source.respondents.select_related("organization", "sector", "country")
            ],
            allegations=[
                AllegationInput(
                    summary=a.summary,
                    facts=a.facts,
                    period_start=a.period_start,
                    period_end=a.period_end,
                    place=a.place,
                    workers_affected=a.workers_affected,
                    criteria=list(a.criteria.all()),
                    proposed_standard=a.proposed_standard,
                )
                for a in source.allegations.prefetch_related("criteria")
            ],
            remedies_sought=source.remedies_sought,
        )
        channel = Case.Channel.COURT_ORDER if court_review else Case.Channel.COMMISSION
        complaint, _code = case_file(
            filing=filing,
            actor=actor,
            received_via=channel,
            originating_petition=source,
        )
        data = {
            "complaint": complaint.docket_number,
            "court_review": court_review.pk if court_review else None,
        }
        if court_review is None and source.outcome_at is None:
            locked, _event = _record_outcome(
                case=source,
                to_status=Case.Status.COMPLAINT_FILED,
                verb="petition_complaint_filed",
                reasoning=reasoning,
                actor=actor,
                reference=complaint.docket_number,
                at=complaint.received_at,
                data=data,
            )
        else:
            # After a denial (under court review, or by the court's order) the denial stays
            # on record with its reasons and date, and its clock stays met by it.
            locked = source
            _transition(
                case=locked,
                to_status=Case.Status.COMPLAINT_FILED,
                actor=actor,
                verb="petition_complaint_filed",
                reason=_required_text(reasoning, _("Say why the complaint is filed.")),
                data=data,
                at=complaint.received_at,
            )
    _refresh(petition, locked)
    return complaint


def court_review_file(
    *,
    petition: Case,
    court: str,
    court_case_number: str,
    grounds: Iterable[str],
    filed_on: dt.date,
    actor: Actor,
) -> CourtReview:
    """Record the petitioners' action in court against a denial, on one or more of the three
    grounds: the record does not support the findings, the criteria were misapplied, the
    criteria are not the most worker-protective."""
    actor_require(actor, PERM_COURT)
    grounds = set(grounds)
    if not grounds or not grounds <= set(GROUND_FIELDS):
        raise ValidationError(_("Name at least one of the three grounds of review."))
    court = _required_text(court, _("Name the court."))
    court_case_number = _required_text(court_case_number, _("Give the court's case number."))
    if filed_on > timezone.localdate():
        raise ValidationError(_("An action cannot be recorded as filed in the future."))
    with transaction.atomic():
        locked = _lock(petition)
        if not locked.is_petition:
            raise ValidationError(_("Only the denial of a petition is reviewed in court here."))
        if locked.outcome_at and filed_on < timezone.localtime(locked.outcome_at).date():
            raise ValidationError(_("The action cannot precede the denial."))
        review = CourtReview.objects.create(
            petition=locked,
            court=court,
            court_case_number=court_case_number,
            filed_on=filed_on,
            recorded_by=actor_user(actor),
            **{name: name in grounds for name in GROUND_FIELDS},
        )
        _transition(
            case=locked,
            to_status=Case.Status.UNDER_COURT_REVIEW,
            actor=actor,
            verb="court_review_filed",
            data={
                "court": court,
                "court_case_number": court_case_number,
                "grounds": sorted(grounds),
                "filed_on": filed_on.isoformat(),
            },
        )
    _refresh(petition, locked)
    return review


def court_order_record(
    *,
    review: CourtReview,
    order: str,
    order_date: dt.date,
    order_text: str,
    actor: Actor,
    complainant: Organization | None = None,
) -> CourtReview:
    """Record the court's order. An order compelling the filing files the linked complaint
    (in the name of `complainant`, a government); an order upholding the denial returns the
    petition to "denied"."""
    actor_require(actor, PERM_COURT)
    order_text = _required_text(order_text, _("Record what the court ordered."))
    if order not in {CourtReview.Order.COMPEL_FILING, CourtReview.Order.UPHOLD_DENIAL}:
        raise ValidationError(_("Unknown order."))
    if order_date > timezone.localdate():
        raise ValidationError(_("An order cannot be dated in the future."))
    with transaction.atomic():
        locked_review = CourtReview.objects.select_for_update().get(pk=review.pk)
        if locked_review.order != CourtReview.Order.PENDING:
            raise ValidationError(_("The court's order in this action is already recorded."))
        if order_date < locked_review.filed_on:
            raise ValidationError(_("The order cannot precede the action."))
        petition = _lock(locked_review.petition)
        if petition.status != Case.Status.UNDER_COURT_REVIEW:
            raise ValidationError(_("The petition is not under court review."))
        locked_review.order = order
        locked_review.order_date = order_date
        locked_review.order_text = order_text
        locked_review.save(update_fields=["order", "order_date", "order_text"])
        if order == CourtReview.Order.COMPEL_FILING:
            if complainant is None:
                raise ValidationError(
                    _("Name the government in whose name the complaint is filed.")
                )
            complaint = petition_file_complaint(
                petition=petition,
                complainant=complainant,
                reasoning=_("Filed as ordered by %(court)s in case %(number)s.")
                % {"court": locked_review.court, "number": locked_review.court_case_number},
                actor=actor,
                court_review=locked_review,
            )
            locked_review.complaint = complaint
            locked_review.save(update_fields=["complaint"])
        else:
            _transition(
                case=petition,
                to_status=Case.Status.DENIED,
                actor=actor,
                verb="court_upheld_denial",
                reason=order_text[:500],
                data={"court_review": locked_review.pk},
            )
    review.refresh_from_db()
    return review


# --- statements that never end a case -----------------------------------------------------


def compliance_statement_record(
    *,
    case: Case,
    government: Organization,
    statement: str,
    received_at: dt.datetime,
    actor: Actor,
) -> ComplianceStatement:
    """Record a complaining government's statement that the respondent now complies. It goes
    on the record and the case continues: the panel still convenes and rules."""
    actor_require(actor, PERM_OUTCOME)
    statement = _required_text(statement, _("Record the statement's text."))
    if government.kind != Organization.Kind.GOVERNMENT:
        raise ValidationError(_("Only a government makes this statement."))
    if received_at > timezone.now():
        raise ValidationError(_("A statement cannot be recorded as received in the future."))
    with transaction.atomic():
        locked = _lock(case)
        row = ComplianceStatement.objects.create(
            case=locked,
            government=government,
            statement=statement,
            received_at=received_at,
            recorded_by=actor_user(actor),
        )
        case_event_record(
            subject=locked,
            verb="compliance_statement_recorded",
            actor=actor,
            reason=_("Recorded; the case continues to a reasoned decision."),
            data={"statement": row.pk, "government": government.name},
            is_public=True,
            occurred_at=received_at,
        )
    return row
