"""Who hears of a clock's notice and what they read: the audiences of each kind of notice, the
subject protocol's recipients with their fallbacks, the notice texts in every language, and the
notifications the sweep writes for the notices it claimed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .. import roles
from ..dates import format_day, local_date
from ..models import Clock, ClockNotice, CommissionMember, Notification
from ._common import logger
from .clock_plan import PlannedNotice

if TYPE_CHECKING:
    from django.contrib.auth.models import User


NOTICE_AUDIENCES: dict[str, tuple[str, ...]] = {
    ClockNotice.Kind.REMINDER: ("staff", "panel"),
    ClockNotice.Kind.AT_RISK: ("chair", "staff"),
    ClockNotice.Kind.MISSED: ("parties", "staff", "panel", "chair"),
    ClockNotice.Kind.OVERDUE: ("chair", "staff"),
}


class _Recipients:
    """Resolves audiences to users, with the protocol's fallbacks, cached for one sweep."""

    def __init__(self) -> None:
        self._staff: list[User] | None = None
        self._chair: list[User] | None = None

    def staff(self) -> list[User]:
        if self._staff is None:
            user_model = get_user_model()
            self._staff = list(
                user_model.objects.filter(groups__name=roles.STAFF, is_active=True)
                .order_by("pk")
                .distinct()
            )
        return self._staff

    def chair(self) -> list[User]:
        if self._chair is None:
            seat = (
                CommissionMember.objects.filter(is_chair=True, left_on__isnull=True)
                .select_related("person__user")
                .first()
            )
            user = seat.person.user if seat and seat.person.user_id else None
            self._chair = [user] if user is not None and user.is_active else []
        return self._chair

    def resolve(self, subject: Any, audience: str) -> list[User]:
        method = getattr(subject, "clock_recipients", None)
        if method is not None:
            try:
                answer = method(audience) or []
            except Exception:
                # One app's bug must not silence every deadline: log it, use the defaults.
                logger.exception("clock_recipients(%r) failed for %r", audience, subject)
                answer = []
            users = [u for u in answer if u is not None]
            # Staff and the chair always hear: an empty answer falls back to the defaults.
            if users or audience not in ("staff", "chair"):
                return users
        if audience == "staff":
            return self.staff()
        if audience == "chair":
            return self.chair()
        return []


def _milestone_reached(subject: Any, milestone: str) -> bool:
    method = getattr(subject, "clock_milestone_reached", None)
    if method is None:
        return False
    try:
        return bool(method(milestone))
    except Exception:
        # When in doubt, escalate.
        logger.exception("clock_milestone_reached(%r) failed for %r", milestone, subject)
        return False


def _notice_text(clock: Clock, planned: PlannedNotice, *, now: datetime) -> tuple[str, str]:
    """(subject line, body) of a notice in the active language."""
    tz = ZoneInfo(clock.time_zone)
    docket = clock.docket_number or f"#{clock.subject_id}"
    kind_label = str(Clock.Kind(clock.kind).label)
    due = format_day(clock.last_day)
    if planned.kind == ClockNotice.Kind.REMINDER:
        # The days actually left when the notice is sent, not those of its schedule: a
        # reminder sent late never claims more time than there is.
        days_left = (clock.last_day - local_date(now, tz)).days
        if days_left <= 0:
            headline = _("%(kind)s: due today, %(due)s") % {"kind": kind_label, "due": due}
        else:
            headline = ngettext(
                "%(kind)s: %(count)d day left, due %(due)s",
                "%(kind)s: %(count)d days left, due %(due)s",
                days_left,
            ) % {"kind": kind_label, "count": days_left, "due": due}
    elif planned.kind == ClockNotice.Kind.AT_RISK:
        missing = MILESTONE_MISSING.get(planned.milestone)
        problem = (
            str(missing) % {"day": planned.offset}
            if missing
            else _("“%(milestone)s” not reached by the end of day %(day)d")
            % {"milestone": planned.milestone, "day": planned.offset}
        )
        headline = _("At risk — %(kind)s, due %(due)s: %(problem)s") % {
            "kind": kind_label,
            "due": due,
            "problem": problem,
        }
    elif planned.kind == ClockNotice.Kind.MISSED:
        headline = _("MISSED — %(kind)s was due %(due)s") % {"kind": kind_label, "due": due}
    else:
        headline = ngettext(
            "STILL OVERDUE — %(kind)s, %(count)d day past the deadline of %(due)s",
            "STILL OVERDUE — %(kind)s, %(count)d days past the deadline of %(due)s",
            planned.offset,
        ) % {"kind": kind_label, "count": planned.offset, "due": due}
    subject_line = f"[{docket}] {headline}"
    lines = [
        headline + ".",
        "",
        _("Legal basis: %(basis)s (%(source)s)")
        % {"basis": clock.legal_basis_text(), "source": clock.legal_source_text()},
        _("How the date was computed: %(explanation)s") % {"explanation": clock.explain()},
    ]
    if planned.kind == ClockNotice.Kind.MISSED:
        lines += [
            "",
            _(
                "The miss is recorded, dated %(date)s, and shown on the public docket. The "
                "chair is told every day until the step happens. No extension exists."
            )
            % {"date": _instant(clock.due_at.astimezone(tz))},
        ]
    if now - planned.scheduled_at > timedelta(seconds=settings.CLOCK_NOTICE_GRACE_SECONDS):
        lines += [
            "",
            _(
                "This notice is late: it was due %(when)s and is sent now because the "
                "notification service was not running."
            )
            % {"when": _instant(planned.scheduled_at.astimezone(tz))},
        ]
    return str(subject_line), "\n".join(str(line) for line in lines)


def _instant(local: datetime) -> str:
    return f"{format_day(local.date(), weekday=False)}, {local:%H:%M}"


MILESTONE_MISSING = {
    "hearing_scheduled": gettext_lazy("no hearing scheduled by the end of day %(day)d"),
    "draft_decision": gettext_lazy("no draft decision by the end of day %(day)d"),
}


def _sweep_notifications(
    pending_texts: list[tuple[ClockNotice, Clock, Any, PlannedNotice]],
    *,
    now: datetime,
    recipients: _Recipients,
) -> list[Notification]:
    """One Notification per recipient of each notice the sweep claimed, in every language."""
    notifications: list[Notification] = []
    for notice, clock, subject, planned in pending_texts:
        users: dict[int, tuple[Any, str]] = {}
        for audience in NOTICE_AUDIENCES[planned.kind]:
            for user in recipients.resolve(subject, audience):
                users.setdefault(user.pk, (user, audience))
        notice.recipient_count = len(users)
        if not users:
            continue
        texts = {}
        for language, _label in settings.LANGUAGES:
            with translation.override(language):
                texts[language] = _notice_text(clock, planned, now=now)
        subject_line, body = texts[settings.LANGUAGE_CODE]
        for user, audience in users.values():
            notifications.append(
                Notification(
                    recipient=user,
                    notice=notice,
                    audience=audience,
                    docket_number=clock.docket_number,
                    subject_line=subject_line[:300],
                    body=body,
                    translations={
                        lang: {"subject": s[:300], "body": b}
                        for lang, (s, b) in texts.items()
                        if lang != settings.LANGUAGE_CODE
                    },
                    created_at=now,
                    email_status=(
                        Notification.EmailStatus.PENDING
                        if user.email
                        else Notification.EmailStatus.NONE
                    ),
                )
            )
    return notifications
