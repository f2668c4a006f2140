"""Disclosure demands: issuing a demand to an employer or an agency (on the commission's
clock), recording the disclosure and the penalty for a refusal.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commission.actors import Actor
from commission.models import (
    Clock,
    Organization,
)
from commission.services import clock_meet, clock_start

from ..models import (
    DisclosureDemand,
    Investigation,
)
from ._common import (
    DISCLOSURE_LEGAL_BASIS,
    DISCLOSURE_LEGAL_SOURCE,
    _event,
    _lock,
    _recorder,
    _require_member,
    _require_team_staff,
    _text,
    _transition,
)
from .opening import _require_open

# --- disclosure demands ------------------------------------------------------------------

EMPLOYER_SCOPES = {
    DisclosureDemand.Scope.WAGES,
    DisclosureDemand.Scope.CONDITIONS,
    DisclosureDemand.Scope.COMPLIANCE_SYSTEMS,
    DisclosureDemand.Scope.AFFILIATES_SUPPLIERS,
}
AGENCY_SCOPES = {
    DisclosureDemand.Scope.BUDGETS,
    DisclosureDemand.Scope.STAFF,
    DisclosureDemand.Scope.PROCEDURES,
    DisclosureDemand.Scope.ACTIONS,
}


def demand_issue(
    *,
    investigation: Investigation,
    addressee: Organization,
    instrument: str,
    scope: str,
    description: str,
    days: int,
    issued_at: dt.datetime | None = None,
    actor: Actor,
) -> DisclosureDemand:
    """Issue a document request, subpoena or disclosure demand; its due date is a clock."""
    _require_member(actor, investigation)
    _require_open(investigation)
    if instrument not in DisclosureDemand.Instrument.values:
        raise ValidationError(_("Unknown instrument."))
    K = Organization.Kind
    if scope in AGENCY_SCOPES:
        if addressee.kind not in {K.GOVERNMENT_AGENCY, K.GOVERNMENT}:
            raise ValidationError(
                _("Budgets, staff, procedures and actions are asked of agencies.")
            )
    elif scope in EMPLOYER_SCOPES:
        if addressee.kind not in {K.EMPLOYER, K.GLOBAL_CORPORATION}:
            raise ValidationError(_("This disclosure is demanded of employers and corporations."))
        if scope == DisclosureDemand.Scope.AFFILIATES_SUPPLIERS and addressee.kind != (
            K.GLOBAL_CORPORATION
        ):
            raise ValidationError(
                _("Affiliates and suppliers are disclosed by the global corporation.")
            )
    else:
        raise ValidationError(_("Say what is demanded."))
    if days < 1:
        raise ValidationError(_("Give at least one day to comply."))
    issued_at = issued_at or timezone.now()
    if issued_at > timezone.now():
        raise ValidationError(_("A demand cannot be issued in the future."))
    with transaction.atomic():
        demand = DisclosureDemand.objects.create(
            investigation=investigation,
            addressee=addressee,
            instrument=instrument,
            scope=scope,
            description=_text(description, _("Say which documents and information are due.")),
            days=days,
            issued_at=issued_at,
            recorded_by=_recorder(actor),
        )
        clock_start(
            subject=demand,
            kind=Clock.Kind.DISCLOSURE_DUE,
            trigger_at=issued_at,
            days=days,
            legal_basis=DISCLOSURE_LEGAL_BASIS,
            legal_source=DISCLOSURE_LEGAL_SOURCE,
            trigger_event="disclosure_demanded",
            actor=actor,
        )
        _event(
            investigation,
            "demand_issued",
            actor,
            to_status=demand.status,
            data={"demand": demand.pk, "instrument": instrument, "scope": scope, "days": days},
        )
    return demand


def demand_record_disclosure(
    *, demand: DisclosureDemand, summary: str, disclosed_at: dt.datetime, actor: Actor
) -> DisclosureDemand:
    """Record what was disclosed, and when; meets the clock (or completes it late)."""
    _require_member(actor, demand.investigation)
    if disclosed_at > timezone.now():
        raise ValidationError(_("A disclosure cannot be recorded in the future."))
    with transaction.atomic():
        locked = _lock(DisclosureDemand, demand.pk)
        if disclosed_at < locked.issued_at:
            raise ValidationError(_("A disclosure cannot precede the demand."))
        previous = _transition(locked, DisclosureDemand.Status.DISCLOSED)
        locked.disclosed_at = disclosed_at
        locked.response_summary = _text(summary, _("Summarise what was disclosed."))
        locked.save(update_fields=["status", "disclosed_at", "response_summary"])
        event = _event(
            locked.investigation,
            "demand_disclosed",
            actor,
            from_status=previous,
            to_status=locked.status,
            data={"demand": locked.pk},
        )
        clock_meet(
            subject=locked,
            kind=Clock.Kind.DISCLOSURE_DUE,
            at=disclosed_at,
            event=event,
            actor=actor,
        )
    return locked


def demand_record_penalty(
    *,
    demand: DisclosureDemand,
    penalty: str,
    amount: Decimal | None = None,
    currency: str = "",
    actor: Actor,
) -> DisclosureDemand:
    """Record non-disclosure and its penalty: only once the due date has passed."""
    _require_team_staff(actor, demand.investigation)
    with transaction.atomic():
        locked = _lock(DisclosureDemand, demand.pk)
        clock = Clock.objects.get(
            subject_type__model="disclosuredemand",
            subject_type__app_label="investigations",
            subject_id=str(locked.pk),
            kind=Clock.Kind.DISCLOSURE_DUE,
        )
        if clock.due_at > timezone.now():
            raise ValidationError(
                _("Non-disclosure is recorded after the due date (%(day)s).")
                % {"day": clock.last_day.isoformat()}
            )
        previous = _transition(locked, DisclosureDemand.Status.NOT_DISCLOSED)
        locked.penalty = _text(penalty, _("Record the penalty for non-disclosure."))
        locked.penalty_amount = amount
        locked.penalty_currency = currency.strip().upper()[:3]
        locked.save(update_fields=["status", "penalty", "penalty_amount", "penalty_currency"])
        _event(
            locked.investigation,
            "demand_penalized",
            actor,
            from_status=previous,
            to_status=locked.status,
            reason=locked.penalty,
            data={"demand": locked.pk, "amount": str(amount) if amount is not None else ""},
        )
    return locked
