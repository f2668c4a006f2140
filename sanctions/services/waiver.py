"""Waiver of a sanction in force: only on national-security grounds, with both houses' votes and
the president's signature.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commission.actors import Actor
from commission.services import case_event_record

from ..models import SanctionOrder, SanctionWaiver
from ._common import PERM_WAIVE, _check_open, _require_perm, _user


def sanction_waive(
    *,
    order: SanctionOrder,
    national_security_grounds: str,
    house_vote: str,
    senate_vote: str,
    president_signature: str,
    actor: Actor,
) -> SanctionWaiver:
    """Record a waiver of a sanction in force: only on national-security grounds, with the
    references of the votes of both houses of Congress and the president's signature."""
    _require_perm(actor, PERM_WAIVE)
    missing = []
    if not (national_security_grounds or "").strip():
        missing.append(_("the national-security grounds"))
    if not (house_vote or "").strip():
        missing.append(_("the vote of the House of Representatives"))
    if not (senate_vote or "").strip():
        missing.append(_("the vote of the Senate"))
    if not (president_signature or "").strip():
        missing.append(_("the president's signature"))
    if missing:
        raise ValidationError(
            _("A waiver is recorded only with %(list)s.")
            % {"list": ", ".join(str(m) for m in missing)}
        )
    with transaction.atomic():
        locked = SanctionOrder.objects.select_for_update().get(pk=order.pk)
        _check_open(locked)
        waiver = SanctionWaiver.objects.create(
            order=locked,
            national_security_grounds=national_security_grounds.strip(),
            house_vote=house_vote.strip()[:300],
            senate_vote=senate_vote.strip()[:300],
            president_signature=president_signature.strip()[:300],
            recorded_at=timezone.now(),
            recorded_by=_user(actor),
        )
        case_event_record(
            subject=locked.specification.decision.case,
            verb="sanction_waived",
            actor=_user(actor),
            to_status="waived",
            data={
                "sanction": str(locked.public_id),
                "house_vote": waiver.house_vote,
                "senate_vote": waiver.senate_vote,
            },
            is_public=True,
        )
    return waiver
