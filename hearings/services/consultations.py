"""Government consultations: recording a consultation of a government on a case."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commission.actors import Actor
from commission.models import (
    Clock,
    Organization,
)
from commission.services import case_event_record
from complaints import services as complaints_services
from complaints.models import Case

from ..models import (
    GovernmentConsultation,
)
from ._common import PERM_RECORD, _case_clock, _local_date, _require_perm, _text, _user


def consultation_record(
    *,
    case: Case,
    requesting_government: Organization,
    responding_government: Organization,
    held_on: dt.date,
    summary: str,
    outcome: str,
    compliance_statement_text: str = "",
    actor: Actor,
) -> GovernmentConsultation:
    """Record a consultation between the governments. Consultations run inside the 60 days
    (a later date is refused). A declaration of compliance by the complaining government is
    recorded through the complaints service — and the hearing still takes place: no service
    cancels it."""
    _require_perm(actor, PERM_RECORD)
    summary = _text(summary, _("Summarize the consultation."))
    if outcome not in GovernmentConsultation.Outcome.values:
        raise ValidationError(_("Choose the outcome."))
    for gov in (requesting_government, responding_government):
        if gov.kind != Organization.Kind.GOVERNMENT:
            raise ValidationError(_("Consultations are between governments."))
    if requesting_government.pk == responding_government.pk:
        raise ValidationError(_("Consultations are between two governments."))
    if held_on > timezone.localdate():
        raise ValidationError(_("A consultation is recorded once held."))
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        clock = _case_clock(locked, Clock.Kind.HEARING_BY)
        if clock is None:
            raise ValidationError(_("This case has no hearing-by clock."))
        if held_on > clock.last_day or held_on < _local_date(locked.received_at):
            raise ValidationError(
                _("Consultations run inside the 60 days: from %(start)s to %(end)s.")
                % {
                    "start": _local_date(locked.received_at).isoformat(),
                    "end": clock.last_day.isoformat(),
                }
            )
        statement = None
        if outcome == GovernmentConsultation.Outcome.COMPLIANCE_DECLARED:
            text = _text(
                compliance_statement_text, _("Record the text of the declaration of compliance.")
            )
            received = dt.datetime.combine(
                held_on, dt.time(12), tzinfo=timezone.get_default_timezone()
            )
            statement = complaints_services.compliance_statement_record(
                case=locked,
                government=requesting_government,
                statement=text,
                received_at=min(received, timezone.now()),
                actor=actor,
            )
        consultation = GovernmentConsultation.objects.create(
            case=locked,
            requesting_government=requesting_government,
            responding_government=responding_government,
            held_on=held_on,
            summary=summary,
            outcome=outcome,
            compliance_statement=statement,
            recorded_by=_user(actor),
        )
        case_event_record(
            subject=locked,
            verb="consultation_recorded",
            actor=_user(actor),
            data={"consultation": consultation.pk, "outcome": outcome},
            reason=_("The hearing still takes place and the panel rules.")
            if statement is not None
            else "",
            is_public=True,
        )
    return consultation
