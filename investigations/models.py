"""Investigations: the commission's eyes (DOMAIN.md, "Investigations").

Investigative teams (`commission.InvestigativeTeam` and `TeamMembership`, reused here) monitor
government enforcement agencies and representative samples of employers, investigate
complaints and gather facts before hearings. They visit sites, interview workers off company
premises (identities and statements encrypted; docs/adr/0032), demand disclosure with clocked
due dates, record findings per criterion version by a team determination in which the staff
position prevails and dissents are kept, order remedies with clocked steps, verify them, and
— when a due date passes without verified compliance — file a complaint through the complaints
service. Every write goes through `investigations.services`; statuses move only along the
`TRANSITIONS` mappings below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commission.integrity import ALL, Guarded, Integrity
from commission.models import (
    InvestigativeTeam,
    Organization,
    Sector,
    TeamMembership,
    TradingPartner,
)
from complaints.fields import EncryptedTextField

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class InvestigationCounter(models.Model):
    """The last investigation number issued per year (claimed under a row lock)."""

    year = models.PositiveIntegerField(_("year"), unique=True)
    last_number = models.PositiveIntegerField(_("last number issued"), default=0)

    class Meta:
        verbose_name = _("investigation counter")
        verbose_name_plural = _("investigation counters")

    def __str__(self) -> str:
        return f"I-{self.year}: {self.last_number}"


class Investigation(Guarded):
    class Kind(models.TextChoices):
        AGENCY_MONITORING = "agency_monitoring", _("Monitoring of a government enforcement agency")
        EMPLOYER_SAMPLE = "employer_sample", _("Monitoring of a representative sample of employers")
        TARGETED = "targeted", _("Targeted investigation of a complaint")
        EXPEDITED = "expedited", _("Expedited fact-gathering before a hearing")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CONCLUDED = "concluded", _("Concluded")

    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.OPEN: frozenset({Status.CONCLUDED}),
        Status.CONCLUDED: frozenset(),
    }

    integrity = Integrity(
        why=_(
            "an investigation's number, kind, opening and sample (its frame, method, seed and "
            "draw) never change; it is concluded once and never deleted"
        ),
        frozen=ALL,
        unfrozen=("status", "team", "concluded_at"),
        transitions=TRANSITIONS,
        set_once=("concluded_at",),
        no_delete=True,
    )

    class Trigger(models.TextChoices):
        COMPLAINT_FILED = "complaint_filed", _("Opened when the complaint was filed")
        STAFF_DECISION = "staff_decision", _("Opened by staff decision")
        MONITORING_PLAN = "monitoring_plan", _("Continuous monitoring")

    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    title = models.CharField(_("title"), max_length=200)
    team = models.ForeignKey(
        InvestigativeTeam,
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        related_name="investigations",
    )
    country = models.ForeignKey(
        TradingPartner, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    subjects = models.ManyToManyField(
        Organization,
        verbose_name=_("monitored or investigated organizations"),
        related_name="investigations",
        blank=True,
    )
    complaint = models.ForeignKey(
        "complaints.Case",
        verbose_name=_("complaint investigated"),
        on_delete=models.PROTECT,
        related_name="investigations",
        null=True,
        blank=True,
    )
    trigger = models.CharField(_("opened"), max_length=20, choices=Trigger.choices)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reason = models.TextField(_("reason"), blank=True)
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    # Representative sample of employers: the frame, the method and the seed, so anyone can
    # redraw it (`investigations.sampling.sample_draw`).
    sample_frame = models.JSONField(
        _("sampling frame (organization ids)"), default=list, blank=True
    )
    sample_method = models.CharField(_("sampling method"), max_length=200, blank=True)
    sample_seed = models.CharField(_("sampling seed"), max_length=64, blank=True)
    sample_size = models.PositiveIntegerField(_("sample size"), null=True, blank=True)
    sample = models.JSONField(_("sample drawn (organization ids)"), default=list, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("investigation")
        verbose_name_plural = _("investigations")
        permissions = [
            ("review_investigation", _("Can review findings and remedial orders")),
            ("assign_team", _("Can open investigations and assign teams")),
            ("mandate_protocol", _("Can mandate a protocol change for a team")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "kind"],
                condition=Q(complaint__isnull=False),
                name="investigation_one_per_complaint_and_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["targeted", "expedited"]) | Q(complaint__isnull=False),
                name="investigation_targeted_has_complaint",
            ),
            models.CheckConstraint(
                condition=~Q(kind="employer_sample")
                | (~Q(sample_seed="") & ~Q(sample_method="") & Q(sample_size__isnull=False)),
                name="investigation_sample_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def docket_number(self) -> str:
        return self.number

    # The clocks' subject protocol (commission.services): team members hear about the clocks.
    def clock_recipients(self, audience: str) -> list[User]:
        if audience in {"staff", "parties"}:
            return team_users(self.team_id)
        return []


def team_users(team_id: int) -> list[User]:
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(is_active=True, person__team_memberships__team_id=team_id)
        .distinct()
    )


class TeamDetermination(Guarded):
    """A team's determination of a question: every member's position is recorded, the
    position of the commission staff member who decides is the determination, and the other
    positions that differ from it are kept as dissents (l. 2507–2514)."""

    integrity = Integrity(
        why=_("a team determination is recorded once and never changed or deleted"),
        frozen=ALL,
        no_delete=True,
    )

    investigation = models.ForeignKey(
        Investigation,
        verbose_name=_("investigation"),
        on_delete=models.PROTECT,
        related_name="determinations",
    )
    question = models.CharField(_("question"), max_length=300)
    outcome = models.CharField(_("determination"), max_length=40)
    decided_by = models.ForeignKey(
        TeamMembership,
        verbose_name=_("decided by (staff)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        ordering = ["decided_at", "id"]
        verbose_name = _("team determination")
        verbose_name_plural = _("team determinations")

    def __str__(self) -> str:
        return f"{self.question}: {self.outcome}"

    @property
    def dissents(self) -> list[MemberPosition]:
        return [p for p in self.positions.all() if p.is_dissent]


class MemberPosition(Guarded):
    integrity = Integrity(
        why=_("a member's position in a determination, dissents included, is kept as recorded"),
        frozen=ALL,
        no_delete=True,
    )

    determination = models.ForeignKey(
        TeamDetermination,
        verbose_name=_("determination"),
        on_delete=models.PROTECT,
        related_name="positions",
    )
    membership = models.ForeignKey(
        TeamMembership, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=32, choices=TeamMembership.Role.choices)
    position = models.CharField(_("position"), max_length=40)
    reasoning = models.TextField(_("reasoning"), blank=True)
    is_dissent = models.BooleanField(_("dissent"), default=False)

    class Meta:
        ordering = ["determination", "id"]
        verbose_name = _("member's position")
        verbose_name_plural = _("members' positions")
        constraints = [
            models.UniqueConstraint(
                fields=["determination", "membership"], name="memberposition_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership.person}: {self.position}"


class SiteVisit(Guarded):
    integrity = Integrity(
        why=_("a site visit is evidence: recorded once, never changed or deleted"),
        frozen=ALL,
        no_delete=True,
    )

    investigation = models.ForeignKey(
        Investigation,
        verbose_name=_("investigation"),
        on_delete=models.PROTECT,
        related_name="site_visits",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("workplace or agency"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    place = models.CharField(_("place"), max_length=200)
    visited_on = models.DateField(_("visited on"))
    announced = models.BooleanField(_("announced in advance"), default=False)
    access_refused = models.BooleanField(_("access refused"), default=False)
    observations = models.TextField(_("observations"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["visited_on", "id"]
        verbose_name = _("site visit")
        verbose_name_plural = _("site visits")

    def __str__(self) -> str:
        return f"{self.place} ({self.visited_on})"


class Interview(Guarded):
    """A worker interview, always held off company premises. The interviewee's identity and
    the statement are encrypted at rest and shown only to holders of the explicit
    `view_interview_confidential` grant on this interview; each such view is logged."""

    integrity = Integrity(
        why=_("a worker interview is evidence: recorded once, never changed or deleted"),
        frozen=ALL,
        # Re-encrypted under a new key by `interview_fields_reencrypt` (ADR 0032).
        unfrozen=("interviewee_name", "interviewee_contact", "statement"),
        no_delete=True,
    )

    investigation = models.ForeignKey(
        Investigation,
        verbose_name=_("investigation"),
        on_delete=models.PROTECT,
        related_name="interviews",
    )
    pseudonym = models.CharField(_("pseudonym"), max_length=20)
    held_on = models.DateField(_("held on"))
    place_description = models.CharField(_("where (off company premises)"), max_length=200)
    off_premises = models.BooleanField(_("held off company premises"), default=True)
    interviewee_name = EncryptedTextField(_("interviewee's name (confidential)"))
    interviewee_contact = EncryptedTextField(_("contact (confidential)"), blank=True)
    statement = EncryptedTextField(_("statement (confidential)"))
    language = models.CharField(_("language"), max_length=8, default="es")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["held_on", "id"]
        verbose_name = _("worker interview")
        verbose_name_plural = _("worker interviews")
        permissions = [
            (
                "view_interview_confidential",
                _("Can read an interviewee's identity and statement (explicit grant)"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(off_premises=True), name="interview_off_company_premises"
            ),
            models.UniqueConstraint(
                fields=["investigation", "pseudonym"], name="interview_pseudonym_unique"
            ),
        ]

    def __str__(self) -> str:
        # Never the name: the pseudonym only.
        return f"{self.investigation.number} {self.pseudonym}"


class InterviewExcerpt(Guarded):
    """A pseudonymised passage of a statement, written by the team, usable as evidence."""

    integrity = Integrity(
        why=_("an excerpt usable as evidence is never changed or deleted"),
        frozen=ALL,
        no_delete=True,
    )

    interview = models.ForeignKey(
        Interview, verbose_name=_("interview"), on_delete=models.PROTECT, related_name="excerpts"
    )
    text = models.TextField(_("excerpt (pseudonymised)"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        ordering = ["interview", "id"]
        verbose_name = _("interview excerpt")
        verbose_name_plural = _("interview excerpts")

    def __str__(self) -> str:
        return f"{self.interview.pseudonym}: {self.text[:60]}"


class InterviewFile(Guarded):
    """A file carried by an interview (an audio recording, a scanned note or form). It passed
    the one upload door (`complaints.uploads.upload_accept`), is encrypted with the field keys
    (ADR 0032) and stored under the SHA-256 of what is stored; its name is encrypted too. Read
    only through `interview_file_read`, by holders of the interview's explicit grant, every
    read logged; never on a public page, a public API or a PDF."""

    integrity = Integrity(
        why=_("a file carried by an interview is evidence: never replaced or deleted"),
        frozen=ALL,
        # Re-encrypted under a new key with the interview's fields (ADR 0032).
        unfrozen=("original_name",),
        no_delete=True,
    )

    class Kind(models.TextChoices):
        AUDIO = "audio", _("Audio recording")
        SCAN = "scan", _("Scanned document")
        OTHER = "other", _("Other file")

    interview = models.ForeignKey(
        Interview, verbose_name=_("interview"), on_delete=models.PROTECT, related_name="files"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    original_name = EncryptedTextField(_("file name (confidential)"))
    mime_type = models.CharField(_("type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    stored_as = models.CharField(_("stored as (encrypted, content-addressed)"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["interview", "uploaded_at", "id"]
        verbose_name = _("interview file")
        verbose_name_plural = _("interview files")

    def __str__(self) -> str:
        # Never the file's name: it may name the worker.
        return f"{self.interview} #{self.pk} ({self.get_kind_display()})"


class ConfidentialAccess(Guarded):
    """Every view of a confidential record: who, what, when, through which door."""

    integrity = Integrity(
        why=_("the log of views of confidential records is append-only"),
        frozen=ALL,
        no_delete=True,
    )

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.PROTECT, related_name="+"
    )
    interview = models.ForeignKey(
        Interview, verbose_name=_("interview"), on_delete=models.PROTECT, related_name="accesses"
    )
    what = models.CharField(_("what"), max_length=40)
    door = models.CharField(_("door"), max_length=16)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("confidential record view")
        verbose_name_plural = _("confidential record views")

    def __str__(self) -> str:
        return f"{self.user} {self.what} {self.interview} {self.at:%Y-%m-%d %H:%M}"


class DisclosureDemand(Guarded):
    """A document request, a subpoena or a mandatory-disclosure demand to an employer, a
    global corporation (for its affiliates and suppliers) or an agency, with a clocked due
    date, a status and the penalty recorded for non-disclosure (l. 2846–2858)."""

    class Instrument(models.TextChoices):
        REQUEST = "request", _("Document request")
        SUBPOENA = "subpoena", _("Subpoena")
        MANDATORY = "mandatory", _("Mandatory disclosure demand")

    class Scope(models.TextChoices):
        WAGES = "wages", _("Wages")
        CONDITIONS = "conditions", _("Working conditions")
        COMPLIANCE_SYSTEMS = "compliance_systems", _("Managerial compliance systems")
        AFFILIATES_SUPPLIERS = "affiliates_suppliers", _("Affiliates and suppliers")
        BUDGETS = "budgets", _("Agency budgets")
        STAFF = "staff", _("Agency staff")
        PROCEDURES = "procedures", _("Agency procedures")
        ACTIONS = "actions", _("Enforcement actions")

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued — due date running")
        DISCLOSED = "disclosed", _("Disclosed")
        NOT_DISCLOSED = "not_disclosed", _("Not disclosed — penalty recorded")

    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.ISSUED: frozenset({Status.DISCLOSED, Status.NOT_DISCLOSED}),
        Status.DISCLOSED: frozenset(),
        Status.NOT_DISCLOSED: frozenset(),
    }

    integrity = Integrity(
        why=_(
            "a disclosure demand's terms never change; it is answered once (disclosed, or not "
            "disclosed with its penalty) and never deleted"
        ),
        frozen=ALL,
        unfrozen=(
            "status",
            "disclosed_at",
            "response_summary",
            "penalty",
            "penalty_amount",
            "penalty_currency",
        ),
        transitions=TRANSITIONS,
        set_once=("disclosed_at", "penalty_amount"),
        no_delete=True,
    )

    investigation = models.ForeignKey(
        Investigation,
        verbose_name=_("investigation"),
        on_delete=models.PROTECT,
        related_name="demands",
    )
    addressee = models.ForeignKey(
        Organization, verbose_name=_("addressed to"), on_delete=models.PROTECT, related_name="+"
    )
    instrument = models.CharField(_("instrument"), max_length=16, choices=Instrument.choices)
    scope = models.CharField(_("what is demanded"), max_length=24, choices=Scope.choices)
    description = models.TextField(_("documents and information demanded"))
    days = models.PositiveIntegerField(_("days to comply"))
    issued_at = models.DateTimeField(_("issued at"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ISSUED
    )
    disclosed_at = models.DateTimeField(_("disclosed at"), null=True, blank=True)
    response_summary = models.TextField(_("what was disclosed"), blank=True)
    penalty = models.TextField(_("penalty for non-disclosure"), blank=True)
    penalty_amount = models.DecimalField(
        _("penalty amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    penalty_currency = models.CharField(_("currency"), max_length=3, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["issued_at", "id"]
        verbose_name = _("disclosure demand")
        verbose_name_plural = _("disclosure demands")
        constraints = [
            models.CheckConstraint(condition=Q(days__gte=1), name="demand_days_positive"),
            models.CheckConstraint(
                condition=~Q(status="not_disclosed") | ~Q(penalty=""),
                name="demand_penalty_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.investigation.number}: {self.get_instrument_display()} — {self.addressee}"

    @property
    def docket_number(self) -> str:
        return self.investigation.number

    def clock_recipients(self, audience: str) -> list[User]:
        return self.investigation.clock_recipients(audience)


class Finding(Guarded):
    """A finding per criterion version: drafted by any team member, determined by the team
    (the staff position prevails; dissents kept)."""

    class Result(models.TextChoices):
        COMPLIANT = "compliant", _("Compliant")
        VIOLATION = "violation", _("Violation")
        INSUFFICIENT_EVIDENCE = "insufficient_evidence", _("Insufficient evidence")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        DETERMINED = "determined", _("Determined by the team")

    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.DRAFT: frozenset({Status.DETERMINED}),
        Status.DETERMINED: frozenset(),
    }

    integrity = Integrity(
        why=_(
            "a finding determined by the team, with its evidence links, never changes; "
            "findings are never deleted"
        ),
        frozen=ALL,
        frozen_when=Q(status="determined"),
        transitions=TRANSITIONS,
        no_delete=True,
        frozen_m2m=("site_visits", "excerpts", "demands"),
    )

    investigation = models.ForeignKey(
        Investigation,
        verbose_name=_("investigation"),
        on_delete=models.PROTECT,
        related_name="findings",
    )
    criterion_version = models.ForeignKey(
        "criteria.CriterionVersion",
        verbose_name=_("criterion version"),
        on_delete=models.PROTECT,
        related_name="investigation_findings",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("about"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    result = models.CharField(_("result"), max_length=24, choices=Result.choices)
    summary = models.CharField(_("summary"), max_length=200)
    facts = models.TextField(_("facts found"))
    measured_value = models.DecimalField(
        _("measured value"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    measured_unit = models.CharField(_("unit"), max_length=64, blank=True)
    measuring_method = models.TextField(_("measuring method"), blank=True)
    workers_affected = models.PositiveIntegerField(_("workers affected"), null=True, blank=True)
    observed_on = models.DateField(_("observed on"))
    site_visits = models.ManyToManyField(
        SiteVisit, verbose_name=_("site visits"), related_name="findings", blank=True
    )
    excerpts = models.ManyToManyField(
        InterviewExcerpt, verbose_name=_("interview excerpts"), related_name="findings", blank=True
    )
    demands = models.ManyToManyField(
        DisclosureDemand, verbose_name=_("disclosures"), related_name="findings", blank=True
    )
    determination = models.OneToOneField(
        TeamDetermination,
        verbose_name=_("team determination"),
        on_delete=models.PROTECT,
        related_name="finding",
        null=True,
        blank=True,
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    drafted_at = models.DateTimeField(_("drafted at"), default=timezone.now)
    relapse_of = models.ForeignKey(
        "self",
        verbose_name=_("relapse of (a violation remedied earlier)"),
        on_delete=models.PROTECT,
        related_name="relapses",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["investigation", "id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(determination__isnull=False),
                name="finding_determined_by_team",
            ),
            models.CheckConstraint(
                condition=Q(measured_value__isnull=True) | ~Q(measured_unit=""),
                name="finding_measure_has_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_version.identifier}: {self.get_result_display()}"


class RemedialOrder(Guarded):
    """An order to remedy violations found: steps with clocked due dates, capacity-building
    measures, and verification visits. Only a verification visit that observed and measured
    compliance ends it as complied; a plan or a promise never does."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        VERIFIED_COMPLIED = "verified_complied", _("Compliance verified")
        FAILED = "failed", _("Failed — not remedied by the due date")

    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.OPEN: frozenset({Status.VERIFIED_COMPLIED, Status.FAILED}),
        Status.VERIFIED_COMPLIED: frozenset(),
        Status.FAILED: frozenset(),
    }

    integrity = Integrity(
        why=_(
            "a remedial order's terms and the violations it remedies never change; it ends "
            "once (compliance verified, or failed) and is never deleted"
        ),
        frozen=ALL,
        unfrozen=("status", "verified_at", "failed_at", "failure_reason", "complaint"),
        transitions=TRANSITIONS,
        set_once=("verified_at", "failed_at", "complaint"),
        no_delete=True,
        frozen_m2m=("findings",),
    )

    investigation = models.ForeignKey(
        Investigation,
        verbose_name=_("investigation"),
        on_delete=models.PROTECT,
        related_name="orders",
    )
    addressee = models.ForeignKey(
        Organization, verbose_name=_("ordered to"), on_delete=models.PROTECT, related_name="+"
    )
    findings = models.ManyToManyField(
        Finding, verbose_name=_("violations remedied"), related_name="orders"
    )
    text = models.TextField(_("order"))
    issued_at = models.DateTimeField(_("issued at"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    verified_at = models.DateTimeField(_("compliance verified at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    failure_reason = models.TextField(_("why it failed"), blank=True)
    complaint = models.OneToOneField(
        "complaints.Case",
        verbose_name=_("complaint filed by the team"),
        on_delete=models.PROTECT,
        related_name="remedial_order",
        null=True,
        blank=True,
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["issued_at", "id"]
        verbose_name = _("remedial order")
        verbose_name_plural = _("remedial orders")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", verified_at__isnull=True, failed_at__isnull=True)
                | Q(status="verified_complied", verified_at__isnull=False, failed_at__isnull=True)
                | Q(status="failed", failed_at__isnull=False, verified_at__isnull=True),
                name="remedialorder_status_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.investigation.number}: {self.addressee}"

    @property
    def docket_number(self) -> str:
        return self.investigation.number


class RemedialStep(Guarded):
    """One step of an order; its due date is a clock (`remedial_order_due`) on this row."""

    integrity = Integrity(
        why=_("a remedial order's steps and their due dates never change"),
        frozen=ALL,
        no_delete=True,
    )

    order = models.ForeignKey(
        RemedialOrder, verbose_name=_("order"), on_delete=models.PROTECT, related_name="steps"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    description = models.TextField(_("step"))
    days = models.PositiveIntegerField(_("days to complete"))

    class Meta:
        ordering = ["order", "number"]
        verbose_name = _("remedial step")
        verbose_name_plural = _("remedial steps")
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="remedialstep_number"),
            models.CheckConstraint(condition=Q(days__gte=1), name="remedialstep_days_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.description[:60]}"

    @property
    def docket_number(self) -> str:
        return self.order.investigation.number

    def clock_recipients(self, audience: str) -> list[User]:
        return self.order.investigation.clock_recipients(audience)


class CapacityMeasure(Guarded):
    """Technical assistance to the employer or agency, part of the order (l. 2812–2826)."""

    integrity = Integrity(
        why=_("the capacity-building measures of an order never change"),
        frozen=ALL,
        no_delete=True,
    )

    class Recipient(models.TextChoices):
        EMPLOYER = "employer", _("Employer")
        AGENCY = "agency", _("Government agency")

    order = models.ForeignKey(
        RemedialOrder,
        verbose_name=_("order"),
        on_delete=models.PROTECT,
        related_name="capacity_measures",
    )
    recipient = models.CharField(_("assistance to"), max_length=16, choices=Recipient.choices)
    description = models.TextField(_("technical assistance"))
    provider = models.CharField(_("provided by"), max_length=200, blank=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("capacity-building measure")
        verbose_name_plural = _("capacity-building measures")

    def __str__(self) -> str:
        return self.description[:60]


class VerificationVisit(Guarded):
    """A visit that checks whether an order was carried out, with the outcome measured."""

    integrity = Integrity(
        why=_("a verification visit and its measured outcome are append-only"),
        frozen=ALL,
        no_delete=True,
    )

    class Basis(models.TextChoices):
        INSPECTION = "inspection", _("Inspection of the workplace")
        WORKER_INTERVIEWS = "worker_interviews", _("Worker interviews off premises")
        RECORDS = "records", _("Examination of records")
        # Recorded for completeness; never accepted as proof of compliance.
        PLAN = "plan", _("A remediation plan submitted by the addressee")
        PROMISE = "promise", _("An assurance or promise by the addressee")

    PROOF = frozenset({Basis.INSPECTION, Basis.WORKER_INTERVIEWS, Basis.RECORDS})

    class Outcome(models.TextChoices):
        COMPLIED = "complied", _("Complied")
        NOT_COMPLIED = "not_complied", _("Not complied")

    order = models.ForeignKey(
        RemedialOrder,
        verbose_name=_("order"),
        on_delete=models.PROTECT,
        related_name="verifications",
    )
    visited_on = models.DateField(_("visited on"))
    basis = models.CharField(_("basis"), max_length=20, choices=Basis.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    measured_value = models.DecimalField(
        _("measured value"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    measured_unit = models.CharField(_("unit"), max_length=64, blank=True)
    measuring_method = models.TextField(_("measuring method"), blank=True)
    observations = models.TextField(_("observations"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["visited_on", "id"]
        verbose_name = _("verification visit")
        verbose_name_plural = _("verification visits")
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="complied")
                | Q(basis__in=["inspection", "worker_interviews", "records"]),
                name="verification_plan_never_compliance",
            ),
            models.CheckConstraint(
                condition=Q(measured_value__isnull=True) | ~Q(measured_unit=""),
                name="verification_measure_has_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.visited_on}: {self.get_outcome_display()}"


class CommissionReview(Guarded):
    """The commission's review of a finding or a remedial order, with its reasons."""

    integrity = Integrity(
        why=_("the commission's review and its reasons are never changed or deleted"),
        frozen=ALL,
        no_delete=True,
    )

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("Upheld")
        REMANDED = "remanded", _("Remanded to the team for further investigation")

    finding = models.ForeignKey(
        Finding,
        verbose_name=_("finding"),
        on_delete=models.PROTECT,
        related_name="reviews",
        null=True,
        blank=True,
    )
    order = models.ForeignKey(
        RemedialOrder,
        verbose_name=_("remedial order"),
        on_delete=models.PROTECT,
        related_name="reviews",
        null=True,
        blank=True,
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    reasons = models.TextField(_("reasons"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), default=timezone.now)

    class Meta:
        ordering = ["reviewed_at", "id"]
        verbose_name = _("commission review")
        verbose_name_plural = _("commission reviews")
        constraints = [
            models.CheckConstraint(
                condition=Q(finding__isnull=False, order__isnull=True)
                | Q(finding__isnull=True, order__isnull=False),
                name="review_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.reviewed_at:%Y-%m-%d})"


class ProtocolMandate(Guarded):
    """A protocol change the commission's members mandate for a team, e.g. after a forum
    showed another team's better-performing method (l. 2720–2728)."""

    integrity = Integrity(
        why=_("a protocol mandate is recorded and dated once, never changed or deleted"),
        frozen=ALL,
        no_delete=True,
    )

    team = models.ForeignKey(
        InvestigativeTeam,
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        related_name="protocol_mandates",
    )
    change = models.TextField(_("protocol change"))
    reasons = models.TextField(_("reasons"))
    effective_on = models.DateField(_("effective on"))
    mandated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mandated by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    mandated_at = models.DateTimeField(_("mandated at"), default=timezone.now)

    class Meta:
        ordering = ["-mandated_at", "-id"]
        verbose_name = _("protocol mandate")
        verbose_name_plural = _("protocol mandates")

    def __str__(self) -> str:
        return f"{self.team}: {self.effective_on}"
