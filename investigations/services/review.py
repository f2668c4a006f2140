"""Commission review and fora: recording the commission's review, mandating a protocol and
issuing a member's token.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from commission.actors import Actor
from commission.models import (
    InvestigativeTeam,
    TeamMembership,
)
from commission.services import case_event_record

from ..models import (
    CommissionReview,
    Finding,
    ProtocolMandate,
    RemedialOrder,
)
from ._common import (
    PERM_MANDATE,
    PERM_REVIEW,
    PERM_TEAMS,
    _event,
    _recorder,
    _require_actor,
    _require_perm,
    _text,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# --- commission review and fora ----------------------------------------------------------


def review_record(
    *,
    outcome: str,
    reasons: str,
    finding: Finding | None = None,
    order: RemedialOrder | None = None,
    actor: Actor,
) -> CommissionReview:
    """The commission reviews a determined finding or an order; the review and its reasons
    are recorded (they change neither: a remand asks the team to investigate further)."""
    _require_perm(actor, PERM_REVIEW)
    if (finding is None) == (order is None):
        raise ValidationError(_("Review a finding or an order."))
    if outcome not in CommissionReview.Outcome.values:
        raise ValidationError(_("Choose the outcome of the review."))
    if finding is not None and finding.status != Finding.Status.DETERMINED:
        raise ValidationError(_("Only a determined finding is reviewed."))
    reasons = _text(reasons, _("Give the reasons of the review."))
    reviewed = finding if finding is not None else order
    if reviewed is None:  # refused above; for the type checker
        raise ValidationError(_("Review a finding or an order."))
    investigation = reviewed.investigation
    with transaction.atomic():
        review = CommissionReview.objects.create(
            finding=finding,
            order=order,
            outcome=outcome,
            reasons=reasons,
            reviewed_by=_recorder(actor),
        )
        _event(
            investigation,
            "commission_review",
            actor,
            reason=reasons,
            data={
                "review": review.pk,
                "outcome": outcome,
                "finding": finding.pk if finding else None,
                "order": order.pk if order else None,
            },
        )
    return review


def protocol_mandate(
    *,
    team: InvestigativeTeam,
    change: str,
    reasons: str,
    effective_on: dt.date,
    actor: Actor,
) -> ProtocolMandate:
    """Commission members mandate a protocol change for a team (recorded and dated)."""
    _require_perm(actor, PERM_MANDATE)
    with transaction.atomic():
        mandate = ProtocolMandate.objects.create(
            team=team,
            change=_text(change, _("Describe the protocol change.")),
            reasons=_text(reasons, _("Give the reasons.")),
            effective_on=effective_on,
            mandated_by=_recorder(actor),
        )
        case_event_record(
            subject=team,
            verb="protocol_mandated",
            actor=actor,
            reason=mandate.reasons[:1000],
            data={"mandate": mandate.pk, "effective_on": effective_on.isoformat()},
        )
    return mandate


def member_token_issue(*, user: User, actor: Actor) -> str:
    """A personal API token for a team member (hashed at rest, commission.services), issued
    from the team workspace. A new token revokes the member's earlier ones."""
    from commission.services import api_token_issue

    _require_actor(actor)
    if actor.pk != user.pk:
        _require_perm(actor, PERM_TEAMS)
    if not TeamMembership.objects.filter(person__user=user).exists():
        raise ValidationError(_("Tokens are issued to investigative team members."))
    _token, raw = api_token_issue(
        user=user, actor=user, name=_("Team workspace"), revoke_others=True
    )
    return raw
