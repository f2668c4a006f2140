"""Complaints and petitions: the first door into a binding case.

One table holds every case (`Case`); `Complaint` and `Petition` are proxies over it, so a
hearing, a clock or an audit event points at one kind of row whichever door the case came
through (docs/adr/0030). A case is created only by `complaints.services.case_file`, which
allocates the docket number, records the receipt instant and starts the statutory clocks in
one transaction. Statuses and their allowed transitions are data (`TRANSITIONS`); nothing
outside `complaints.services` assigns `status`, and there is no status for a withdrawn,
closed or dismissed case: a case ends only with a reasoned outcome (docs/adr/0034).
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _

from commission.clock_answers import milestone_from_sources, recipients_from_sources
from commission.integrity import Guarded, GuardedQuerySet, Integrity, Requires
from commission.models import Organization, Sector, TradingPartner

from .fields import EncryptedJSONField, EncryptedTextField

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Who sits on a case's panel and whether its draft decision is ready, the clock sweep asks
# through the sources registered in commission.clock_answers (the hearings app fills them).
# Receivers of `panel_reader_query(case=, user=)` return True when `user` is a member who sits
# on the case's panel and has not declared a conflict of interest in it (docs/adr/0032).
panel_reader_query = Signal()
# Sent after the transaction of a filing commits, with `case_id`: a higher layer
# (investigations) opens the targeted investigation of a complaint through it.
case_filed = Signal()

IMMUTABLE_FIELDS = ("kind", "docket_number", "received_at", "received_via", "recorded_at")


class DocketCounter(models.Model):
    """The last docket number issued per prefix and year (claimed under a row lock)."""

    prefix = models.CharField(_("prefix"), max_length=4)
    year = models.PositiveIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number issued"), default=0)

    class Meta:
        verbose_name = _("docket counter")
        verbose_name_plural = _("docket counters")
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="docketcounter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_number}"


def _of_either_kind(transitions: dict[str, dict[str, frozenset[str]]]) -> dict[str, set[str]]:
    union: dict[str, set[str]] = {}
    for by_status in transitions.values():
        for before, afters in by_status.items():
            union.setdefault(before, set()).update(afters)
    return union


class CaseQuerySet(GuardedQuerySet["Case"]):
    def complaints(self) -> CaseQuerySet:
        return self.filter(kind=Case.Kind.COMPLAINT)

    def petitions(self) -> CaseQuerySet:
        return self.filter(kind=Case.Kind.PETITION)


CaseManager = models.Manager.from_queryset(CaseQuerySet)


class Case(Guarded):
    """A complaint or a petition, from its receipt to its reasoned outcome."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("Complaint")
        PETITION = "petition", _("Petition")

    class Status(models.TextChoices):
        FILED = "filed", _("Filed — statutory clocks running")
        HEARING_SCHEDULED = "hearing_scheduled", _("Hearing scheduled")
        HEARD = "heard", _("Hearing held")
        DECIDED = "decided", _("Decided by a reasoned decision")
        COMPLAINT_FILED = "complaint_filed", _("Complaint filed by the commission")
        DENIED = "denied", _("Denied with a reasoned opinion")
        UNDER_COURT_REVIEW = "under_court_review", _("Denial under court review")

    class Channel(models.TextChoices):
        PORTAL = "portal", _("Public portal")
        PAPER = "paper", _("On paper (entered by staff)")
        EMAIL = "email", _("By email (entered by staff)")
        COMMISSION = "commission", _("Filed by the commission on a petition")
        COURT_ORDER = "court_order", _("Filed by the commission under a court order")
        INVESTIGATION = "investigation", _("Filed by an investigative team")

    # Allowed transitions per kind, as data. No path leads anywhere but to a reasoned outcome;
    # a complaint's only end is DECIDED (a panel's reasoned decision, recorded by hearings).
    TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
        Kind.COMPLAINT: {
            Status.FILED: frozenset({Status.HEARING_SCHEDULED}),
            Status.HEARING_SCHEDULED: frozenset({Status.HEARD}),
            Status.HEARD: frozenset({Status.DECIDED}),
            Status.DECIDED: frozenset(),
        },
        Kind.PETITION: {
            # The commission may file the complaint a petition asks for at any point before
            # its deadline; it may deny only after the hearing, with a reasoned opinion.
            Status.FILED: frozenset({Status.HEARING_SCHEDULED, Status.COMPLAINT_FILED}),
            Status.HEARING_SCHEDULED: frozenset({Status.HEARD, Status.COMPLAINT_FILED}),
            Status.HEARD: frozenset({Status.COMPLAINT_FILED, Status.DENIED}),
            Status.DENIED: frozenset({Status.UNDER_COURT_REVIEW}),
            Status.UNDER_COURT_REVIEW: frozenset({Status.COMPLAINT_FILED, Status.DENIED}),
            Status.COMPLAINT_FILED: frozenset(),
        },
    }
    # Statuses in which the commission has given its reasoned outcome.
    OUTCOME_STATUSES = frozenset({Status.DECIDED, Status.COMPLAINT_FILED, Status.DENIED})

    # What never changes, declared once (model, queryset and database triggers): the receipt,
    # the kind and the docket number; the status only along the transitions of either kind
    # (the kind itself is checked by a constraint); `decided` only with an issued decision
    # (a row of the hearings app's decision table, named here without importing it).
    integrity = Integrity(
        why=_(
            "the receipt of a filing never changes, a case moves only towards a reasoned "
            "outcome and is never deleted"
        ),
        frozen=IMMUTABLE_FIELDS,
        transitions=_of_either_kind(TRANSITIONS),
        requires=(
            Requires(
                name="issued_decision",
                field="status",
                values=(Status.DECIDED,),
                model="hearings.Decision",
                match={"case_id": "id"},
                where=Q(status="issued"),
                why=_("a case is decided only by an issued decision"),
                on_insert=True,
            ),
        ),
        no_delete=True,
    )

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    docket_number = models.CharField(_("docket number"), max_length=20, unique=True)
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.FILED, db_index=True
    )
    received_at = models.DateTimeField(
        _("received at"),
        db_index=True,
        help_text=_(
            "When the commission received the filing: the server's receipt time for the portal, "
            "the recorded receipt time for paper and email. Never changed afterwards."
        ),
    )
    received_via = models.CharField(_("received via"), max_length=16, choices=Channel.choices)
    intake_reference = models.CharField(
        _("intake reference"),
        max_length=120,
        blank=True,
        help_text=_("For paper and email filings: the registry or message reference."),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by (account)"),
        on_delete=models.PROTECT,
        related_name="filed_cases",
        null=True,
        blank=True,
    )
    language = models.CharField(_("language of the filing"), max_length=8)
    remedies_sought = models.TextField(_("remedies sought"))
    withhold_organization_names = models.BooleanField(
        _("withhold complainant organizations' names from the public"), default=False
    )
    confidentiality_request = models.TextField(_("confidentiality request"), blank=True)
    contact_email = EncryptedTextField(_("contact email (confidential)"), blank=True)
    access_code_hash = models.CharField(_("access code (hashed)"), max_length=128, blank=True)
    originating_petition = models.ForeignKey(
        "self",
        verbose_name=_("filed on petition"),
        on_delete=models.PROTECT,
        related_name="complaints_filed",
        null=True,
        blank=True,
    )
    # Hook for the hearings app: set only through `case_hearing_schedule` and
    # `case_hearing_record_held`.
    hearing_scheduled_for = models.DateTimeField(_("hearing scheduled for"), null=True, blank=True)
    hearing_held_at = models.DateTimeField(_("hearing held at"), null=True, blank=True)
    outcome_at = models.DateTimeField(_("outcome given at"), null=True, blank=True)
    outcome_reasoning = models.TextField(
        _("reasoning of the outcome"),
        blank=True,
        help_text=_(
            "The reasons of the decision, the filing of the complaint or the denial. The "
            "reasoned opinion itself is issued by the hearings app."
        ),
    )
    outcome_reference = models.CharField(
        _("reasoned opinion reference"), max_length=120, blank=True
    )
    assigned_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned staff"),
        related_name="assigned_cases",
        blank=True,
    )
    intake_checked_at = models.DateTimeField(_("intake checked at"), null=True, blank=True)
    intake_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("intake checked by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    receipt_pdf = models.FileField(_("receipt (PDF)"), upload_to="receipts/", blank=True)
    receipt_sha256 = models.CharField(_("receipt SHA-256"), max_length=64, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledgment emailed at"), null=True, blank=True)

    objects: ClassVar[CaseManager[Case]] = CaseManager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [
            ("view_worker_identity", _("Can see workers' names and contact data")),
            ("record_paper_filing", _("Can record a paper or emailed filing")),
            ("assign_case", _("Can assign cases to staff")),
            ("check_intake", _("Can record intake completeness checks")),
            ("record_case_outcome", _("Can record hearings and outcomes of cases")),
            ("record_court_review", _("Can record court review of a denial")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="complaint",
                        status__in=["filed", "hearing_scheduled", "heard", "decided"],
                    )
                    | Q(
                        kind="petition",
                        status__in=[
                            "filed",
                            "hearing_scheduled",
                            "heard",
                            "complaint_filed",
                            "denied",
                            "under_court_review",
                        ],
                    )
                ),
                name="case_status_allowed_for_kind",
            ),
            models.CheckConstraint(
                condition=Q(received_at__lte=models.F("recorded_at")),
                name="case_received_not_after_recorded",
            ),
            models.CheckConstraint(
                condition=Q(originating_petition__isnull=True) | Q(kind="complaint"),
                name="case_only_complaints_come_from_petitions",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["decided", "complaint_filed", "denied"])
                | (Q(outcome_at__isnull=False) & ~Q(outcome_reasoning="")),
                name="case_outcome_is_reasoned",
            ),
            models.UniqueConstraint(
                fields=["received_via", "intake_reference"],
                condition=~Q(intake_reference=""),
                name="case_intake_reference_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.docket_number} ({self.get_kind_display()})"

    # --- convenience ---------------------------------------------------------------------
    @property
    def is_complaint(self) -> bool:
        return self.kind == self.Kind.COMPLAINT

    @property
    def is_petition(self) -> bool:
        return self.kind == self.Kind.PETITION

    @property
    def has_outcome(self) -> bool:
        return self.status in self.OUTCOME_STATUSES

    def allowed_next_statuses(self) -> frozenset[str]:
        return self.TRANSITIONS[self.kind].get(self.status, frozenset())

    # --- the clocks' subject protocol -------------------------------------------------------
    def clock_recipients(self, audience: str) -> list[User]:
        """Who hears about this case's clocks: "staff" (assigned staff, or the intake desk
        while nobody is assigned), "parties" (the filer and the complainants' delegates and
        worker accounts), "panel" and "chair" (set by the hearings app; empty until then)."""
        from .selectors import case_party_users, case_staff_recipients

        if audience == "staff":
            return case_staff_recipients(case=self)
        if audience == "parties":
            return case_party_users(case=self)
        if audience in {"panel", "chair"}:
            return recipients_from_sources(subject=self, audience=audience)
        return []

    def clock_milestone_reached(self, milestone: str) -> bool:
        """Whether the step a reminder is about has happened already.

        "hearing_scheduled": a hearing date has been set through `case_hearing_schedule`
        (the hearings app calls it). "hearing_held" and "decision": the case reached that
        status. Any other milestone ("draft_decision") is answered by receivers of
        the sources registered in `commission.clock_answers` (the hearings app); with none, False."""
        if milestone == "hearing_scheduled":
            return self.hearing_scheduled_for is not None
        if milestone in {"hearing_held", "heard"}:
            return self.hearing_held_at is not None
        if milestone in {"decision", "decided", "outcome"}:
            return self.has_outcome
        return milestone_from_sources(subject=self, milestone=milestone)


class ComplaintManager(CaseManager[Case]):
    kind = Case.Kind.COMPLAINT

    def get_queryset(self) -> models.QuerySet[Case]:
        return super().get_queryset().filter(kind=self.kind)


class PetitionManager(ComplaintManager):
    kind = Case.Kind.PETITION


class Complaint(Case):
    """A complaint filed with the commission: it starts arbitral proceedings automatically."""

    objects: ClassVar[ComplaintManager] = ComplaintManager()

    class Meta:
        proxy = True
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")


class Petition(Case):
    """A petition asking the domestic commission to file a complaint or impose sanctions."""

    objects: ClassVar[PetitionManager] = PetitionManager()

    class Meta:
        proxy = True
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")


class Complainant(models.Model):
    """Who complains: an organization (public unless withheld) or a worker (always shown by a
    pseudonym; the name and contact data are encrypted and visible only to entitled staff)."""

    class Kind(models.TextChoices):
        ORGANIZATION = "organization", _("Organization")
        WORKER = "worker", _("Worker")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="complainants"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="complaints_filed",
        null=True,
        blank=True,
    )
    name = EncryptedTextField(_("name (confidential)"), blank=True)
    contact = EncryptedTextField(_("contact data (confidential)"), blank=True)
    pseudonym = models.CharField(_("pseudonym"), max_length=20, blank=True)
    identity_withheld = models.BooleanField(_("identity withheld from the public"), default=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="complainant_roles",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["case", "position"]
        verbose_name = _("complainant")
        verbose_name_plural = _("complainants")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="organization", organization__isnull=False)
                    | Q(kind="worker", organization__isnull=True, identity_withheld=True)
                ),
                name="complainant_kind_consistent",
            ),
            models.UniqueConstraint(fields=["case", "position"], name="complainant_position"),
        ]

    def __str__(self) -> str:
        return self.public_label

    @property
    def public_label(self) -> str:
        """How the complainant appears outside the entitled staff: never a worker's name."""
        if self.kind == self.Kind.WORKER:
            return str(_("Worker %(pseudonym)s") % {"pseudonym": self.pseudonym})
        if self.identity_withheld:
            return str(_("Organization %(pseudonym)s") % {"pseudonym": self.pseudonym})
        organization = self.organization
        return organization.name if organization is not None else ""


class Respondent(models.Model):
    """Who is complained against: a government and its agencies, employers and workplaces,
    sectors, and the global corporations they supply — from the core records or entered new
    (staff later link a new entry to a core record)."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        GOVERNMENT_AGENCY = "government_agency", _("Government agency")
        EMPLOYER = "employer", _("Employer / workplace")
        SECTOR = "sector", _("Sector")
        GLOBAL_CORPORATION = "global_corporation", _("Buying (global) corporation")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="respondents"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization (core record)"),
        on_delete=models.PROTECT,
        related_name="complaints_against",
        null=True,
        blank=True,
    )
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        related_name="complaints_against",
        null=True,
        blank=True,
    )
    name_given = models.CharField(_("name as given by the filer"), max_length=200, blank=True)
    country = models.ForeignKey(
        TradingPartner,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["case", "kind", "id"]
        verbose_name = _("respondent")
        verbose_name_plural = _("respondents")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="sector", sector__isnull=False, organization__isnull=True)
                    | (
                        ~Q(kind="sector")
                        & Q(sector__isnull=True)
                        & (Q(organization__isnull=False) | ~Q(name_given=""))
                    )
                ),
                name="respondent_identified",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.SECTOR and self.sector_id:
            return str(self.sector)
        if self.organization is not None:
            return self.organization.name
        return self.name_given

    @property
    def is_linked(self) -> bool:
        return bool(self.organization_id or self.sector_id)


class Allegation(models.Model):
    """One alleged violation: the facts, when and where, how many workers, and the criteria
    of the register it breaches — or, when no criterion fits, the standard proposed in the
    filer's words, flagged for the next deliberation round."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="allegations"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    summary = models.CharField(_("summary (public)"), max_length=200)
    facts = models.TextField(_("facts"))
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200)
    workers_affected = models.PositiveIntegerField(_("workers affected"), null=True, blank=True)
    criteria = models.ManyToManyField(
        "criteria.Criterion",
        verbose_name=_("criteria cited"),
        related_name="allegations",
        blank=True,
    )
    proposed_standard = models.TextField(
        _("standard proposed (no criterion fits)"),
        blank=True,
    )
    flagged_for_deliberation = models.BooleanField(
        _("flagged for the next deliberation round"), default=False, db_index=True
    )

    class Meta:
        ordering = ["case", "number"]
        verbose_name = _("allegation")
        verbose_name_plural = _("allegations")
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="allegation_number"),
            models.CheckConstraint(
                condition=Q(period_end__isnull=True) | Q(period_end__gte=models.F("period_start")),
                name="allegation_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(flagged_for_deliberation=False) | ~Q(proposed_standard=""),
                name="allegation_flag_has_text",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.summary}"


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    """A random stored name (the filer's name is kept, sanitised, in `original_name`)."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    folder = "quarantine" if instance.scan_status == Evidence.ScanStatus.PENDING else "evidence"
    now = timezone.now()
    return f"{folder}/{now:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class FilingDraft(models.Model):
    """A filing being prepared in the portal, saved step by step (encrypted: it may name
    workers). Resumed by its owner's account or, without an account, by a resume code."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="filing_drafts",
        null=True,
        blank=True,
    )
    data = EncryptedJSONField(_("answers so far (encrypted)"))
    step = models.CharField(_("last step saved"), max_length=32, blank=True)
    language = models.CharField(_("portal language"), max_length=8, default="en")
    resume_code_hash = models.CharField(_("resume code (hashed)"), max_length=128, blank=True)
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    updated_at = models.DateTimeField(_("saved at"), default=timezone.now)
    submitted_case = models.OneToOneField(
        Case,
        verbose_name=_("filed as"),
        on_delete=models.PROTECT,
        related_name="draft",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("filing draft")
        verbose_name_plural = _("filing drafts")

    def __str__(self) -> str:
        return f"draft {str(self.id)[:8]}"

    @property
    def kind(self) -> str:
        kind: str = (self.data.get("filing") or {}).get("kind", "")
        return kind


class Evidence(models.Model):
    """An uploaded document: checked by content, hashed, stored under MEDIA_ROOT with a
    random name, and served only to those entitled — after the virus scan, when scanning is
    configured (docs/adr/0033)."""

    class ScanStatus(models.TextChoices):
        PENDING = "pending", _("In quarantine, waiting for the virus scan")
        CLEAN = "clean", _("Scanned: clean")
        INFECTED = "infected", _("Scanned: infected (blocked)")
        NOT_SCANNED = "not_scanned", _("Not scanned (no scanner configured)")

    SERVABLE = frozenset({ScanStatus.CLEAN, ScanStatus.NOT_SCANNED})

    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="evidence",
        null=True,
        blank=True,
    )
    draft = models.ForeignKey(
        FilingDraft,
        verbose_name=_("draft"),
        on_delete=models.SET_NULL,
        related_name="evidence",
        null=True,
        blank=True,
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    content_type = models.CharField(_("type (detected from the content)"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    scan_status = models.CharField(
        _("virus scan"), max_length=16, choices=ScanStatus.choices, default=ScanStatus.PENDING
    )
    scan_detail = models.CharField(_("scanner's answer"), max_length=200, blank=True)
    scanned_at = models.DateTimeField(_("scanned at"), null=True, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="evidence_sha256_hex"
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_servable(self) -> bool:
        return self.scan_status in self.SERVABLE and bool(self.file)


class ComplianceStatement(models.Model):
    """A complaining government's statement that the respondent now complies. Recorded on the
    record; it never ends the case — the panel still convenes and rules."""

    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="compliance_statements",
    )
    government = models.ForeignKey(
        Organization,
        verbose_name=_("government"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    statement = models.TextField(_("statement"))
    received_at = models.DateTimeField(_("received at"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name = _("compliance statement")
        verbose_name_plural = _("compliance statements")

    def __str__(self) -> str:
        return f"{self.case.docket_number}: {self.government}"


class CourtReview(models.Model):
    """A petitioners' action in court against the denial of their petition, and the court's
    order. An order compelling the filing files the linked complaint."""

    class Order(models.TextChoices):
        PENDING = "pending", _("Pending")
        COMPEL_FILING = "compel_filing", _("Commission ordered to file the complaint")
        UPHOLD_DENIAL = "uphold_denial", _("Denial upheld")

    petition = models.ForeignKey(
        Case,
        verbose_name=_("petition"),
        on_delete=models.PROTECT,
        related_name="court_reviews",
    )
    court = models.CharField(_("court"), max_length=200)
    court_case_number = models.CharField(_("court case number"), max_length=80)
    ground_record_unsupported = models.BooleanField(
        _("the record does not support the findings"), default=False
    )
    ground_criteria_misapplied = models.BooleanField(
        _("the criteria were not applied correctly to the findings"), default=False
    )
    ground_criteria_not_most_protective = models.BooleanField(
        _("the criteria are not the most worker-protective and accurate"), default=False
    )
    filed_on = models.DateField(_("action filed on"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    order = models.CharField(
        _("court's order"), max_length=16, choices=Order.choices, default=Order.PENDING
    )
    order_date = models.DateField(_("order dated"), null=True, blank=True)
    order_text = models.TextField(_("order"), blank=True)
    complaint = models.OneToOneField(
        Case,
        verbose_name=_("complaint filed under the order"),
        on_delete=models.PROTECT,
        related_name="compelling_review",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["filed_on", "id"]
        verbose_name = _("court review")
        verbose_name_plural = _("court reviews")
        constraints = [
            models.CheckConstraint(
                condition=Q(ground_record_unsupported=True)
                | Q(ground_criteria_misapplied=True)
                | Q(ground_criteria_not_most_protective=True),
                name="courtreview_has_a_ground",
            ),
            models.CheckConstraint(
                condition=Q(order="pending", order_date__isnull=True)
                | (~Q(order="pending") & Q(order_date__isnull=False)),
                name="courtreview_order_dated",
            ),
            models.UniqueConstraint(
                fields=["court", "court_case_number"], name="courtreview_court_case_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.court} {self.court_case_number}"

    @property
    def grounds(self) -> list[str]:
        labels = []
        for name in GROUND_FIELDS:
            field = self._meta.get_field(name)
            if getattr(self, name) and isinstance(field, models.Field):
                labels.append(str(field.verbose_name))
        return labels


GROUND_FIELDS = (
    "ground_record_unsupported",
    "ground_criteria_misapplied",
    "ground_criteria_not_most_protective",
)


def new_access_code() -> str:
    """A code a filer without an account uses to resume a draft or follow a case."""
    raw = get_random_string(16, allowed_chars="ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


class ImportBatch(models.Model):
    """One run of `manage.py import_cases`: which file, who ran it, when, and what it brought
    in. Its start and end are events of the audit chain (`import_batch_started`,
    `import_batch_finished`), and each case it brought in names it (`case_imported`)."""

    source_name = models.CharField(_("file"), max_length=255)
    source_sha256 = models.CharField(_("file SHA-256"), max_length=64)
    source_format = models.CharField(_("format"), max_length=8)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    imported = models.PositiveIntegerField(_("cases imported"), default=0)
    already_imported = models.PositiveIntegerField(_("cases imported before"), default=0)
    refused = models.PositiveIntegerField(_("rows refused"), default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("legacy import")
        verbose_name_plural = _("legacy imports")

    def __str__(self) -> str:
        return f"{self.source_name} ({self.started_at:%Y-%m-%d %H:%M})"


class ImportedCase(models.Model):
    """A case brought in from the commission's earlier records, by its reference there. The
    reference is unique, so importing the same file again brings in nothing twice."""

    legacy_reference = models.CharField(_("legacy reference"), max_length=120, unique=True)
    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="legacy_import"
    )
    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("import"), on_delete=models.PROTECT, related_name="cases"
    )
    source_line = models.PositiveIntegerField(_("line in the file"))

    class Meta:
        ordering = ["batch", "source_line"]
        verbose_name = _("imported case")
        verbose_name_plural = _("imported cases")

    def __str__(self) -> str:
        return f"{self.legacy_reference} → {self.case_id}"
