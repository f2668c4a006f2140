"""Hearings: scheduling and rescheduling (with the public notice), recording a hearing held,
the written-arguments window and the items of the hearing record.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commission.actors import Actor
from commission.dates import statutory_deadline
from commission.models import (
    Clock,
)
from commission.services import case_event_record, clock_start
from complaints import services as complaints_services
from complaints import uploads
from complaints.models import Case

from ..models import (
    Hearing,
    HearingRecordItem,
    Panel,
)
from ._common import (
    PERM_RECORD,
    PERM_SCHEDULE,
    RECORD_FOLDER,
    WRITTEN_ARGUMENTS_LEGAL_BASIS,
    _accept_upload,
    _aware,
    _case_clock,
    _local_date,
    _lock,
    _require_perm,
    _text,
    _transition,
    _user,
)

if TYPE_CHECKING:
    from django.core.files import File

# --- hearings ---------------------------------------------------------------------------


def _check_hearing_date(case: Case, scheduled_for: dt.datetime, now: dt.datetime) -> None:
    """A hearing is held no later than day 60, with public notice given at least
    HEARINGS_NOTICE_DAYS days before it."""
    _aware(scheduled_for, _("The hearing time must carry its time zone."))
    if scheduled_for <= now:
        raise ValidationError(_("A hearing is scheduled for a future time."))
    clock = _case_clock(case, Clock.Kind.HEARING_BY)
    if clock is None:
        raise ValidationError(_("This case has no hearing-by clock."))
    if scheduled_for > clock.due_at:
        raise ValidationError(
            _(
                "A hearing must be held no later than day %(days)s after filing: the last day is "
                "%(last)s. %(explain)s No later date can be scheduled."
            )
            % {
                "days": clock.days,
                "last": clock.last_day.isoformat(),
                "explain": clock.explain(),
            }
        )
    notice_days = settings.HEARINGS_NOTICE_DAYS
    gap = (_local_date(scheduled_for) - _local_date(now)).days
    if gap < notice_days:
        earliest = _local_date(now) + dt.timedelta(days=notice_days)
        raise ValidationError(
            _(
                "Public notice is given at least %(days)s days before a hearing: the earliest "
                "date is %(date)s."
            )
            % {"days": notice_days, "date": earliest.isoformat()}
        )


def _notice_text(hearing: Hearing) -> str:
    local = timezone.localtime(hearing.scheduled_for, timezone.get_default_timezone())
    text = _(
        "Open hearing in %(docket)s on %(date)s at %(time)s (%(tz)s), %(place)s. Complainants "
        "and supporting organizations may register to present evidence and arguments; written "
        "evidence and arguments are filed before the hearing."
    ) % {
        "docket": hearing.case.docket_number,
        "date": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "tz": settings.TIME_ZONE,
        "place": hearing.location,
    }
    if hearing.virtual_url:
        text += " " + _("Virtual hearing: %(url)s") % {"url": hearing.virtual_url}
    return text


def hearing_schedule(
    *,
    case: Case,
    scheduled_for: dt.datetime,
    location: str,
    virtual_url: str = "",
    duration_minutes: int = 180,
    actor: Actor,
) -> Hearing:
    """Schedule the open hearing of a case and publish its notice on the portal.

    Refused: a date after the 60-day deadline (it is never moved), less notice than
    HEARINGS_NOTICE_DAYS, a case without a seated panel or already heard."""
    _require_perm(actor, PERM_SCHEDULE)
    location = _text(location, _("Say where the hearing is held."))
    now = timezone.now()
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        panel = Panel.objects.filter(case=locked).first()
        if panel is None or panel.status != Panel.Status.SEATED:
            raise ValidationError(_("The commission selects the full panel before the hearing."))
        if Hearing.objects.filter(case=locked).exists():
            raise ValidationError(_("This case's hearing is already scheduled."))
        if locked.status != Case.Status.FILED:
            raise ValidationError(_("Only a case awaiting its hearing can have one scheduled."))
        _check_hearing_date(locked, scheduled_for, now)
        hearing = Hearing(
            case=locked,
            panel=panel,
            scheduled_for=scheduled_for,
            duration_minutes=duration_minutes,
            location=location,
            virtual_url=virtual_url.strip(),
            notice_published_at=now,
            created_by=_user(actor),
        )
        hearing.notice_text = _notice_text(hearing)
        hearing.save()
        complaints_services.case_hearing_schedule(
            case=locked, scheduled_for=scheduled_for, actor=actor
        )
        case_event_record(
            subject=hearing,
            verb="hearing_notice_published",
            actor=_user(actor),
            to_status=hearing.status,
            data={"scheduled_for": scheduled_for.isoformat(), "virtual": bool(virtual_url)},
            is_public=True,
            docket_number=locked.docket_number,
        )
    case.refresh_from_db()
    return hearing


def hearing_reschedule(
    *,
    hearing: Hearing,
    scheduled_for: dt.datetime,
    reason: str,
    location: str = "",
    virtual_url: str | None = None,
    actor: Actor,
) -> Hearing:
    """Move a scheduled hearing, with new public notice — still no later than day 60."""
    _require_perm(actor, PERM_SCHEDULE)
    reason = _text(reason, _("Say why the hearing moves."))
    now = timezone.now()
    with transaction.atomic():
        hearing = _lock(Hearing, hearing.pk)
        if hearing.status != Hearing.Status.SCHEDULED:
            raise ValidationError(_("Only a scheduled hearing can be moved."))
        _check_hearing_date(hearing.case, scheduled_for, now)
        previous = hearing.scheduled_for
        hearing.scheduled_for = scheduled_for
        if location.strip():
            hearing.location = location.strip()
        if virtual_url is not None:
            hearing.virtual_url = virtual_url.strip()
        hearing.notice_published_at = now
        hearing.sequence += 1
        hearing.notice_text = _notice_text(hearing)
        hearing.save(
            update_fields=[
                "scheduled_for",
                "location",
                "virtual_url",
                "notice_published_at",
                "sequence",
                "notice_text",
            ]
        )
        complaints_services.case_hearing_schedule(
            case=hearing.case, scheduled_for=scheduled_for, actor=actor
        )
        case_event_record(
            subject=hearing,
            verb="hearing_rescheduled",
            actor=_user(actor),
            reason=reason,
            data={"from": previous.isoformat(), "to": scheduled_for.isoformat()},
            is_public=True,
            docket_number=hearing.case.docket_number,
        )
    return hearing


def hearing_record_held(
    *,
    hearing: Hearing,
    held_at: dt.datetime,
    written_arguments_days: int | None = None,
    actor: Actor,
) -> Hearing:
    """Record the hearing as held (meets — or completes late — the hearing-by clock, through
    the complaints service) and open the window for written arguments
    (`written_arguments_days`, default HEARINGS_WRITTEN_ARGUMENTS_DAYS; 0 opens none)."""
    _require_perm(actor, PERM_RECORD)
    _aware(held_at, _("The time must carry its time zone."))
    if held_at > timezone.now():
        raise ValidationError(_("A hearing cannot be recorded as held in the future."))
    days = (
        settings.HEARINGS_WRITTEN_ARGUMENTS_DAYS
        if written_arguments_days is None
        else written_arguments_days
    )
    with transaction.atomic():
        hearing = _lock(Hearing, hearing.pk)
        if hearing.panel.status != Panel.Status.SEATED:
            raise ValidationError(_("The full panel sits at the hearing: fill the vacant seat."))
        if held_at < hearing.notice_published_at:
            raise ValidationError(_("A hearing is held after its public notice."))
        from_status = _transition(hearing, Hearing.Status.HELD)
        hearing.held_at = held_at
        hearing.held_recorded_by = _user(actor)
        hearing.save(update_fields=["status", "held_at", "held_recorded_by"])
        complaints_services.case_hearing_record_held(
            case=hearing.case, held_at=held_at, actor=actor
        )
        case_event_record(
            subject=hearing,
            verb="hearing_held",
            actor=_user(actor),
            from_status=from_status,
            to_status=hearing.status,
            data={"held_at": held_at.isoformat()},
            is_public=True,
            docket_number=hearing.case.docket_number,
            occurred_at=held_at,
        )
        if days:
            written_arguments_window_open(hearing=hearing, days=days, actor=actor)
    return hearing


def written_arguments_window_open(*, hearing: Hearing, days: int, actor: Actor) -> Clock:
    """Open the window for written arguments after the hearing: a WRITTEN_ARGUMENTS_CLOSE
    clock from the hearing, computed by the statutory day-counting rule. Refused unless the
    window closes before the decision deadline.

    The clock is a window (`Clock.WINDOW_KINDS`): it is never met or missed. Its due instant
    is the closing time that `submission_file` and `decision_problems` enforce, and the clock
    sweep records the window as closed (a public case event dated at that instant)."""
    _require_perm(actor, PERM_RECORD)
    if days < 1:
        raise ValidationError(_("A window lasts at least one day."))
    with transaction.atomic():
        hearing = _lock(Hearing, hearing.pk)
        case = hearing.case
        held_at = hearing.held_at
        if hearing.status != Hearing.Status.HELD or held_at is None:
            raise ValidationError(_("The window opens when the hearing has been held."))
        if _case_clock(case, Clock.Kind.WRITTEN_ARGUMENTS_CLOSE) is not None:
            raise ValidationError(_("The window for written arguments is already open."))
        decision_clock = _case_clock(case, Clock.Kind.DECISION_BY)
        if decision_clock is None:
            raise ValidationError(_("This case has no decision-by clock."))
        window = statutory_deadline(trigger_at=held_at, days=days, trigger_event="hearing_held")
        if window.due_at >= decision_clock.due_at or window.last_day >= decision_clock.last_day:
            raise ValidationError(
                _(
                    "The window for written arguments must close before the decision deadline "
                    "(%(decision)s): a %(days)s-day window would close at the end of %(close)s."
                )
                % {
                    "decision": decision_clock.last_day.isoformat(),
                    "days": days,
                    "close": window.last_day.isoformat(),
                }
            )
        clock = clock_start(
            subject=case,
            kind=Clock.Kind.WRITTEN_ARGUMENTS_CLOSE,
            trigger_at=held_at,
            days=days,
            legal_basis=WRITTEN_ARGUMENTS_LEGAL_BASIS,
            legal_source="Model labor-rights chapter, Section VI (written arguments after hearings)",
            trigger_event="hearing_held",
            actor=_user(actor),
        )
        case_event_record(
            subject=case,
            verb="written_arguments_window_opened",
            actor=_user(actor),
            data={
                "days": days,
                "closes_at": clock.due_at.isoformat(),
                "decision_due_at": decision_clock.due_at.isoformat(),
            },
            is_public=True,
        )
    return clock


def record_item_upload(
    *,
    hearing: Hearing,
    kind: str,
    description: str,
    upload: File[bytes],
    is_public: bool = True,
    actor: Actor,
) -> HearingRecordItem:
    """Upload minutes, a transcript, a recording or an exhibit of a hearing held. Stored
    under its SHA-256; never replaced (a corrected transcript is a new item)."""
    _require_perm(actor, PERM_RECORD)
    if kind not in HearingRecordItem.Kind.values:
        raise ValidationError(_("Choose what the file is."))
    description = _text(description, _("Describe the file."))
    checked = _accept_upload(upload, max_bytes=settings.HEARING_RECORD_MAX_BYTES)
    digest = checked.sha256
    with transaction.atomic():
        hearing = _lock(Hearing, hearing.pk)
        if hearing.status != Hearing.Status.HELD:
            raise ValidationError(_("The record is uploaded once the hearing has been held."))
        item = HearingRecordItem(
            hearing=hearing,
            kind=kind,
            description=description[:300],
            original_name=checked.name,
            content_type=checked.type.mime,
            size=checked.size,
            sha256=digest,
            is_public=is_public,
            uploaded_by=_user(actor),
        )
        item.file.name = uploads.content_addressed_store(upload, checked, folder=RECORD_FOLDER)
        item.save()
        case_event_record(
            subject=hearing,
            verb="hearing_record_uploaded",
            actor=_user(actor),
            data={"item": item.pk, "kind": kind, "sha256": digest},
            is_public=is_public,
            docket_number=hearing.case.docket_number,
        )
    return item
