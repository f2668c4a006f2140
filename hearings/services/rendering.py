"""Rendering and issuing reasoned opinions: the render jobs (claimed exactly once, retried,
swept), the complaint's outcome on issue, and corrigenda of an issued opinion.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from commission.actors import SYSTEM, Actor
from commission.services import case_event_record
from complaints import services as complaints_services
from complaints.models import Case

from .. import hooks, selectors
from ..models import (
    AllegationFinding,
    Corrigendum,
    Decision,
    Opinion,
    OpinionRender,
)
from ._common import (
    PERM_CORRECT,
    PERM_RETRY,
    _lock,
    _require_perm,
    _store_content_addressed,
    _text,
    _transition,
    _user,
    logger,
)
from .decisions import _queue_render, decision_issuing_problems

# --- rendering and issuing --------------------------------------------------------------


def _claim(render_id: int, now: dt.datetime) -> bool:
    return bool(
        OpinionRender.objects.filter(pk=render_id, status=OpinionRender.Status.QUEUED).update(
            status=OpinionRender.Status.RENDERING,
            started_at=now,
            attempts=models.F("attempts") + 1,
            error="",
        )
    )


def _complaints_outcome(decision: Decision, reference: str, at: dt.datetime) -> None:
    """Give the case its reasoned outcome through the complaints service (which meets —
    or completes late — the decision-by clock)."""
    findings = list(decision.findings.select_related("allegation").order_by("allegation__number"))
    redactions = selectors.case_redactions(case=decision.case)
    lines = [
        f"{f.allegation.number}. {f.get_determination_display()}: "
        + selectors.redact(f.reasoning, redactions)
        for f in findings
    ]
    reasoning = "\n".join(lines) + "\n" + _("Reasoned opinion: %(ref)s") % {"ref": reference}
    case = decision.case
    if decision.kind == Decision.Kind.COMPLAINT:
        complaints_services.complaint_decide(
            complaint=case, reasoning=reasoning, reference=reference, decided_at=at, actor=SYSTEM
        )
    elif any(f.determination == AllegationFinding.Determination.VIOLATION for f in findings):
        government = decision.filing_government
        if government is None:
            raise ValueError(f"the decision on petition {case.docket_number} names no government")
        complaints_services.petition_file_complaint(
            petition=case,
            complainant=government,
            reasoning=reasoning,
            actor=SYSTEM,
        )
    else:
        complaints_services.petition_deny(
            petition=case, reasoning=reasoning, reference=reference, actor=SYSTEM
        )


def _render_corrigendum(render: OpinionRender) -> Corrigendum:
    """The corrigendum a render job issues (a job issues a decision or a corrigendum)."""
    corrigendum = render.corrigendum
    if corrigendum is None:
        raise ValueError(f"render {render.pk} has neither a decision nor a corrigendum")
    return corrigendum


def _render_subject(render: OpinionRender) -> Case:
    """The case whose events record what happens to a render job."""
    decision = render.decision
    if decision is not None:
        return decision.case
    return _render_corrigendum(render).decision.case


def opinion_render_run(*, render_id: int) -> OpinionRender:
    """Render the document of a render job and, only when all of it succeeded, register it
    and complete the issue in one transaction. Safe to run twice: a job already claimed,
    done or failed is left as it is."""
    from .. import opinion as opinion_pdf

    now = timezone.now()
    if not _claim(render_id, now):
        return OpinionRender.objects.get(pk=render_id)
    render = OpinionRender.objects.select_related("decision", "corrigendum__opinion").get(
        pk=render_id
    )
    started = timezone.now()
    try:
        issued = render.decision
        if issued is not None:
            decision = issued
            _issuing_rules_check(decision)
            rendered = opinion_pdf.decision_pdf(decision)
            reference = f"{decision.case.docket_number}/OP"
        else:
            corrigendum = _render_corrigendum(render)
            decision = corrigendum.opinion.decision
            rendered = opinion_pdf.corrigendum_pdf(corrigendum)
            reference = f"{corrigendum.opinion.reference}-C{corrigendum.number}"
        name = _store_content_addressed(
            rendered.data, f"opinions/{rendered.sha256[:2]}/{rendered.sha256}.pdf"
        )
        seconds = (timezone.now() - started).total_seconds()
        with transaction.atomic():
            render = OpinionRender.objects.select_for_update().get(pk=render_id)
            if render.status != OpinionRender.Status.RENDERING:
                return render
            if render.decision_id:
                # The rules again, at the moment of issue, on the locked row.
                _issuing_rules_check(_lock(Decision, decision.pk))
            issued_at = timezone.now()
            opinion = Opinion(
                reference=reference,
                decision=decision,
                kind=Opinion.Kind.OPINION if render.decision_id else Opinion.Kind.CORRIGENDUM,
                corrigendum=render.corrigendum if render.corrigendum_id else None,
                docket_number=decision.case.docket_number,
                language=opinion_pdf.opinion_language(decision.language),
                sha256=rendered.sha256,
                size=len(rendered.data),
                page_count=rendered.pages,
                signed=rendered.signed,
                signer=rendered.signer[:300],
                signer_certificate_sha256=rendered.signer_certificate_sha256,
                issued_at=issued_at,
                render=render,
            )
            opinion.file.name = name
            opinion.save()
            if render.decision_id:
                locked = _lock(Decision, decision.pk)
                from_status = _transition(locked, Decision.Status.ISSUED)
                locked.issued_at = issued_at
                locked.save(update_fields=["status", "issued_at"])
                _complaints_outcome(locked, reference, issued_at)
                # The sanctions it orders are in force from this instant.
                hooks.decision_issued(locked, issued_at, render.requested_by or SYSTEM)
                case_event_record(
                    subject=locked.case,
                    verb="decision_issued",
                    actor=render.requested_by,
                    from_status=from_status,
                    to_status=locked.status,
                    data={"opinion": reference, "sha256": rendered.sha256, "pages": rendered.pages},
                    is_public=True,
                    occurred_at=issued_at,
                )
            else:
                corrigendum = _lock(Corrigendum, render.corrigendum_id)
                from_status = _transition(corrigendum, Corrigendum.Status.ISSUED)
                corrigendum.save(update_fields=["status"])
                case_event_record(
                    subject=decision.case,
                    verb="corrigendum_issued",
                    actor=render.requested_by,
                    from_status=from_status,
                    to_status=corrigendum.status,
                    data={
                        "opinion": reference,
                        "corrects": corrigendum.opinion.reference,
                        "sha256": rendered.sha256,
                    },
                    is_public=True,
                )
            _transition(render, OpinionRender.Status.DONE)
            render.finished_at = timezone.now()
            render.seconds = seconds
            render.save(update_fields=["status", "finished_at", "seconds"])
        return render
    except Exception as exc:
        logger.exception("opinion render %s failed", render_id)
        return _render_failed(render_id, exc)


def _issuing_rules_check(decision: Decision) -> None:
    """Refuse to issue a decision that is not `issuing` with its adoption recorded, or that
    breaks any issuing rule (`decision_issuing_problems`)."""
    problems: list[str] = []
    if decision.status != Decision.Status.ISSUING or decision.adopted_at is None:
        problems.append(_("Only a decision adopted for issue is issued."))
    elif decision.adoption == Decision.Adoption.COMMISSION and not decision.adoption_record:
        problems.append(_("The commission's adoption is not recorded."))
    problems += decision_issuing_problems(decision=decision)
    if problems:
        raise ValidationError(problems)


def _render_failed(render_id: int, exc: Exception) -> OpinionRender:
    reason = f"{exc.__class__.__name__}: {exc}"[:2000] or exc.__class__.__name__
    if isinstance(exc, ValidationError):
        reason = "; ".join(exc.messages)[:2000]
    with transaction.atomic():
        render = OpinionRender.objects.select_for_update().get(pk=render_id)
        if render.status != OpinionRender.Status.RENDERING:
            return render
        _transition(render, OpinionRender.Status.FAILED)
        render.error = reason
        render.finished_at = timezone.now()
        render.save(update_fields=["status", "error", "finished_at"])
        subject = _render_subject(render)
        case_event_record(
            subject=subject,
            verb="opinion_render_failed",
            from_status=OpinionRender.Status.RENDERING,
            to_status=OpinionRender.Status.FAILED,
            reason=reason,
            data={"render": render.pk, "attempts": render.attempts},
        )
        if render.attempts < settings.OPINION_RENDER_MAX_ATTEMPTS:
            _retry(render, actor=SYSTEM, reason=_("Automatic retry."))
            _queue_render(render.pk, countdown=30 * render.attempts)
    return render


def _retry(render: OpinionRender, *, actor: Actor, reason: str) -> None:
    from_status = _transition(render, OpinionRender.Status.QUEUED)
    render.queued_at = timezone.now()
    render.save(update_fields=["status", "queued_at"])
    subject = _render_subject(render)
    case_event_record(
        subject=subject,
        verb="opinion_render_retried",
        actor=_user(actor),
        from_status=from_status,
        to_status=render.status,
        reason=reason,
        data={"render": render.pk, "attempts": render.attempts},
    )


def opinion_render_retry(*, render: OpinionRender, actor: Actor) -> OpinionRender:
    """Retry a failed render (staff)."""
    _require_perm(actor, PERM_RETRY)
    with transaction.atomic():
        render = OpinionRender.objects.select_for_update().get(pk=render.pk)
        if render.status != OpinionRender.Status.FAILED:
            raise ValidationError(_("Only a failed render is retried."))
        _retry(render, actor=actor, reason=_("Retried by staff."))
        _queue_render(render.pk)
    return render


def opinion_render_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Requeue renders whose worker died (rendering for longer than the task time limit) and
    queued renders whose message was lost. Safe to run at any time."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    reclaimed = 0
    for render_id in OpinionRender.objects.filter(
        status=OpinionRender.Status.RENDERING, started_at__lt=stale
    ).values_list("pk", flat=True):
        with transaction.atomic():
            render = OpinionRender.objects.select_for_update().get(pk=render_id)
            if (
                render.status != OpinionRender.Status.RENDERING
                or render.started_at is None
                or render.started_at >= stale
            ):
                continue
            _retry(render, actor=SYSTEM, reason=_("The render was interrupted; requeued."))
            _queue_render(render.pk)
            reclaimed += 1
    resent = 0
    for render_id in OpinionRender.objects.filter(
        status=OpinionRender.Status.QUEUED, queued_at__lt=now - dt.timedelta(minutes=10)
    ).values_list("pk", flat=True):
        _queue_render(render_id)
        resent += 1
    return {"reclaimed": reclaimed, "resent": resent}


def corrigendum_issue(
    *, opinion: Opinion, corrections: list[dict[str, str]], reason: str, actor: Actor
) -> OpinionRender:
    """Correct an issued opinion: never by editing it — by a new corrigendum, linked to it,
    rendered and registered like the opinion."""
    _require_perm(actor, PERM_CORRECT)
    reason = _text(reason, _("Say why the opinion is corrected."))
    cleaned = []
    for c in corrections or []:
        where = (c.get("where") or "").strip()
        should = (c.get("should_read") or "").strip()
        if not where or not should:
            raise ValidationError(_("Each correction says where, and what the text should read."))
        cleaned.append(
            {"where": where, "reads": (c.get("reads") or "").strip(), "should_read": should}
        )
    if not cleaned:
        raise ValidationError(_("List the corrections."))
    if opinion.kind != Opinion.Kind.OPINION:
        raise ValidationError(_("A corrigendum corrects the reasoned opinion itself."))
    with transaction.atomic():
        number = (
            Corrigendum.objects.filter(opinion=opinion).aggregate(n=Max("number"))["n"] or 0
        ) + 1
        corrigendum = Corrigendum.objects.create(
            opinion=opinion,
            number=number,
            corrections=cleaned,
            reason=reason,
            ordered_by=_user(actor),
        )
        render = OpinionRender.objects.create(corrigendum=corrigendum, requested_by=_user(actor))
        case_event_record(
            subject=opinion.decision.case,
            verb="corrigendum_ordered",
            actor=_user(actor),
            reason=reason,
            data={"opinion": opinion.reference, "number": number},
            is_public=True,
        )
        _queue_render(render.pk)
    return render
