"""Lifting: public notice, public hearing, and the reasoned determination whose opinion PDF a
Celery task renders (`lift_render_run`), recording it only when the whole render succeeded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from commission.actors import Actor
from commission.services import case_event_record
from commission.transitions import status_transition

from .. import selectors
from ..models import (
    LiftDetermination,
    LiftHearing,
    LiftNotice,
    LiftRender,
    SanctionBenchmark,
    SanctionOrder,
)
from ._common import (
    PERM_DETERMINE,
    PERM_HEARING,
    PERM_NOTICE,
    _check_open,
    _require_perm,
    _text,
    _user,
    logger,
)


def _check_step_verified(order: SanctionOrder, benchmark: SanctionBenchmark | None) -> None:
    if benchmark is None:
        unmet = selectors.benchmarks_unmet(order=order)
        if unmet:
            raise ValidationError(
                _(
                    "A sanction is lifted fully only when every benchmark is met; not verified "
                    "met: %(list)s."
                )
                % {"list": "; ".join(f"{b.position}. {b.metric}" for b in unmet)}
            )
        return
    if benchmark.sanction_id != order.specification_id:
        raise ValidationError(_("The benchmark is not one of this sanction's."))
    if not selectors.benchmark_met(benchmark=benchmark):
        raise ValidationError(
            _(
                "Benchmark %(n)s is not verified met by an investigative team's report: a step "
                "is lifted only on verified compliance."
            )
            % {"n": benchmark.position}
        )
    if LiftDetermination.objects.filter(order=order, benchmark=benchmark).exists():
        raise ValidationError(_("This step is already lifted."))


def lift_notice_publish(
    *,
    order: SanctionOrder,
    benchmark: SanctionBenchmark | None,
    hearing_at: dt.datetime,
    location: str,
    text: str,
    actor: Actor,
) -> LiftNotice:
    """Publish the notice of a public hearing on lifting a step (or, without a benchmark, on
    the full lifting), at least `SANCTIONS_LIFT_NOTICE_DAYS` before it. Only a verified step
    is put to a hearing."""
    _require_perm(actor, PERM_NOTICE)
    if hearing_at.tzinfo is None:
        raise ValidationError(_("Give the hearing's date and time with its time zone."))
    location = _text(location, _("Say where the hearing is held."))
    text = _text(text, _("Write the notice."))
    now = timezone.now()
    days = settings.SANCTIONS_LIFT_NOTICE_DAYS
    if hearing_at < now + dt.timedelta(days=days):
        raise ValidationError(
            _("Public notice is given at least %(days)s days before the hearing.") % {"days": days}
        )
    with transaction.atomic():
        locked = SanctionOrder.objects.select_for_update().get(pk=order.pk)
        _check_open(locked)
        _check_step_verified(locked, benchmark)
        notice = LiftNotice.objects.create(
            order=locked,
            benchmark=benchmark,
            published_at=now,
            hearing_at=hearing_at,
            location=location,
            text=text,
            published_by=_user(actor),
        )
        case_event_record(
            subject=locked.specification.decision.case,
            verb="sanction_lift_noticed",
            actor=_user(actor),
            data={
                "sanction": str(locked.public_id),
                "benchmark": str(benchmark.public_id) if benchmark else None,
                "hearing_at": hearing_at.isoformat(),
            },
            is_public=True,
        )
    return notice


def lift_hearing_record(
    *, notice: LiftNotice, record: str, presenters: str = "", actor: Actor
) -> LiftHearing:
    """Record the public hearing on lifting as held, at or after its noticed time, with the
    organizations that presented evidence."""
    _require_perm(actor, PERM_HEARING)
    record = _text(record, _("Write the record of the hearing."))
    now = timezone.now()
    with transaction.atomic():
        locked = LiftNotice.objects.select_for_update().select_related("order").get(pk=notice.pk)
        if LiftHearing.objects.filter(notice=locked).exists():
            raise ValidationError(_("This hearing is already recorded as held."))
        if now < locked.hearing_at:
            raise ValidationError(_("The hearing is held at the time its notice gave, not before."))
        hearing = LiftHearing.objects.create(
            notice=locked,
            held_at=now,
            presenters=presenters.strip(),
            record=record,
            recorded_by=_user(actor),
        )
        case_event_record(
            subject=locked.order.specification.decision.case,
            verb="sanction_lift_hearing_held",
            actor=_user(actor),
            data={"sanction": str(locked.order.public_id), "notice": str(locked.public_id)},
            is_public=True,
        )
    return hearing


def lift_problems(*, order: SanctionOrder, benchmark: SanctionBenchmark | None) -> list[str]:
    """Why the step (or, without a benchmark, the full lifting) cannot be determined now, in
    the order the rules apply: verification, notice, hearing."""
    try:
        _check_open(order)
        _check_step_verified(order, benchmark)
    except ValidationError as exc:
        return list(exc.messages)
    notice = selectors.lift_notice_for(order=order, benchmark=benchmark)
    if notice is None:
        return [_("No public notice of a hearing on this lifting was given.")]
    days = settings.SANCTIONS_LIFT_NOTICE_DAYS
    if notice.hearing_at - notice.published_at < dt.timedelta(days=days):
        return [
            _("Public notice is given at least %(days)s days before the hearing.") % {"days": days}
        ]
    hearing = getattr(notice, "hearing", None)
    if hearing is None:
        return [_("The public hearing on this lifting has not been held.")]
    if hasattr(hearing, "determination"):
        return [_("This hearing's determination is already made.")]
    return []


def _lift_in_progress(order: SanctionOrder, benchmark: SanctionBenchmark | None) -> bool:
    renders = LiftRender.objects.filter(
        order=order, status__in=[LiftRender.Status.QUEUED, LiftRender.Status.RENDERING]
    )
    if benchmark is None:
        return renders.filter(benchmark__isnull=True).exists()
    return renders.filter(benchmark=benchmark).exists()


def sanction_lift_step(
    *,
    order: SanctionOrder,
    benchmark: SanctionBenchmark | None,
    reasoning: str,
    actor: Actor,
) -> LiftRender:
    """The reasoned determination after the lift hearing: the magnitude in force is reduced by
    the benchmark's share of the ordered magnitude — or, with no benchmark, lifted fully, which
    only full compliance allows. Refused unless, in order, the step is verified met, notice was
    given in time and the public hearing was held.

    The request is checked and answered at once; the determination's opinion PDF is rendered
    by a Celery task (`sanctions.tasks.lift_determination_render`), which records the
    determination only when the whole render succeeded (`lift_render_run`)."""
    _require_perm(actor, PERM_DETERMINE)
    reasoning = _text(reasoning, _("Give the reasons for the determination."))
    with transaction.atomic():
        locked = SanctionOrder.objects.select_for_update().get(pk=order.pk)
        problems = lift_problems(order=locked, benchmark=benchmark)
        if problems:
            raise ValidationError(problems)
        if _lift_in_progress(locked, benchmark):
            raise ValidationError(
                _("This determination is already being issued: its opinion is rendering.")
            )
        render = LiftRender.objects.create(
            order=locked,
            benchmark=benchmark,
            reasoning=reasoning,
            requested_at=timezone.now(),
            requested_by=_user(actor),
        )
        _queue_lift_render(render.pk)
    return render


def _queue_lift_render(render_id: int, *, countdown: int = 0) -> None:
    def send() -> None:
        from ..tasks import lift_determination_render

        if countdown:
            lift_determination_render.apply_async((render_id,), countdown=countdown)
        else:
            lift_determination_render.delay(render_id)

    transaction.on_commit(send)


def _lift_transition(render: LiftRender, to_status: str) -> None:
    status_transition(render, to_status)


def lift_render_run(*, render_id: int) -> LiftRender:
    """Render the determination's opinion PDF and, only when all of it succeeded, record the
    determination — the rules checked again on the locked sanction — in one transaction. Safe
    to run twice: a render already claimed, done or failed is left as it is."""
    from .. import opinion

    now = timezone.now()
    claimed = LiftRender.objects.filter(pk=render_id, status=LiftRender.Status.QUEUED).update(
        status=LiftRender.Status.RENDERING, started_at=now, attempts=F("attempts") + 1, error=""
    )
    if not claimed:
        return LiftRender.objects.get(pk=render_id)
    render = LiftRender.objects.select_related("order", "benchmark").get(pk=render_id)
    order, benchmark = render.order, render.benchmark
    try:
        problems = lift_problems(order=order, benchmark=benchmark)
        if problems:
            raise ValidationError(problems)
        in_force = selectors.magnitude_in_force(order=order)
        if benchmark is None:
            reduction = in_force
        else:
            share = order.magnitude * benchmark.lift_share_percent / 100
            reduction = min(in_force, share.quantize(Decimal("0.01")))
            lifted = selectors.lifted_benchmark_ids(order=order)
            others = [b for b in selectors.order_benchmarks(order=order) if b.pk != benchmark.pk]
            if all(b.pk in lifted for b in others):
                reduction = in_force  # the last step lifts what remains
        after = in_force - reduction
        notice = selectors.lift_notice_for(order=order, benchmark=benchmark)
        assert notice is not None  # noqa: S101 - lift_problems checked it  # nosec B101
        determined_at = timezone.now()
        rendered = opinion.determination_pdf(
            order=order,
            benchmark=benchmark,
            notice=notice,
            reasoning=render.reasoning,
            in_force=in_force,
            after=after,
            at=determined_at,
        )
        with transaction.atomic():
            locked = SanctionOrder.objects.select_for_update().get(pk=order.pk)
            render = LiftRender.objects.select_for_update().get(pk=render_id)
            if render.status != LiftRender.Status.RENDERING:
                return render
            problems = lift_problems(order=locked, benchmark=benchmark)
            if problems or selectors.magnitude_in_force(order=locked) != in_force:
                raise ValidationError(problems or [_("The magnitude in force changed.")])
            determination = LiftDetermination(
                order=locked,
                hearing=notice.hearing,
                benchmark=benchmark,
                full=after == 0,
                reasoning=render.reasoning,
                reduction=reduction,
                magnitude_after=after,
                determined_at=determined_at,
                determined_by=render.requested_by,
                sha256=hashlib.sha256(rendered.data).hexdigest(),
                signed=rendered.signed,
            )
            determination.pdf.save(
                f"{locked.public_id}-{determined_at:%Y%m%d%H%M%S}.pdf",
                ContentFile(rendered.data),
                save=False,
            )
            determination.save()
            case_event_record(
                subject=locked.specification.decision.case,
                verb="sanction_lifted" if after == 0 else "sanction_step_lifted",
                actor=render.requested_by,
                from_status=str(in_force),
                to_status=str(after),
                reason=render.reasoning[:500],
                data={
                    "sanction": str(locked.public_id),
                    "benchmark": str(benchmark.public_id) if benchmark else None,
                    "reduction": str(reduction),
                    "sha256": determination.sha256,
                },
                is_public=True,
            )
            _lift_transition(render, LiftRender.Status.DONE)
            render.determination = determination
            render.finished_at = timezone.now()
            render.save(update_fields=["status", "determination", "finished_at"])
        return render
    except Exception as exc:
        logger.exception("lift determination render %s failed", render_id)
        return _lift_render_failed(render_id, exc)


def _lift_render_failed(render_id: int, exc: Exception) -> LiftRender:
    reason = f"{exc.__class__.__name__}: {exc}"[:2000]
    if isinstance(exc, ValidationError):
        reason = "; ".join(exc.messages)[:2000]
    with transaction.atomic():
        render = LiftRender.objects.select_for_update().select_related("order").get(pk=render_id)
        if render.status != LiftRender.Status.RENDERING:
            return render
        _lift_transition(render, LiftRender.Status.FAILED)
        render.error = reason or exc.__class__.__name__
        render.finished_at = timezone.now()
        render.save(update_fields=["status", "error", "finished_at"])
        case_event_record(
            subject=render.order.specification.decision.case,
            verb="sanction_lift_render_failed",
            from_status=LiftRender.Status.RENDERING,
            to_status=LiftRender.Status.FAILED,
            reason=render.error[:500],
            data={"sanction": str(render.order.public_id), "render": render.pk},
        )
        retryable = not isinstance(exc, ValidationError)
        if retryable and render.attempts < settings.OPINION_RENDER_MAX_ATTEMPTS:
            _lift_transition(render, LiftRender.Status.QUEUED)
            render.save(update_fields=["status"])
            _queue_lift_render(render.pk, countdown=30 * render.attempts)
    return render


def lift_render_retry(*, render: LiftRender, actor: Actor) -> LiftRender:
    """Retry a failed determination render (staff who may determine lifting), once its cause is
    fixed; the rules are checked again when it runs."""
    _require_perm(actor, PERM_DETERMINE)
    with transaction.atomic():
        locked = LiftRender.objects.select_for_update().get(pk=render.pk)
        if locked.status != LiftRender.Status.FAILED:
            raise ValidationError(_("Only a failed render is retried."))
        _lift_transition(locked, LiftRender.Status.QUEUED)
        locked.save(update_fields=["status"])
        _queue_lift_render(locked.pk)
    return locked
