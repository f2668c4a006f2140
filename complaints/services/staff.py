"""Staff work on a case: withdrawal requests, assignment, the intake check, respondents."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commission.actors import Actor, actor_require, actor_user
from commission.models import (
    CaseEvent,
    Organization,
)
from commission.services import case_event_record

from ..models import (
    Case,
    Respondent,
)
from ._common import (
    PERM_ASSIGN,
    PERM_CHECK_INTAKE,
    PERM_OUTCOME,
    _is_authenticated,
    _lock,
    _required_text,
)
from .notices import _refresh

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)


def case_withdrawal_request_record(*, case: Case, statement: str, actor: Actor) -> CaseEvent:
    """A complainant's request to withdraw is recorded on the record for the panel; it does not
    end, close or pause the case, which continues to a reasoned decision.

    Only a complainant of the case (its filer, a complainant worker or a delegate of a
    complainant organization) records its own request, or staff with the outcome permission
    record a request received otherwise. There is no silent system path: `actor` is required."""
    from ..selectors import case_party_users

    if not _is_authenticated(actor) or not (
        actor.has_perm(PERM_OUTCOME) or any(u.pk == actor.pk for u in case_party_users(case=case))
    ):
        raise PermissionDenied(_("Only a complainant or the commission's staff records this."))
    statement = _required_text(statement, _("Record what was asked."))
    with transaction.atomic():
        locked = _lock(case)
        return case_event_record(
            subject=locked,
            verb="withdrawal_requested",
            actor=actor,
            reason=_("Recorded; a case ends only with a reasoned decision."),
            data={"statement": statement[:2000]},
            is_public=True,
        )


# --- intake ------------------------------------------------------------------------------


def case_assign(*, case: Case, staff_user: User, actor: Actor) -> Case:
    actor_require(actor, PERM_ASSIGN)
    if not (staff_user.is_active and staff_user.is_staff):
        raise ValidationError(_("Cases are assigned to active staff accounts."))
    with transaction.atomic():
        locked = _lock(case)
        if locked.assigned_staff.filter(pk=staff_user.pk).exists():
            return case
        locked.assigned_staff.add(staff_user)
        case_event_record(
            subject=locked, verb="assigned", actor=actor, data={"staff_user": staff_user.pk}
        )
    return case


def case_unassign(*, case: Case, staff_user: User, actor: Actor) -> Case:
    actor_require(actor, PERM_ASSIGN)
    with transaction.atomic():
        locked = _lock(case)
        if not locked.assigned_staff.filter(pk=staff_user.pk).exists():
            return case
        locked.assigned_staff.remove(staff_user)
        case_event_record(
            subject=locked, verb="unassigned", actor=actor, data={"staff_user": staff_user.pk}
        )
    return case


def intake_check_record(*, case: Case, actor: Actor, note: str = "") -> list[str]:
    """Record staff's completeness check. The issues found are noted for follow-up with the
    filer; they never stop, pause or restart the statutory clocks, which run from receipt."""
    from ..selectors import case_completeness

    actor_require(actor, PERM_CHECK_INTAKE)
    with transaction.atomic():
        locked = _lock(case)
        issues = case_completeness(case=locked)
        locked.intake_checked_at = timezone.now()
        locked.intake_checked_by = actor_user(actor)
        locked.save(update_fields=["intake_checked_at", "intake_checked_by"])
        case_event_record(
            subject=locked,
            verb="intake_checked",
            actor=actor,
            reason=note.strip()[:1000],
            data={"issues": [issue.code for issue in issues]},
        )
    _refresh(case, locked)
    return [issue.code for issue in issues]


def respondent_link(
    *, respondent: Respondent, organization: Organization, actor: Actor
) -> Respondent:
    """Link a respondent the filer entered by name to the core record it is."""
    actor_require(actor, PERM_CHECK_INTAKE)
    if respondent.kind == Respondent.Kind.SECTOR:
        raise ValidationError(_("A sector respondent is already a core record."))
    with transaction.atomic():
        locked = Respondent.objects.select_for_update().get(pk=respondent.pk)
        locked.organization = organization
        locked.save(update_fields=["organization"])
        case_event_record(
            subject=locked.case,
            verb="respondent_linked",
            actor=actor,
            data={"respondent": locked.pk, "organization": organization.pk},
        )
    return locked


# --- receipts and acknowledgments (run by tasks) ------------------------------------------
