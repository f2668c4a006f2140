"""Answers lower apps ask without importing hearings: who sits on a case's panel and whether a
milestone of the case has been reached (registered in commission.clock_answers by
HearingsConfig.ready), and whether a member may read a case (complaints' panel_reader_query)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Model

from complaints.models import Case

from .models import AllegationFinding, ConflictDeclaration, Decision, PanelSeat


def panel_recipients(*, subject: Model, audience: str) -> list[User]:
    """Who sits on the case's panel ("panel") or chairs it ("chair"): for the clock sweep."""
    from .selectors import case_panel_users

    if not isinstance(subject, Case):
        return []
    return case_panel_users(case=subject, audience=audience)


def milestone_reached(*, subject: Model, milestone: str) -> bool | None:
    """ "draft_decision": the panel's draft has a determination and reasoning for every
    allegation."""
    if milestone != "draft_decision" or not isinstance(subject, Case):
        return None
    case = subject
    decision = Decision.objects.filter(case=case).first()
    if decision is None:
        return False
    if decision.is_frozen:
        return True
    pending = decision.findings.filter(determination=AllegationFinding.Determination.PENDING)
    missing_reasons = decision.findings.filter(reasoning="")
    return decision.findings.exists() and not pending.exists() and not missing_reasons.exists()


def panel_reader(sender: object, case: Case, user: User, **kwargs: object) -> bool:
    """A member reads a case where they hold a seat on its panel (not vacated) and their
    latest declaration for the case declares no conflict."""
    seat = (
        PanelSeat.objects.filter(
            panel__case=case, vacated_at__isnull=True, member__person__user=user
        )
        .select_related("member")
        .first()
    )
    if seat is None:
        return False
    latest = (
        ConflictDeclaration.objects.filter(member=seat.member, case=case)
        .order_by("-declared_at", "-id")
        .first()
    )
    return latest is None or not latest.has_conflict
