"""Decisions: opening and drafting a decision, the problems that block it, recommending,
returning and issuing it (which queues the opinion's render).
"""

from __future__ import annotations

from django.conf import settings
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
from complaints.models import Case

from .. import hooks, selectors
from ..models import (
    AllegationFinding,
    Decision,
    OpinionRender,
    Panel,
)
from ._common import (
    PERM_ADOPT,
    PERM_DRAFT,
    _case_clock,
    _lock,
    _require_actor,
    _require_perm,
    _text,
    _transition,
    _user,
    _window_open,
)

# --- decisions --------------------------------------------------------------------------


def _require_panelist_or_perm(actor: Actor | None, panel: Panel, perm: str) -> None:
    _require_actor(actor)
    if selectors.user_sits_on_panel(user=actor, panel=panel):
        return
    _require_perm(actor, perm)


def panel_actor_require(*, actor: Actor | None, panel: Panel, perm: str) -> None:
    """Refuse an actor who neither sits on the panel nor holds `perm` (none: the system)."""
    _require_panelist_or_perm(actor, panel, perm)


def decision_draft_lock(*, decision: Decision) -> Decision:
    """The decision, locked, while it is still a draft (refused otherwise): the parts a higher
    app adds to a draft decision are written under this lock."""
    return _draftable(decision)


def _draftable(decision: Decision) -> Decision:
    locked = _lock(Decision, decision.pk)
    if locked.status not in (Decision.Status.DRAFT,):
        raise ValidationError(
            _("The decision is %(status)s: it can no longer be changed.")
            % {"status": locked.get_status_display()}
        )
    return locked


def decision_open(*, case: Case, actor: Actor) -> Decision:
    """Open the panel's draft decision: one finding per allegation, each with the relevant
    date defaulting to the start of the alleged conduct."""
    _require_actor(actor)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        panel = Panel.objects.filter(case=locked).first()
        if panel is None:
            raise ValidationError(_("The commission selects the panel first."))
        _require_panelist_or_perm(actor, panel, PERM_DRAFT)
        if Decision.objects.filter(case=locked).exists():
            raise ValidationError(_("This case already has its decision."))
        if locked.has_outcome:
            raise ValidationError(_("This case already has its reasoned outcome."))
        adoption = settings.HEARINGS_DECISION_ADOPTION
        if adoption not in Decision.Adoption.values:
            raise ValidationError(_("HEARINGS_DECISION_ADOPTION must be panel or commission."))
        language = (locked.language or "en").split("-")[0]
        decision = Decision.objects.create(
            case=locked,
            panel=panel,
            kind=Decision.Kind.COMPLAINT if locked.is_complaint else Decision.Kind.PETITION,
            adoption=adoption,
            language=language if language in ("en", "es") else "en",
            created_by=_user(actor),
        )
        for allegation in locked.allegations.order_by("number"):
            AllegationFinding.objects.create(
                decision=decision, allegation=allegation, relevant_date=allegation.period_start
            )
        case_event_record(
            subject=locked,
            verb="decision_opened",
            actor=_user(actor),
            to_status=decision.status,
            data={"decision": decision.pk, "adoption": adoption},
        )
    return decision


def decision_update(
    *,
    decision: Decision,
    introduction: str | None = None,
    filing_government: Organization | None = None,
    actor: Actor,
) -> Decision:
    _require_panelist_or_perm(actor, decision.panel, PERM_DRAFT)
    with transaction.atomic():
        locked = _draftable(decision)
        fields = []
        if introduction is not None:
            locked.introduction = introduction.strip()
            fields.append("introduction")
        if filing_government is not None:
            if locked.kind != Decision.Kind.PETITION:
                raise ValidationError(_("Only a decision on a petition files a complaint."))
            if filing_government.kind != Organization.Kind.GOVERNMENT:
                raise ValidationError(_("The complaint is filed in the name of a government."))
            locked.filing_government = filing_government
            fields.append("filing_government")
        if fields:
            locked.save(update_fields=fields)
    decision.refresh_from_db()
    return decision


def decision_problems(*, decision: Decision) -> list[str]:
    """Why the decision cannot be adopted yet (empty: it can)."""
    problems: list[str] = []
    full = selectors.decision_full(pk=decision.pk)
    if full is None:
        raise Decision.DoesNotExist(decision.pk)
    decision = full
    case = decision.case
    sitting = decision.panel.seats.filter(vacated_at__isnull=True).count()
    if decision.panel.status != Panel.Status.SEATED or sitting != len(decision.panel.composition):
        problems.append(_("A panel seat is vacant."))
    findings = list(decision.findings.all())
    allegation_ids = set(case.allegations.values_list("pk", flat=True))
    if {f.allegation_id for f in findings} != allegation_ids:
        problems.append(_("Every allegation needs its finding."))
    for f in findings:
        n = f.allegation.number
        if not f.determination:
            problems.append(_("Allegation %(n)s: no determination.") % {"n": n})
        if not f.reasoning.strip():
            problems.append(_("Allegation %(n)s: no reasoning.") % {"n": n})
        if not f.facts.all():
            problems.append(_("Allegation %(n)s: no finding of fact from the record.") % {"n": n})
        if not f.applications.all():
            problems.append(_("Allegation %(n)s: no criterion applied.") % {"n": n})
    violations = [
        f for f in findings if f.determination == AllegationFinding.Determination.VIOLATION
    ]
    if decision.kind == Decision.Kind.COMPLAINT:
        if violations and not hooks.has_issuing_checks():
            problems.append(
                _("A finding of violation must produce sanctions, and no sanctions are available.")
            )
        # A finding of violation needs its sanction: the sanctions app says which are missing.
        problems += hooks.issuing_problems(decision)
        if case.status != Case.Status.HEARD:
            problems.append(_("A complaint is decided after its hearing has been held."))
    else:
        if violations and decision.filing_government_id is None:
            problems.append(
                _("Granting the petition files a complaint: name the government it is filed by.")
            )
        if not violations and case.status != Case.Status.HEARD:
            problems.append(_("A petition is denied only after its hearing."))
    window = _case_clock(case, Clock.Kind.WRITTEN_ARGUMENTS_CLOSE)
    if window is not None and _window_open(window, now=timezone.now()):
        problems.append(
            _("The window for written arguments is open until the end of %(day)s.")
            % {"day": window.last_day.isoformat()}
        )
    return problems


def decision_issuing_problems(*, decision: Decision) -> list[str]:
    """Every rule a decision must meet to be issued (empty: it may be). The one list that
    both doors check: `decision_issue` when the decision is adopted, and `opinion_render_run`
    again in the transaction that issues it, so a decision whose rows were changed under the
    services (say, set to `issuing` by hand with a violation and no sanction) is never issued.

    `decision_problems` (findings complete, a sanction for every violation, the hearing
    held, the window for written arguments closed), plus the panel as it sits at this
    moment: every seat of its composition filled, and no sitting member with a conflict."""
    problems = decision_problems(decision=decision)
    panel = Panel.objects.select_related("case").get(pk=decision.panel_id)
    seats = selectors.panel_sitting_seats(panel=panel)
    for seat in seats:
        reasons = selectors.member_conflicts(member=seat.member, case=panel.case)
        if reasons:
            problems.append(
                _("Seat %(n)s: %(member)s cannot sit: %(why)s.")
                % {
                    "n": seat.position,
                    "member": seat.member.person.full_name,
                    "why": "; ".join(reasons),
                }
            )
    return problems


def decision_recommend(*, decision: Decision, actor: Actor) -> Decision:
    """The panel recommends its decision to the commission (when the commission adopts)."""
    _require_panelist_or_perm(actor, decision.panel, PERM_DRAFT)
    with transaction.atomic():
        locked = _draftable(decision)
        if locked.adoption != Decision.Adoption.COMMISSION:
            raise ValidationError(_("The panel decides: it issues, it does not recommend."))
        problems = decision_issuing_problems(decision=locked)
        if problems:
            raise ValidationError(problems)
        from_status = _transition(locked, Decision.Status.RECOMMENDED)
        locked.recommended_at = timezone.now()
        locked.recommended_by = _user(actor)
        locked.save(update_fields=["status", "recommended_at", "recommended_by"])
        case_event_record(
            subject=locked.case,
            verb="decision_recommended",
            actor=_user(actor),
            from_status=from_status,
            to_status=locked.status,
            is_public=True,
        )
    decision.refresh_from_db()
    return decision


def decision_return(*, decision: Decision, reason: str, actor: Actor) -> Decision:
    """The commission sends a recommended decision back to the panel, with its reasons."""
    _require_perm(actor, PERM_ADOPT)
    reason = _text(reason, _("Say why the decision goes back to the panel."))
    with transaction.atomic():
        locked = _lock(Decision, decision.pk)
        from_status = _transition(locked, Decision.Status.DRAFT)
        locked.save(update_fields=["status"])
        case_event_record(
            subject=locked.case,
            verb="decision_returned",
            actor=_user(actor),
            from_status=from_status,
            to_status=locked.status,
            reason=reason,
            is_public=True,
        )
    decision.refresh_from_db()
    return decision


def decision_issue(*, decision: Decision, adoption_record: str = "", actor: Actor) -> OpinionRender:
    """Adopt the decision and order its issue: the decision is frozen, dated, and its
    reasoned opinion queued for rendering. It becomes issued — and takes effect — in the one
    transaction that registers the rendered opinion (`opinion_render_run`).

    Refused: anything in `decision_problems` — notably a finding of violation on a complaint
    without a sanction specified for it."""
    _require_actor(actor)
    with transaction.atomic():
        locked = _lock(Decision, decision.pk)
        if locked.adoption == Decision.Adoption.PANEL:
            _require_panelist_or_perm(actor, locked.panel, PERM_ADOPT)
            if locked.status != Decision.Status.DRAFT:
                raise ValidationError(_("Only a draft decision is adopted by the panel."))
        else:
            _require_perm(actor, PERM_ADOPT)
            if locked.status != Decision.Status.RECOMMENDED:
                raise ValidationError(
                    _("The commission adopts the decision the panel recommended.")
                )
            adoption_record = _text(
                adoption_record, _("Record the commission's adoption (e.g. the minutes).")
            )
        problems = decision_issuing_problems(decision=locked)
        if problems:
            raise ValidationError(problems)
        from_status = _transition(locked, Decision.Status.ISSUING)
        locked.adopted_at = timezone.now()
        locked.adopted_by = _user(actor)
        locked.adoption_record = adoption_record.strip()[:300]
        locked.save(update_fields=["status", "adopted_at", "adopted_by", "adoption_record"])
        render = OpinionRender.objects.create(decision=locked, requested_by=_user(actor))
        case_event_record(
            subject=locked.case,
            verb="decision_adopted",
            actor=_user(actor),
            from_status=from_status,
            to_status=locked.status,
            data={"decision": locked.pk, "render": render.pk},
            is_public=True,
        )
        _queue_render(render.pk)
    decision.refresh_from_db()
    return render


def _queue_render(render_id: int, countdown: int = 0) -> None:
    from ..tasks import opinion_render

    transaction.on_commit(lambda: opinion_render.apply_async(args=[render_id], countdown=countdown))
