"""The admin home: what is due, for staff, the chair and the members.

The dashboard is a list of sections; each section is a few rows, and each row is one count
(one query, whatever the number of cases) with a link to the filtered list and what to do
next. This module gives the clocks' section; the higher apps register theirs with
`dashboard_section_register` (hearings: hearings and decisions; later apps: remedial orders,
disclosure demands, sanction reviews), so no app imports a higher one.

The deadline filters (`clock_deadline_q`) are shared by the clock list, the case list and the
dashboard, so a count and the list it links to always agree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Clock


@dataclass(frozen=True)
class Row:
    label: str
    count: int
    url: str
    next_step: str


@dataclass
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)


DASHBOARD_SECTIONS: list[Callable[[object], Section | None]] = []

# Per clock kind, a Q on Clock selecting the clocks whose milestone (the step the risk check
# waits for) is reached. Registered by the apps that know the milestone.
CLOCK_MILESTONES: dict[str, Callable[[], Q]] = {}


# What the clocks' rows count and link to: by default the clocks themselves; the case app
# registers its case list (cases having such a clock), where staff act.
DEADLINE_LIST: dict[str, Callable] = {}


def deadline_list_register(*, count: Callable[[Q], int], url: Callable[[str], str]) -> None:
    DEADLINE_LIST.update(count=count, url=url)


def dashboard_section_register(builder: Callable[[object], Section | None]):
    DASHBOARD_SECTIONS.append(builder)
    return builder


def clock_milestone_register(kind: str, reached: Callable[[], Q]) -> None:
    CLOCK_MILESTONES[kind] = reached


DEADLINE_CHOICES = [
    ("today", _("Due today")),
    ("week", _("Due within 7 days")),
    ("3", _("Due within 3 days")),
    ("14", _("Due within 14 days")),
    ("30", _("Due within 30 days")),
    ("at_risk", _("At risk")),
    ("missed", _("Missed, step still not taken")),
]


def _today() -> dt.date:
    return timezone.localdate()


def clock_deadline_q(value: str, *, now: dt.datetime | None = None) -> Q | None:
    """The clocks a deadline filter selects (obligations only: windows are never due)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    obligation = Q(status=Clock.Status.PENDING) & ~Q(kind__in=Clock.WINDOW_KINDS)
    if value == "today":
        return obligation & Q(last_day__lte=today)
    if value == "week":
        return obligation & Q(last_day__lte=today + dt.timedelta(days=7))
    if value.isdigit():
        return obligation & Q(last_day__lte=today + dt.timedelta(days=int(value)))
    if value == "missed":
        return Q(status=Clock.Status.MISSED, completed_at__isnull=True)
    if value == "at_risk":
        return at_risk_q(now=now)
    return None


def at_risk_q(*, now: dt.datetime | None = None) -> Q:
    """Pending clocks past their risk-check day (CLOCK_RISK_CHECKS: the end of day N of the
    period) whose milestone is not reached yet — what the at-risk escalation is about. Once
    the step is taken (the hearing scheduled, the decision drafted) the clock is no longer at
    risk."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    risky = Q(pk__in=[])
    for kind, checks in settings.CLOCK_RISK_CHECKS.items():
        for day_number, _milestone in checks:
            # Day N ends at the end of trigger day + N; past it when today > trigger day + N.
            started_before = today - dt.timedelta(days=int(day_number))
            q = Q(kind=kind, status=Clock.Status.PENDING, trigger_at__date__lt=started_before)
            reached = CLOCK_MILESTONES.get(kind)
            if reached is not None:
                q &= ~reached()
            risky |= q
    return risky


def days_left(clock: Clock, *, today: dt.date | None = None) -> tuple[int, str, str]:
    """(days, text, tone) for a clock: days left before its last day, or days overdue."""
    today = today or _today()
    if clock.status == Clock.Status.MET:
        return 0, str(_("met")), "met"
    if clock.status == Clock.Status.CLOSED:
        return 0, str(_("closed")), "closed"
    if clock.status == Clock.Status.MISSED:
        overdue = (today - clock.last_day).days
        if clock.completed_at is not None:
            return overdue, str(_("missed; completed late")), "missed"
        return overdue, str(_("%(n)s days overdue") % {"n": overdue}), "missed"
    left = (clock.last_day - today).days
    if left < 0:
        return left, str(_("%(n)s days overdue") % {"n": -left}), "missed"
    if left == 0:
        return 0, str(_("due today")), "due"
    tone = "due" if left <= 7 else "ok"
    return left, str(_("%(n)s days left") % {"n": left}), tone


def _clock_list(value: str) -> str:
    if "url" in DEADLINE_LIST:
        return DEADLINE_LIST["url"](value)
    return f"{reverse('admin:commission_clock_changelist')}?deadline={value}"


def _deadline_count(q: Q) -> int:
    if "count" in DEADLINE_LIST:
        return DEADLINE_LIST["count"](q)
    return Clock.objects.filter(q).count()


@dashboard_section_register
def clocks_section(request) -> Section | None:
    if not request.user.has_perm("commission.view_clock"):
        return None
    counts = {
        value: _deadline_count(clock_deadline_q(value))
        for value in ("today", "week", "at_risk", "missed")
    }
    return Section(
        str(_("Cases by their statutory clocks")),
        [
            Row(
                str(_("Due today")),
                counts["today"],
                _clock_list("today"),
                str(_("Take today the step each clock waits for: it is never extended.")),
            ),
            Row(
                str(_("Due within 7 days")),
                counts["week"],
                _clock_list("week"),
                str(_("Check each case's next step is on its way.")),
            ),
            Row(
                str(_("At risk")),
                counts["at_risk"],
                _clock_list("at_risk"),
                str(_("Past the risk day without the step: schedule the hearing or draft.")),
            ),
            Row(
                str(_("Missed, step still not taken")),
                counts["missed"],
                _clock_list("missed"),
                str(_("The miss is recorded and public: take the step now.")),
            ),
        ],
    )


def dashboard(request) -> list[Section]:
    sections = []
    for builder in DASHBOARD_SECTIONS:
        section = builder(request)
        if section is not None:
            sections.append(section)
    return sections
