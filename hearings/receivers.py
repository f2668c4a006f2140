"""Answers the complaints app asks through its signals (it never imports hearings): who sits
on a case's panel, and whether a milestone of the case has been reached."""

from __future__ import annotations

from .models import AllegationFinding, Decision


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
