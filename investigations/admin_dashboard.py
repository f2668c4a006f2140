"""The investigations' part of the admin home: disclosure demands due and overdue, remedial
orders whose due date comes within the week (verify compliance on the ground before it) and
those overdue without verified compliance. Each count is one query whatever the number of
demands, orders or findings, and links to the admin list it counts (the `due` filter, built
from the same conditions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commission.dashboard import Row, Section, dashboard_section_register
from commission.models import Clock

from .models import DisclosureDemand, RemedialOrder, RemedialStep

WEEK = 7


def _clock_subjects(model, kind: str, q: Q) -> QuerySet:
    return Clock.objects.filter(
        q, subject_type=ContentType.objects.get_for_model(model), kind=kind
    ).values("subject_id")


def _pending_within_week() -> Q:
    return Q(
        status=Clock.Status.PENDING,
        due_at__gte=timezone.now(),
        last_day__lte=timezone.localdate() + dt.timedelta(days=WEEK),
    )


def _missed() -> Q:
    """Missed: recorded by the sweep, or past due and not yet swept."""
    return Q(status=Clock.Status.MISSED) | Q(status=Clock.Status.PENDING, due_at__lt=timezone.now())


def demands_due(value: str) -> Q | None:
    """Demands still awaiting disclosure whose clock is due within the week, or missed."""
    when = {"week": _pending_within_week, "overdue": _missed}.get(value)
    if when is None:
        return None
    subjects = _clock_subjects(DisclosureDemand, Clock.Kind.DISCLOSURE_DUE, when())
    ids = (
        DisclosureDemand.objects.annotate(sid=Cast("pk", CharField()))
        .filter(sid__in=subjects)
        .values("pk")
    )
    return Q(status=DisclosureDemand.Status.ISSUED, pk__in=ids)


def orders_due(value: str) -> Q | None:
    """Open orders with a step due within the week (verification due), or with a step missed
    — and failed orders whose complaint is not filed yet (verification overdue)."""
    when = {"week": _pending_within_week, "overdue": _missed}.get(value)
    if when is None:
        return None
    subjects = _clock_subjects(RemedialStep, Clock.Kind.REMEDIAL_ORDER_DUE, when())
    orders = (
        RemedialStep.objects.annotate(sid=Cast("pk", CharField()))
        .filter(sid__in=subjects)
        .values("order_id")
    )
    q = Q(status=RemedialOrder.Status.OPEN, pk__in=orders)
    if value == "overdue":
        q |= Q(status=RemedialOrder.Status.FAILED, complaint__isnull=True)
    return q


class DueFilter(admin.SimpleListFilter):
    title = _("due")
    parameter_name = "due"
    condition: Callable[[str], Q | None]

    def lookups(self, request, model_admin):
        return [("week", _("Due within 7 days")), ("overdue", _("Overdue"))]

    def queryset(self, request, queryset):
        q = type(self).condition(self.value() or "")
        return queryset if q is None else queryset.filter(q)


class DemandDueFilter(DueFilter):
    condition = staticmethod(demands_due)


class OrderDueFilter(DueFilter):
    condition = staticmethod(orders_due)


def _url(model, value: str) -> str:
    meta = model._meta
    return f"{reverse(f'admin:{meta.app_label}_{meta.model_name}_changelist')}?due={value}"


@dashboard_section_register
def investigations_section(request) -> Section | None:
    user = request.user
    rows = []
    if user.has_perm("investigations.view_disclosuredemand"):
        rows += [
            Row(
                str(_("Disclosure demands due within 7 days")),
                DisclosureDemand.objects.filter(demands_due("week")).count(),
                _url(DisclosureDemand, "week"),
                str(_("Remind the addressee; record the disclosure when it arrives.")),
            ),
            Row(
                str(_("Disclosure demands overdue")),
                DisclosureDemand.objects.filter(demands_due("overdue")).count(),
                _url(DisclosureDemand, "overdue"),
                str(_("Record the disclosure received late, or the penalty for non-disclosure.")),
            ),
        ]
    if user.has_perm("investigations.view_remedialorder"):
        rows += [
            Row(
                str(_("Remedial orders due within 7 days: verification due")),
                RemedialOrder.objects.filter(orders_due("week")).count(),
                _url(RemedialOrder, "week"),
                str(_("Verify compliance on the ground before the due date: a plan is no proof.")),
            ),
            Row(
                str(_("Remedial orders overdue without verified compliance")),
                RemedialOrder.objects.filter(orders_due("overdue")).count(),
                _url(RemedialOrder, "overdue"),
                str(_("The team files its complaint; file it from the list if it is not filed.")),
            ),
        ]
    if not rows:
        return None
    return Section(str(_("Investigations: demands, orders and verifications")), rows)
