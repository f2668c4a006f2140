"""Reads of complaints and petitions: who may see what, timelines, deadlines, the docket."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commission import roles
from commission.models import CaseEvent, Clock, OrganizationMembership
from commission.redaction import Identity, Redactor
from commission.selectors import clocks_for_subject, clocks_for_subjects

from .models import (
    Allegation,
    Case,
    Complainant,
    Evidence,
    FilingDraft,
    Respondent,
    panel_reader_query,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User
    from django.contrib.sessions.backends.base import SessionBase
    from typing_extensions import TypeIs

    # The request's user (signed in or not).
    Viewer = User | AnonymousUser

SESSION_CASES = "complaints.cases"  # dockets a filer without an account may follow
SESSION_DRAFTS = "complaints.drafts"  # drafts a filer without an account may continue


class Access(enum.IntEnum):
    NONE = 0
    PARTY = 1  # the filer, the complainants' delegates and worker accounts
    STAFF = 2  # commission staff: the whole record, workers by pseudonym
    STAFF_IDENTITY = 3  # staff entitled to workers' names and contact data


def _authenticated(user: Viewer | None) -> TypeIs[User]:
    """Whether `user` is a signed-in person (an anonymous visitor never is)."""
    return user is not None and bool(getattr(user, "is_authenticated", False))


def case_get(*, docket_number: str) -> Case | None:
    return Case.objects.filter(docket_number=docket_number).first()


def case_access(*, user: Viewer | None, case: Case, session: SessionBase | None = None) -> Access:
    """What `user` (or a filer without an account holding the case in `session`) may see."""
    if _authenticated(user):
        if user.has_perm("complaints.view_worker_identity"):
            return Access.STAFF_IDENTITY
        if is_commission_member(user):
            # A member reads a case (by pseudonym) only where they sit on its panel without
            # a declared conflict; elsewhere they are the public.
            if member_reads_case(user=user, case=case):
                return Access.STAFF
        elif user.is_staff and user.has_perm("complaints.view_case"):
            return Access.STAFF
        if user.pk in {u.pk for u in case_party_users(case=case)}:
            return Access.PARTY
    if session is not None:
        if case.docket_number in session.get(SESSION_CASES, []):
            return Access.PARTY
        drafts = session.get(SESSION_DRAFTS, [])
        if drafts and FilingDraft.objects.filter(pk__in=drafts, submitted_case=case).exists():
            return Access.PARTY  # the browser that filed it
    return Access.NONE


def case_redactor(*, case: Case) -> Redactor:
    """The matcher of every confidential identity of a case (docs/adr/0032): each worker's
    name (by its parts too) and the name of each organization whose identity is withheld.
    Free text shown to anyone but the entitled staff passes through it."""
    return _redactor_of(case, case.complainants.all())


def _redactor_of(case: Case, complainants: Iterable[Complainant]) -> Redactor:
    identities = []
    for c in complainants:
        if c.kind == Complainant.Kind.WORKER:
            if c.name and c.name.strip():
                identities.append(Identity(c.name, c.public_label, by_parts=True))
        elif (
            c.identity_withheld or case.withhold_organization_names
        ) and c.organization is not None:
            label = str(_("Organization %(p)s") % {"p": c.pseudonym})
            identities.append(Identity(c.organization.name, label, by_parts=False))
    return Redactor(identities)


def is_commission_member(user: Viewer) -> bool:
    return (
        user.groups.filter(name=roles.MEMBERS).exists()
        and not user.groups.filter(name=roles.STAFF).exists()
    )


def member_reads_case(*, user: Viewer, case: Case) -> bool:
    """Whether a commission member sits on the case's panel without a declared conflict
    (answered by the hearings app through `panel_reader_query`; no receiver: never)."""
    # A receiver's answer is whatever it returns (the stubs say a string).
    answers: Sequence[tuple[object, object]] = panel_reader_query.send(
        sender=Case, case=case, user=user
    )
    return any(answer is True for _receiver, answer in answers)


def case_party_users(*, case: Case) -> list[User]:
    """The filer's account, workers' accounts and every delegate of a complainant
    organization (delegation: any delegate follows the organization's cases)."""
    User = get_user_model()
    org_ids = [
        c.organization_id
        for c in case.complainants.all()
        if c.kind == Complainant.Kind.ORGANIZATION and c.organization_id
    ]
    user_ids = {c.user_id for c in case.complainants.all() if c.user_id}
    if case.filed_by_id:
        user_ids.add(case.filed_by_id)
    delegates = OrganizationMembership.objects.filter(
        organization_id__in=org_ids, person__user__isnull=False
    ).values_list("person__user_id", flat=True)
    user_ids.update(delegates)
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))


def case_staff_recipients(*, case: Case) -> list[User]:
    """The staff assigned to the case; while nobody is assigned, the intake desk (every active
    staff account of the staff role), so a deadline never warns nobody."""
    assigned = list(case.assigned_staff.filter(is_active=True).order_by("pk"))
    if assigned:
        return assigned
    User = get_user_model()
    return list(
        User.objects.filter(is_active=True, is_staff=True, groups__name=roles.STAFF)
        .distinct()
        .order_by("pk")
    )


def cases_for_user(*, user: Viewer | None) -> QuerySet[Case]:
    if not _authenticated(user):
        return Case.objects.none()
    org_ids = OrganizationMembership.objects.filter(person__user=user).values("organization_id")
    return (
        Case.objects.filter(
            Q(filed_by=user)
            | Q(complainants__user=user)
            | Q(complainants__organization_id__in=org_ids)
        )
        .distinct()
        .order_by("-received_at")
    )


def drafts_for_user(*, user: Viewer | None) -> QuerySet[FilingDraft]:
    if not _authenticated(user):
        return FilingDraft.objects.none()
    return FilingDraft.objects.filter(owner=user, submitted_case__isnull=True).order_by(
        "-updated_at"
    )


def case_detail(*, docket_number: str) -> Case | None:
    return (
        Case.objects.filter(docket_number=docket_number)
        .select_related("originating_petition")
        .prefetch_related(
            Prefetch(
                "complainants",
                queryset=Complainant.objects.select_related("organization").order_by("position"),
            ),
            Prefetch(
                "respondents",
                queryset=Respondent.objects.select_related("organization", "sector", "country"),
            ),
            Prefetch(
                "allegations",
                queryset=Allegation.objects.prefetch_related("criteria").order_by("number"),
            ),
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "pk")),
            "complaints_filed",
            "court_reviews",
            "compliance_statements__government",
        )
        .first()
    )


# --- deadlines ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineView:
    clock: Clock
    label: str
    due_at: dt.datetime
    last_day: dt.date
    status: str  # "met", "missed", "overdue" (missed, not yet recorded), "at_risk", "running"
    days_remaining: int  # negative when overdue
    explanation: str

    @property
    def is_missed(self) -> bool:
        return self.status in {"missed", "overdue"}


AT_RISK_DAYS = 14


def deadline_view(clock: Clock, *, now: dt.datetime | None = None) -> DeadlineView:
    now = now or timezone.now()
    today = timezone.localtime(now, clock.deadline.tz).date()
    remaining = (clock.last_day - today).days
    if clock.is_window:
        # A window (written arguments, a notice period) is not an obligation: it is open
        # until its due instant, then closed; it is never at risk or missed.
        status = "closed" if clock.status == Clock.Status.CLOSED or now > clock.due_at else "open"
    elif clock.status == Clock.Status.MET:
        status = "met"
    elif clock.status == Clock.Status.MISSED:
        status = "missed"
    elif now > clock.due_at:
        status = "overdue"
    elif remaining <= AT_RISK_DAYS:
        status = "at_risk"
    else:
        status = "running"
    return DeadlineView(
        clock=clock,
        label=clock.get_kind_display(),
        due_at=clock.due_at,
        last_day=clock.last_day,
        status=status,
        days_remaining=remaining,
        explanation=clock.explain(),
    )


DEADLINE_STATUS_LABELS = {
    "met": _("Met"),
    "missed": _("Missed"),
    "overdue": _("Missed"),
    "at_risk": _("At risk"),
    "running": _("Running"),
    "open": _("Open"),
    "closed": _("Closed"),
}


def case_deadlines(*, case: Case) -> list[DeadlineView]:
    now = timezone.now()
    return [deadline_view(clock, now=now) for clock in clocks_for_subject(subject=case)]


def deadlines_for_cases(*, cases: list[Case]) -> dict[int, list[DeadlineView]]:
    now = timezone.now()
    return {
        pk: [deadline_view(clock, now=now) for clock in clocks]
        for pk, clocks in clocks_for_subjects(subjects=cases).items()
    }


# --- timelines ------------------------------------------------------------------------------


def case_events(*, case: Case, public_only: bool) -> QuerySet[CaseEvent]:
    qs = CaseEvent.objects.for_subject(case).order_by("occurred_at", "pk")
    return qs.public() if public_only else qs


# --- the public docket ----------------------------------------------------------------------


def docket_public_list(*, kind: str | None = None, status: str | None = None) -> QuerySet[Case]:
    qs = Case.objects.prefetch_related(
        Prefetch(
            "complainants",
            queryset=Complainant.objects.select_related("organization").order_by("position"),
        ),
        Prefetch(
            "respondents", queryset=Respondent.objects.select_related("organization", "sector")
        ),
        Prefetch("allegations", queryset=Allegation.objects.order_by("number")),
    ).order_by("-received_at", "-pk")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs


def docket_search(
    *,
    q: str = "",
    kind: str | None = None,
    status: str | None = None,
    year: int | None = None,
) -> QuerySet[Case]:
    """The public docket searched by `q` — a docket number, a party's organization (never one
    whose identity is withheld), a respondent as named, a country, a sector, a right or a
    criterion cited, an allegation's public summary or place — and filtered by kind, status and
    the year of filing. Facts and workers' names are never searched. One query for the page,
    plus one per prefetched relation, whatever the number of cases."""
    qs = docket_public_list(kind=kind, status=status)
    if year:
        qs = qs.filter(received_at__year=year)
    term = (q or "").strip()[:100]
    if not term:
        return qs
    from criteria.models import Criterion

    complainants = Complainant.objects.filter(
        organization__name__icontains=term,
        identity_withheld=False,
        case__withhold_organization_names=False,
    ).values("case_id")
    respondents = Respondent.objects.filter(
        Q(organization__name__icontains=term)
        | Q(name_given__icontains=term)
        | Q(sector__title__icontains=term)
        | Q(sector__isic_code__istartswith=term)
        | Q(organization__sector__title__icontains=term)
        | Q(country__name__icontains=term)
        | Q(country__code__iexact=term)
        | Q(organization__country__name__icontains=term)
        | Q(organization__country__code__iexact=term)
    ).values("case_id")
    criteria = Criterion.objects.filter(
        Q(code__icontains=term)
        | Q(title_en__icontains=term)
        | Q(right__name_en__icontains=term)
        | Q(right__name_es__icontains=term)
        | Q(right__code__iexact=term)
    ).values("pk")
    allegations = Allegation.objects.filter(
        Q(summary__icontains=term) | Q(place__icontains=term) | Q(criteria__in=criteria)
    ).values("case_id")
    return qs.filter(
        Q(docket_number__icontains=term)
        | Q(pk__in=complainants)
        | Q(pk__in=respondents)
        | Q(pk__in=allegations)
    ).distinct()


def docket_years() -> list[int]:
    """The years in which cases were filed, newest first (the docket's year filter)."""
    return sorted(
        {d.year for d in Case.objects.dates("received_at", "year")},
        reverse=True,
    )


def docket_search_visible(*, cases: QuerySet[Case], term: str) -> QuerySet[Case]:
    """`cases` (a docket search for `term`) without the cases that matched only because `term`
    names one of their confidential identities, so that the docket's count and pages hold
    exactly the rows it shows. Two queries whatever the number of cases: the complainants that
    can carry a confidential identity (workers, withheld organizations) of every case found."""
    term = (term or "").strip()[:100]
    if not term:
        return cases
    confidential = (
        Complainant.objects.filter(case__in=cases.values("pk"))
        .filter(
            Q(kind=Complainant.Kind.WORKER)
            | Q(organization__isnull=False, identity_withheld=True)
            | Q(organization__isnull=False, case__withhold_organization_names=True)
        )
        .select_related("organization", "case")
        .order_by("case_id", "position")
    )
    by_case: dict[int, list[Complainant]] = {}
    for complainant in confidential:
        by_case.setdefault(complainant.case_id, []).append(complainant)
    hidden = [
        case_id
        for case_id, complainants in by_case.items()
        if _redactor_of(complainants[0].case, complainants).redact(term) != term
    ]
    return cases.exclude(pk__in=hidden) if hidden else cases


# --- intake ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    code: str
    message: str


def case_completeness(*, case: Case) -> list[Issue]:
    """What intake staff should follow up with the filer. None of it stops a clock."""
    issues: list[Issue] = []
    respondents = list(case.respondents.all())
    if any(not r.is_linked for r in respondents):
        issues.append(
            Issue(
                "respondent_not_linked",
                str(_("A respondent was named by the filer and is not linked to a record.")),
            )
        )
    allegations = list(case.allegations.all())
    if any(a.flagged_for_deliberation for a in allegations):
        issues.append(
            Issue(
                "allegation_flagged",
                str(
                    _(
                        "An allegation cites no criterion and is flagged for the next "
                        "deliberation round."
                    )
                ),
            )
        )
    if any(a.workers_affected is None for a in allegations):
        issues.append(
            Issue("workers_affected_unknown", str(_("The number of workers affected is missing.")))
        )
    evidence = list(case.evidence.all())
    if not evidence:
        issues.append(Issue("no_evidence", str(_("No evidence was filed."))))
    if any(e.scan_status == Evidence.ScanStatus.PENDING for e in evidence):
        issues.append(Issue("evidence_in_quarantine", str(_("Evidence waits for the virus scan."))))
    if any(e.scan_status == Evidence.ScanStatus.INFECTED for e in evidence):
        issues.append(Issue("evidence_blocked", str(_("A file was blocked by the virus scan."))))
    has_account = case.filed_by_id or any(c.user_id for c in case.complainants.all())
    if not case.contact_email and not has_account:
        issues.append(Issue("no_contact", str(_("The filer left no way to be contacted."))))
    return issues


def intake_queue() -> QuerySet[Case]:
    """New filings not yet checked at intake, oldest first (their clocks run regardless)."""
    return Case.objects.filter(intake_checked_at__isnull=True).order_by("received_at", "pk")
