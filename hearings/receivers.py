"""Answers the complaints app asks through its signals (it never imports hearings): who sits
on a case's panel, and whether a milestone of the case has been reached."""

from __future__ import annotations

from .models import AllegationFinding, ConflictDeclaration, Decision, PanelSeat


def panel_recipients(sender, case, audience, **kwargs) -> list:
    from .selectors import case_panel_users

    return case_panel_users(case=case, audience=audience)


def milestone_reached(sender, case, milestone, **kwargs) -> bool | None:
    """ "draft_decision": the panel's draft has a determination and reasoning for every
    allegation."""
    if milestone != "draft_decision":
        return None
    decision = Decision.objects.filter(case=case).first()
    if decision is None:
        return False
    if decision.is_frozen:
        return True
    pending = decision.findings.filter(determination=AllegationFinding.Determination.PENDING)
    missing_reasons = decision.findings.filter(reasoning="")
    return decision.findings.exists() and not pending.exists() and not missing_reasons.exists()


def panel_reader(sender, case, user, **kwargs) -> bool:
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
