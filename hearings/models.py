"""Hearings and decisions: panels selected by the commission, open hearings within 60 days,
binding decisions within 90 days, and the register of issued reasoned opinions.

Every write goes through `hearings.services`; statuses and their allowed transitions are data
(`TRANSITIONS`). An issued opinion is immutable (model, queryset and a database trigger refuse
an UPDATE); a correction is a new, linked corrigendum. Sanction specifications and their
benchmarks carry stable public ids so that the sanctions app can take over their lifecycle.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commission.integrity import ALL, Guarded, Integrity
from commission.models import CommissionMember, Organization
from complaints.models import Allegation, Case, ComplianceStatement
from criteria.models import CriterionVersion

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise


def _user_fk(
    verbose_name: StrOrPromise, related_name: str = "+", **extra: Any
) -> models.ForeignKey[User | None, User | None]:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        related_name=related_name,
        null=True,
        blank=True,
        **extra,
    )


# --- Panels and conflicts ---------------------------------------------------------------


class Panel(models.Model):
    """The panel the commission selects from its members to hear and decide one case.

    Its composition (which kinds of member, from which country, who presides) is copied from
    `settings.HEARINGS_PANEL_COMPOSITION` when the panel is selected. No party nominates,
    objects to or vetoes a panelist: there is no field or service for it."""

    class Status(models.TextChoices):
        SEATED = "seated", _("Seated")
        INCOMPLETE = "incomplete", _("A seat is vacant (recusal); the commission fills it")

    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.SEATED: frozenset({Status.INCOMPLETE}),
        Status.INCOMPLETE: frozenset({Status.SEATED}),
    }

    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="panel"
    )
    composition = models.JSONField(
        _("composition"),
        help_text=_("The seats as configured when the panel was selected."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SEATED
    )
    selected_at = models.DateTimeField(_("selected at"), default=timezone.now)
    selected_by = _user_fk(_("selected by"))

    class Meta:
        verbose_name = _("panel")
        verbose_name_plural = _("panels")
        permissions = [("select_panel", _("Can select panels from the commission's members"))]

    def __str__(self) -> str:
        return str(_("Panel for %(docket)s") % {"docket": self.case.docket_number})

    @property
    def docket_number(self) -> str:
        return self.case.docket_number


class PanelSeat(models.Model):
    """One member's occupancy of one seat. A recusal closes the occupancy (it is kept on the
    record) and the commission fills the seat with a new row."""

    panel = models.ForeignKey(
        Panel, verbose_name=_("panel"), on_delete=models.PROTECT, related_name="seats"
    )
    position = models.PositiveSmallIntegerField(_("seat"))
    member = models.ForeignKey(
        CommissionMember,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="panel_seats",
    )
    presides = models.BooleanField(_("presides"), default=False)
    seated_at = models.DateTimeField(_("seated at"), default=timezone.now)
    vacated_at = models.DateTimeField(_("vacated at"), null=True, blank=True)
    vacated_reason = models.TextField(_("why the seat was vacated"), blank=True)

    class Meta:
        ordering = ["panel", "position", "seated_at"]
        verbose_name = _("panel seat")
        verbose_name_plural = _("panel seats")
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "position"],
                condition=Q(vacated_at__isnull=True),
                name="panelseat_one_sitting_per_seat",
            ),
            models.UniqueConstraint(
                fields=["panel", "member"],
                condition=Q(vacated_at__isnull=True),
                name="panelseat_member_sits_once",
            ),
            models.CheckConstraint(
                condition=Q(vacated_at__isnull=True) | ~Q(vacated_reason=""),
                name="panelseat_vacancy_reasoned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.panel} #{self.position}: {self.member}"


class MemberInterest(models.Model):
    """A standing tie a member declares to an organization (employment, office, membership,
    financial interest, representation, family). Checked against every case's parties."""

    class Nature(models.TextChoices):
        EMPLOYMENT = "employment", _("Employment or consultancy")
        OFFICE = "office", _("Office or board seat")
        MEMBERSHIP = "membership", _("Membership")
        FINANCIAL = "financial", _("Financial interest")
        REPRESENTATION = "representation", _("Legal or other representation")
        FAMILY = "family", _("Close family tie")
        OTHER = "other", _("Other tie")

    member = models.ForeignKey(
        CommissionMember,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="interests",
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    nature = models.CharField(_("nature"), max_length=16, choices=Nature.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)
    declared_by = _user_fk(_("declared by"))
    statement_reference = models.CharField(
        _("signed statement"),
        max_length=200,
        blank=True,
        help_text=_(
            "When staff record the declaration: the reference of the member's own signed statement."
        ),
    )

    class Meta:
        ordering = ["member", "organization__name"]
        verbose_name = _("declared interest")
        verbose_name_plural = _("declared interests")

    def __str__(self) -> str:
        return f"{self.member}: {self.get_nature_display()} — {self.organization}"


class ConflictDeclaration(models.Model):
    """A member's declaration, for one case, that they have — or have not — a conflict of
    interest. Append-only; the latest declaration counts. A member without a declaration of
    no conflict for the case cannot be seated."""

    member = models.ForeignKey(
        CommissionMember,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="conflict_declarations",
    )
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="+"
    )
    has_conflict = models.BooleanField(_("declares a conflict"))
    statement = models.TextField(_("statement"), blank=True)
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)
    declared_by = _user_fk(_("declared by"))
    statement_reference = models.CharField(
        _("signed statement"),
        max_length=200,
        blank=True,
        help_text=_(
            "When staff record the declaration: the reference of the member's own signed statement."
        ),
    )

    class Meta:
        ordering = ["member", "case", "declared_at", "id"]
        verbose_name = _("conflict-of-interest declaration")
        verbose_name_plural = _("conflict-of-interest declarations")
        constraints = [
            models.CheckConstraint(
                condition=Q(has_conflict=False) | ~Q(statement=""),
                name="conflictdeclaration_conflict_explained",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} / {self.case.docket_number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValidationError(_("A declaration is never changed; declare again."))
        super().save(*args, **kwargs)


# --- Hearings ---------------------------------------------------------------------------


class Hearing(models.Model):
    """The open hearing of a case, held no later than day 60 after filing, with public notice.

    There is no cancelled status: a hearing, once scheduled, is held (a complaining
    government's declaration of compliance does not cancel it)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled (public notice given)")
        HELD = "held", _("Held")

    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.SCHEDULED: frozenset({Status.HELD}),
        Status.HELD: frozenset(),
    }

    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="hearing"
    )
    panel = models.ForeignKey(
        Panel, verbose_name=_("panel"), on_delete=models.PROTECT, related_name="hearings"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED
    )
    scheduled_for = models.DateTimeField(_("scheduled for"), db_index=True)
    duration_minutes = models.PositiveIntegerField(_("expected duration (minutes)"), default=180)
    location = models.CharField(_("place"), max_length=300)
    virtual_url = models.URLField(_("virtual hearing link"), max_length=500, blank=True)
    notice_published_at = models.DateTimeField(_("public notice published at"))
    notice_text = models.TextField(_("public notice"), blank=True)
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    held_recorded_by = _user_fk(_("recorded as held by"))
    sequence = models.PositiveIntegerField(
        _("calendar sequence"),
        default=0,
        help_text=_("Raised at each rescheduling so calendar clients update the event."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = _user_fk(_("scheduled by"))

    class Meta:
        ordering = ["scheduled_for", "id"]
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")
        permissions = [
            ("schedule_hearing", _("Can schedule hearings and give public notice")),
            ("record_hearing", _("Can record hearings held, the record and consultations")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="scheduled", held_at__isnull=True)
                | Q(status="held", held_at__isnull=False),
                name="hearing_status_consistent",
            ),
            models.CheckConstraint(
                condition=Q(notice_published_at__lt=models.F("scheduled_for")),
                name="hearing_notice_before_hearing",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Hearing in %(docket)s") % {"docket": self.case.docket_number})

    @property
    def docket_number(self) -> str:
        return self.case.docket_number

    @property
    def ends_at(self) -> dt.datetime:
        return self.scheduled_for + dt.timedelta(minutes=self.duration_minutes)


class HearingParticipant(models.Model):
    """An organization or person registered to take part: complainants and supporting
    organizations present evidence and arguments alongside the governments."""

    class Role(models.TextChoices):
        COMPLAINANT = "complainant", _("Complainant")
        SUPPORTING_ORGANIZATION = "supporting_organization", _("Supporting organization")
        COMPLAINING_GOVERNMENT = "complaining_government", _("Complaining government")
        RESPONDENT = "respondent", _("Respondent")
        INVESTIGATIVE_TEAM = "investigative_team", _("Investigative team")

    hearing = models.ForeignKey(
        Hearing,
        verbose_name=_("hearing"),
        on_delete=models.PROTECT,
        related_name="participants",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    public_label = models.CharField(
        _("name shown to the public"),
        max_length=200,
        help_text=_("A pseudonym where the identity is withheld."),
    )
    user = _user_fk(_("account"))
    presents_evidence = models.BooleanField(_("presents evidence and arguments"), default=True)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    registered_by = _user_fk(_("registered by"))

    class Meta:
        ordering = ["hearing", "registered_at", "id"]
        verbose_name = _("hearing participant")
        verbose_name_plural = _("hearing participants")
        constraints = [
            models.UniqueConstraint(
                fields=["hearing", "organization"],
                condition=Q(organization__isnull=False),
                name="hearingparticipant_org_once",
            ),
            models.CheckConstraint(
                condition=Q(organization__isnull=False) | Q(user__isnull=False),
                name="hearingparticipant_identified",
            ),
        ]

    def __str__(self) -> str:
        return self.public_label


def record_upload_to(instance: HearingRecordItem | Submission, filename: str) -> str:
    """Content-addressed: the same bytes are stored once, under their SHA-256."""
    digest = instance.sha256
    suffix = "." + filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else ""
    return f"hearings/record/{digest[:2]}/{digest}{suffix}"


class Submission(models.Model):
    """Written evidence or arguments filed by a participant: before the hearing, or — for
    written arguments — after it, within the window that closes before the decision deadline."""

    class Kind(models.TextChoices):
        WRITTEN_EVIDENCE = "written_evidence", _("Written evidence (before the hearing)")
        WRITTEN_ARGUMENT = "written_argument", _("Written argument (before the hearing)")
        POST_HEARING_ARGUMENT = "post_hearing_argument", _("Written argument after the hearing")

    PRE_HEARING = frozenset({Kind.WRITTEN_EVIDENCE, Kind.WRITTEN_ARGUMENT})

    hearing = models.ForeignKey(
        Hearing, verbose_name=_("hearing"), on_delete=models.PROTECT, related_name="submissions"
    )
    participant = models.ForeignKey(
        HearingParticipant,
        verbose_name=_("filed by"),
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"))
    file = models.FileField(_("attachment"), upload_to=record_upload_to, max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256 of the attachment"), max_length=64, blank=True)
    is_public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("Off when the submission names workers or carries confidential records."),
    )
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    filed_by = _user_fk(_("filed by (account)"))
    # The redaction queue: a public submission's title and attachment are shown to the public
    # only once staff have reviewed it (until then the public sees its number and kind only,
    # whatever the title says, so a title cannot be used to test a guessed name).
    public_title = models.CharField(_("public title (reviewed)"), max_length=300, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = _user_fk(_("reviewed by"))

    class Meta:
        ordering = ["hearing", "number"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(fields=["hearing", "number"], name="submission_number"),
        ]

    def __str__(self) -> str:
        # The number only: the title is a party's free text, read through the case's redactor
        # where it is shown (docs/adr/0032), never by the plain name of the row.
        return f"S-{self.number}"

    @property
    def case_id(self) -> int:
        return self.hearing.case_id


class HearingRecordItem(models.Model):
    """The record of the hearing: minutes, transcript, recordings, exhibits. Stored by content
    hash; never replaced (a corrected transcript is a new item)."""

    class Kind(models.TextChoices):
        MINUTES = "minutes", _("Minutes")
        TRANSCRIPT = "transcript", _("Transcript")
        RECORDING = "recording", _("Recording")
        EXHIBIT = "exhibit", _("Exhibit")

    hearing = models.ForeignKey(
        Hearing, verbose_name=_("hearing"), on_delete=models.PROTECT, related_name="record"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=300)
    file = models.FileField(_("file"), upload_to=record_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    is_public = models.BooleanField(_("public"), default=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    uploaded_by = _user_fk(_("uploaded by"))

    class Meta:
        ordering = ["hearing", "uploaded_at", "id"]
        verbose_name = _("hearing record item")
        verbose_name_plural = _("hearing record")
        constraints = [
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="hearingrecord_sha256_hex"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description}"

    @property
    def case_id(self) -> int:
        return self.hearing.case_id


class GovernmentConsultation(models.Model):
    """A consultation between the governments, held inside the 60 days before the hearing.
    A declaration of compliance is recorded; it never cancels the hearing."""

    class Outcome(models.TextChoices):
        CONTINUING = "continuing", _("Consultations continue")
        NO_AGREEMENT = "no_agreement", _("No agreement")
        COMPLIANCE_DECLARED = (
            "compliance_declared",
            _("The complaining government declares the respondent compliant"),
        )

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="consultations"
    )
    requesting_government = models.ForeignKey(
        Organization,
        verbose_name=_("requesting government"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    responding_government = models.ForeignKey(
        Organization,
        verbose_name=_("responding government"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    held_on = models.DateField(_("held on"))
    summary = models.TextField(_("summary"))
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices)
    compliance_statement = models.OneToOneField(
        ComplianceStatement,
        verbose_name=_("compliance statement"),
        on_delete=models.PROTECT,
        related_name="consultation",
        null=True,
        blank=True,
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = _user_fk(_("recorded by"))

    class Meta:
        ordering = ["case", "held_on", "id"]
        verbose_name = _("government consultation")
        verbose_name_plural = _("government consultations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(requesting_government=models.F("responding_government")),
                name="consultation_two_governments",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="compliance_declared") | Q(compliance_statement__isnull=False),
                name="consultation_compliance_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.docket_number} {self.held_on:%Y-%m-%d}"


# --- Decisions --------------------------------------------------------------------------


class Decision(Guarded):
    """The binding decision on a complaint, or the domestic commission's decision on a
    petition: for each allegation, the findings of fact, the criteria versions in force on the
    relevant date, the determination and the reasoning — and, where any violation is found on a
    complaint, the sanctions with their benchmarks.

    Issuing is one transaction at the end of the opinion render: the reasoned opinion enters
    the register, the decision becomes issued and takes effect, the case is decided and the
    decision-by clock is met. A failed render leaves the decision `issuing`, never half-issued.
    """

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("Decision on a complaint")
        PETITION = "petition", _("Decision on a petition")

    class Adoption(models.TextChoices):
        PANEL = "panel", _("The panel decides")
        COMMISSION = "commission", _("The commission adopts on the panel's recommendation")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (the panel deliberates)")
        RECOMMENDED = "recommended", _("Recommended by the panel to the commission")
        ISSUING = "issuing", _("Adopted; the reasoned opinion is being rendered")
        ISSUED = "issued", _("Issued (in effect)")

    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.DRAFT: frozenset({Status.RECOMMENDED, Status.ISSUING}),
        Status.RECOMMENDED: frozenset({Status.DRAFT, Status.ISSUING}),
        Status.ISSUING: frozenset({Status.ISSUED}),
        Status.ISSUED: frozenset(),
    }
    FROZEN = frozenset({Status.ISSUING, Status.ISSUED})
    # Declared once (model, queryset and database triggers): an issued decision never changes
    # and never goes back; no decision is ever deleted. What hangs from it (findings, facts,
    # criteria applied, sanctions, benchmarks) declares the same once it is issued.
    integrity = Integrity(
        why=_("an issued decision never changes and never goes back; decisions are never deleted"),
        frozen=ALL,
        frozen_when=Q(status="issued"),
        transitions=TRANSITIONS,
        no_delete=True,
    )

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="decision"
    )
    panel = models.ForeignKey(
        Panel, verbose_name=_("panel"), on_delete=models.PROTECT, related_name="decisions"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    adoption = models.CharField(_("adoption"), max_length=16, choices=Adoption.choices)
    language = models.CharField(_("language of the opinion"), max_length=8)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    introduction = models.TextField(_("introduction"), blank=True)
    filing_government = models.ForeignKey(
        Organization,
        verbose_name=_("government in whose name the complaint is filed"),
        help_text=_("Petitions granted only."),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    created_by = _user_fk(_("opened by"))
    recommended_at = models.DateTimeField(_("recommended at"), null=True, blank=True)
    recommended_by = _user_fk(_("recommended by"))
    adopted_at = models.DateTimeField(
        _("adopted at"),
        null=True,
        blank=True,
        help_text=_("The date the opinion bears; fixed when issuing is ordered."),
    )
    adopted_by = _user_fk(_("adopted by"))
    adoption_record = models.CharField(
        _("adoption record"),
        max_length=300,
        blank=True,
        help_text=_("E.g. the minutes of the commission's vote, when the commission adopts."),
    )
    issued_at = models.DateTimeField(_("issued at (takes effect)"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-created_at"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        permissions = [
            ("draft_decision", _("Can draft findings, determinations and sanctions")),
            ("adopt_decision", _("Can adopt and issue decisions")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["issuing", "issued"]) | Q(adopted_at__isnull=False),
                name="decision_frozen_is_adopted",
            ),
            models.CheckConstraint(
                condition=~Q(status="issued") | Q(issued_at__isnull=False),
                name="decision_issued_dated",
            ),
            models.CheckConstraint(
                condition=Q(kind="petition") | Q(filing_government__isnull=True),
                name="decision_filing_government_petitions_only",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Decision in %(docket)s") % {"docket": self.case.docket_number})

    @property
    def docket_number(self) -> str:
        return self.case.docket_number

    @property
    def is_frozen(self) -> bool:
        return self.status in self.FROZEN

    @property
    def effective_at(self) -> dt.datetime | None:
        """A decision takes effect when issued."""
        return self.issued_at


class AllegationFinding(Guarded):
    """The panel's finding on one allegation."""

    integrity = Integrity(
        why=_("the findings of an issued decision never change"),
        frozen=ALL,
        frozen_when=Q(decision__status="issued"),
        no_delete=Q(decision__status="issued"),
        frozen_with="decision",
    )

    class Determination(models.TextChoices):
        PENDING = "", _("Not yet determined")
        VIOLATION = "violation", _("Violation")
        NO_VIOLATION = "no_violation", _("No violation")

    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.PROTECT, related_name="findings"
    )
    allegation = models.ForeignKey(
        Allegation, verbose_name=_("allegation"), on_delete=models.PROTECT, related_name="+"
    )
    relevant_date = models.DateField(
        _("relevant date"), help_text=_("The criteria in force on this date are applied.")
    )
    determination = models.CharField(
        _("determination"), max_length=16, choices=Determination.choices, blank=True
    )
    reasoning = models.TextField(_("reasoning"), blank=True)

    class Meta:
        ordering = ["decision", "allegation__number"]
        verbose_name = _("finding on an allegation")
        verbose_name_plural = _("findings on allegations")
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "allegation"], name="allegationfinding_once"
            ),
            models.CheckConstraint(
                condition=Q(determination__in=["", "violation", "no_violation"]),
                name="allegationfinding_determination_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision.docket_number} / {self.allegation.number}"


class FactFinding(Guarded):
    """One finding of fact, drawn from the record (an investigation finding, a submission, the
    hearing record, evidence filed with the case)."""

    integrity = Integrity(
        why=_("the findings of fact of an issued decision never change"),
        frozen=ALL,
        frozen_when=Q(finding__decision__status="issued"),
        no_delete=Q(finding__decision__status="issued"),
        frozen_with="finding",
    )

    finding = models.ForeignKey(
        AllegationFinding,
        verbose_name=_("finding"),
        on_delete=models.CASCADE,
        related_name="facts",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(_("finding of fact"))
    source_type = models.ForeignKey(
        ContentType,
        verbose_name=_("record item type"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    source_id = models.CharField(_("record item id"), max_length=64, blank=True)
    source_label = models.CharField(_("drawn from"), max_length=300)

    class Meta:
        ordering = ["finding", "position"]
        verbose_name = _("finding of fact")
        verbose_name_plural = _("findings of fact")
        constraints = [
            models.UniqueConstraint(fields=["finding", "position"], name="factfinding_position")
        ]

    def __str__(self) -> str:
        return self.text[:80]


class CriterionApplication(Guarded):
    """A criterion version applied to a finding: the version in force on the relevant date."""

    integrity = Integrity(
        why=_("the criteria applied by an issued decision never change"),
        frozen=ALL,
        frozen_when=Q(finding__decision__status="issued"),
        no_delete=Q(finding__decision__status="issued"),
        frozen_with="finding",
    )

    finding = models.ForeignKey(
        AllegationFinding,
        verbose_name=_("finding"),
        on_delete=models.CASCADE,
        related_name="applications",
    )
    version = models.ForeignKey(
        CriterionVersion,
        verbose_name=_("criterion version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    analysis = models.TextField(_("how the criterion applies to the facts"), blank=True)

    class Meta:
        ordering = ["finding", "position"]
        verbose_name = _("criterion applied")
        verbose_name_plural = _("criteria applied")
        constraints = [
            models.UniqueConstraint(fields=["finding", "version"], name="criterionapplication_once")
        ]

    def __str__(self) -> str:
        return self.version.identifier


# --- Reasoned opinions ------------------------------------------------------------------


class Corrigendum(models.Model):
    """A correction of an issued opinion. The opinion is never edited: the corrigendum is its
    own document, rendered and registered like the opinion, and linked to it."""

    class Status(models.TextChoices):
        ISSUING = "issuing", _("Being rendered")
        ISSUED = "issued", _("Issued")

    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.ISSUING: frozenset({Status.ISSUED}),
        Status.ISSUED: frozenset(),
    }

    opinion = models.ForeignKey(
        "Opinion",
        verbose_name=_("opinion corrected"),
        on_delete=models.PROTECT,
        related_name="corrigenda",
    )
    number = models.PositiveSmallIntegerField(_("number"))
    corrections = models.JSONField(
        _("corrections"),
        help_text=_('[{"where": "...", "reads": "...", "should_read": "..."}]'),
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ISSUING
    )
    ordered_at = models.DateTimeField(_("ordered at"), default=timezone.now)
    ordered_by = _user_fk(_("ordered by"))

    class Meta:
        ordering = ["opinion", "number"]
        verbose_name = _("corrigendum")
        verbose_name_plural = _("corrigenda")
        constraints = [
            models.UniqueConstraint(fields=["opinion", "number"], name="corrigendum_number")
        ]

    def __str__(self) -> str:
        return str(
            _("Corrigendum %(n)s to %(docket)s")
            % {"n": self.number, "docket": self.opinion.docket_number}
        )

    @property
    def decision(self) -> Decision:
        return self.opinion.decision


class OpinionRender(models.Model):
    """A render of a reasoned opinion (or a corrigendum) as a job whose status the task
    updates. The opinion enters the register only when the whole render has succeeded."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RENDERING = "rendering", _("Rendering")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.QUEUED: frozenset({Status.RENDERING}),
        # RENDERING -> QUEUED: a render whose worker died is reclaimed by the sweep.
        Status.RENDERING: frozenset({Status.DONE, Status.FAILED, Status.QUEUED}),
        Status.FAILED: frozenset({Status.QUEUED}),
        Status.DONE: frozenset(),
    }

    decision = models.ForeignKey(
        Decision,
        verbose_name=_("decision"),
        on_delete=models.PROTECT,
        related_name="renders",
        null=True,
        blank=True,
    )
    corrigendum = models.ForeignKey(
        Corrigendum,
        verbose_name=_("corrigendum"),
        on_delete=models.PROTECT,
        related_name="renders",
        null=True,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("reason of the failure"), blank=True)
    seconds = models.FloatField(_("render time (s)"), null=True, blank=True)
    requested_by = _user_fk(_("requested by"))

    class Meta:
        ordering = ["-queued_at", "-id"]
        verbose_name = _("opinion render")
        verbose_name_plural = _("opinion renders")
        permissions = [("retry_render", _("Can retry a failed opinion render"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__isnull=False, corrigendum__isnull=True)
                | Q(decision__isnull=True, corrigendum__isnull=False),
                name="opinionrender_one_document",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""),
                name="opinionrender_failure_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"render #{self.pk} ({self.get_status_display()})"


def opinion_upload_to(instance: Opinion, filename: str) -> str:
    return f"opinions/{instance.sha256[:2]}/{instance.sha256}.pdf"


class Opinion(Guarded):
    """The register of issued reasoned opinions (and corrigenda): the PDF as issued, stored
    under its SHA-256. Written once; never edited or deleted."""

    integrity = Integrity(
        why=_("an issued opinion is never edited or deleted; a correction is a corrigendum"),
        frozen=ALL,
        no_delete=True,
    )

    class Kind(models.TextChoices):
        OPINION = "opinion", _("Reasoned opinion")
        CORRIGENDUM = "corrigendum", _("Corrigendum")

    reference = models.CharField(_("reference"), max_length=60, unique=True)
    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.PROTECT, related_name="opinions"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    corrigendum = models.OneToOneField(
        Corrigendum,
        verbose_name=_("corrigendum"),
        on_delete=models.PROTECT,
        related_name="issued_as",
        null=True,
        blank=True,
    )
    docket_number = models.CharField(_("docket number"), max_length=40, db_index=True)
    language = models.CharField(_("language"), max_length=8)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    file = models.FileField(_("PDF"), upload_to=opinion_upload_to, max_length=200)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    page_count = models.PositiveIntegerField(_("pages"))
    signed = models.BooleanField(_("signed (PAdES)"), default=False)
    signer = models.CharField(_("signed by (certificate subject)"), max_length=300, blank=True)
    signer_certificate_sha256 = models.CharField(
        _("signing certificate SHA-256"), max_length=64, blank=True
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    render = models.OneToOneField(
        OpinionRender,
        verbose_name=_("render"),
        on_delete=models.PROTECT,
        related_name="opinion",
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("issued opinion")
        verbose_name_plural = _("register of issued opinions")
        permissions = [("correct_opinion", _("Can issue a corrigendum to an opinion"))]
        # The register's order (the API's cursor pagination, the portal's list): read from
        # the index instead of sorting every opinion (docs/performance.md).
        indexes = [models.Index(fields=["-issued_at", "-id"], name="opinion_register_order")]
        constraints = [
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="opinion_sha256_hex"
            ),
            models.CheckConstraint(
                condition=Q(kind="opinion", corrigendum__isnull=True)
                | Q(kind="corrigendum", corrigendum__isnull=False),
                name="opinion_kind_consistent",
            ),
            models.UniqueConstraint(
                fields=["decision"],
                condition=Q(kind="opinion"),
                name="opinion_one_per_decision",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class FindingCitation(Guarded):
    """An investigation finding the panel relies on, cited by the decision (hearings reads
    investigations, never the reverse). Cited while the decision is a draft
    (`hearings.citations`); frozen with the decision once issued. The opinion shows the
    finding's criterion version, result and measured values — never an interview."""

    integrity = Integrity(
        why=_("the investigation findings an issued decision cites never change"),
        frozen=ALL,
        frozen_when=Q(decision__status="issued"),
        no_delete=Q(decision__status="issued"),
        frozen_with="decision",
    )

    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.PROTECT, related_name="citations"
    )
    finding = models.ForeignKey(
        "investigations.Finding",
        verbose_name=_("investigation finding"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    reliance = models.TextField(_("what the panel relies on it for"))
    cited_by = _user_fk(_("cited by"))
    cited_at = models.DateTimeField(_("cited at"), default=timezone.now)

    class Meta:
        ordering = ["decision", "position"]
        verbose_name = _("investigation finding cited")
        verbose_name_plural = _("investigation findings cited")
        constraints = [
            models.UniqueConstraint(fields=["decision", "finding"], name="citation_once"),
            models.UniqueConstraint(fields=["decision", "position"], name="citation_position"),
        ]

    def __str__(self) -> str:
        return f"{self.decision} — C{self.position}"


# --- Courts ---------------------------------------------------------------------------------


class CourtOrder(Guarded):
    """A court's order on a case, recorded by staff (`hearings.court.court_order_record`): an
    order compelling a filing, the production of the record, or its production with the
    confidential parts (workers' identities, interview records, unredacted text). An order
    addresses one court user, who alone reads what it grants through the API's record of the
    case (`/api/v1/docket/{n}/record/`). Frozen once recorded: never changed, never deleted."""

    integrity = Integrity(
        why=_("a court's order is recorded as issued: never changed, never deleted"),
        frozen=ALL,
        no_delete=True,
    )

    class Kind(models.TextChoices):
        COMPEL_FILING = "compel_filing", _("Order compelling a filing")
        PRODUCE_RECORD = "produce_record", _("Order to produce the record")
        DISCLOSE_CONFIDENTIAL = (
            "disclose_confidential",
            _("Order to produce the record with its confidential parts"),
        )

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="court_orders"
    )
    court_user = models.ForeignKey(
        "commission.CourtUser",
        verbose_name=_("court user addressed"),
        on_delete=models.PROTECT,
        related_name="orders",
    )
    court = models.CharField(_("court"), max_length=200)
    court_case_number = models.CharField(_("court case number"), max_length=80)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    order_date = models.DateField(_("order dated"))
    text = models.TextField(_("what the court ordered"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = _user_fk(_("recorded by"))

    class Meta:
        ordering = ["order_date", "id"]
        verbose_name = _("court order")
        verbose_name_plural = _("court orders")
        permissions = [("record_court_order", _("Can record a court's order on a case"))]

    def __str__(self) -> str:
        return f"{self.court} {self.court_case_number} — {self.get_kind_display()}"

    @property
    def grants_confidential(self) -> bool:
        return self.kind == self.Kind.DISCLOSE_CONFIDENTIAL
