"""The shared core: trading partners, sectors, organizations, supply relationships, people and
their roles, and the append-only case-event record every later state change writes to."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .integrity import ALL, Guarded, GuardedQuerySet, Integrity

if TYPE_CHECKING:
    from .dates import Deadline


class TradingPartner(models.Model):
    """A country party to the agreement the commission enforces."""

    class IncomeLevel(models.TextChoices):
        LOW = "low", _("Low income")
        LOWER_MIDDLE = "lower_middle", _("Lower-middle income")
        UPPER_MIDDLE = "upper_middle", _("Upper-middle income")
        HIGH = "high", _("High income")

    class LaborRelationsSystem(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise-level bargaining")
        SECTORAL = "sectoral", _("Sectoral bargaining")
        MIXED = "mixed", _("Mixed")
        STATE_LED = "state_led", _("State-led")

    code = models.CharField(_("ISO 3166-1 alpha-2 code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.CharField(_("region"), max_length=100)
    income_level = models.CharField(_("income level"), max_length=20, choices=IncomeLevel.choices)
    labor_relations_system = models.CharField(
        _("labor-relations system"), max_length=20, choices=LaborRelationsSystem.choices
    )

    class Meta:
        # Total: partners listed together (a version's applicability, a page) come
        # in the same order in every query, whatever its plan, even where two names are equal.
        ordering = ["name", "code"]
        verbose_name = _("trading partner")
        verbose_name_plural = _("trading partners")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{2}$"), name="tradingpartner_code_iso_alpha2"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Sector(models.Model):
    """An ISIC Rev. 4 class, group, division or section (e.g. "1410", "14", "C")."""

    isic_code = models.CharField(_("ISIC Rev. 4 code"), max_length=4, unique=True)
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        ordering = ["isic_code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        return f"{self.isic_code} {self.title}"


class Organization(models.Model):
    """Any body that files, is complained against, or supplies: unions, human-rights
    organizations, employers and workplaces, global corporations and government agencies."""

    class Kind(models.TextChoices):
        LABOR_ORGANIZATION = "labor_organization", _("Labor organization")
        HUMAN_RIGHTS_ORGANIZATION = "human_rights_organization", _("Human-rights organization")
        EMPLOYER = "employer", _("Employer / workplace")
        GLOBAL_CORPORATION = "global_corporation", _("Global corporation")
        GOVERNMENT_AGENCY = "government_agency", _("Government agency")
        GOVERNMENT = "government", _("Government")
        OTHER = "other", _("Other organization")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    country = models.ForeignKey(
        TradingPartner,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        related_name="organizations",
        null=True,
        blank=True,
    )
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        related_name="organizations",
        null=True,
        blank=True,
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organization"),
        help_text=_("E.g. the ministry a prison system belongs to."),
        on_delete=models.PROTECT,
        related_name="units",
        null=True,
        blank=True,
    )
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.UniqueConstraint(fields=["kind", "name", "country"], name="organization_unique")
        ]

    def __str__(self) -> str:
        return self.name


class SupplyRelationship(models.Model):
    """A global corporation supplied by a workplace during a period (sanction targets follow it)."""

    corporation = models.ForeignKey(
        Organization,
        verbose_name=_("buying corporation"),
        on_delete=models.PROTECT,
        related_name="supplier_links",
        limit_choices_to={"kind": Organization.Kind.GLOBAL_CORPORATION},
    )
    supplier = models.ForeignKey(
        Organization,
        verbose_name=_("supplier workplace"),
        on_delete=models.PROTECT,
        related_name="buyer_links",
        limit_choices_to={"kind": Organization.Kind.EMPLOYER},
    )
    products = models.CharField(_("products"), max_length=200, blank=True)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["corporation__name", "started_on"]
        verbose_name = _("supply relationship")
        verbose_name_plural = _("supply relationships")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="supplyrelationship_period_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(corporation=models.F("supplier")),
                name="supplyrelationship_distinct_parties",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} → {self.corporation}"

    def clean(self) -> None:
        if self.corporation_id and self.corporation.kind != Organization.Kind.GLOBAL_CORPORATION:
            raise ValidationError({"corporation": _("The buyer must be a global corporation.")})
        if self.supplier_id and self.supplier.kind != Organization.Kind.EMPLOYER:
            raise ValidationError({"supplier": _("The supplier must be an employer / workplace.")})


class Person(models.Model):
    """A natural person known to the commission, with or without a login."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        related_name="person",
        null=True,
        blank=True,
    )
    full_name = models.CharField(_("full name"), max_length=200)
    country = models.ForeignKey(
        TradingPartner,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        related_name="people",
        null=True,
        blank=True,
    )
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.full_name


class CommissionMember(models.Model):
    """A member: a worker representative or an independent jurist, seated for a country."""

    class Kind(models.TextChoices):
        WORKER_REPRESENTATIVE = "worker_representative", _("Worker representative")
        JURIST = "jurist", _("Jurist")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="memberships"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    country = models.ForeignKey(
        TradingPartner, verbose_name=_("country"), on_delete=models.PROTECT, related_name="members"
    )
    is_chair = models.BooleanField(_("chair"), default=False)
    seated_on = models.DateField(_("seated on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        ordering = ["country__name", "kind", "person__full_name"]
        verbose_name = _("commission member")
        verbose_name_plural = _("commission members")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "seated_on"], name="commissionmember_unique_seat"
            ),
            models.UniqueConstraint(
                fields=["is_chair"],
                condition=Q(is_chair=True, left_on__isnull=True),
                name="commissionmember_single_sitting_chair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_kind_display()}, {self.country.code})"


class StaffMember(models.Model):
    """Commission staff and inspectorate: intake, dockets, investigations."""

    person = models.OneToOneField(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="staff_role"
    )
    title = models.CharField(_("title"), max_length=120)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")

    def __str__(self) -> str:
        return f"{self.person} — {self.title}"


class InvestigativeTeam(models.Model):
    """A team of staff, local worker organizations, specialists and enforcement officials."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    country = models.ForeignKey(
        TradingPartner, verbose_name=_("country"), on_delete=models.PROTECT, related_name="teams"
    )
    sectors = models.ManyToManyField(Sector, verbose_name=_("sectors"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("investigative team")
        verbose_name_plural = _("investigative teams")

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    class Role(models.TextChoices):
        STAFF = "staff", _("Commission staff (decides when members disagree)")
        WORKER_ORGANIZATION = "worker_organization", _("Local worker organization")
        PRODUCTION_SPECIALIST = "production_specialist", _("Production specialist")
        HEALTH_SPECIALIST = "health_specialist", _("Occupational safety and health specialist")
        ENFORCEMENT_OFFICIAL = "enforcement_official", _("Enforcement official")
        INFORMAL_SECTOR = "informal_sector", _("Informal-sector organization")
        WOMENS_ORGANIZATION = "womens_organization", _("Women's organization")
        VILLAGE_ORGANIZATION = "village_organization", _("Village organization")

    team = models.ForeignKey(
        InvestigativeTeam,
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="team_memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("on behalf of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.UniqueConstraint(fields=["team", "person"], name="teammembership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.team} ({self.get_role_display()})"


class CourtUser(models.Model):
    """A judge or clerk who retrieves reasoned opinions and the record."""

    person = models.OneToOneField(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="court_role"
    )
    court = models.CharField(_("court"), max_length=200)

    class Meta:
        verbose_name = _("court user")
        verbose_name_plural = _("court users")

    def __str__(self) -> str:
        return f"{self.person} — {self.court}"


class OrganizationMembership(models.Model):
    """A person who may file and follow cases on behalf of an organization (delegation)."""

    class Role(models.TextChoices):
        ADMINISTRATOR = "administrator", _("Administrator (manages delegates)")
        DELEGATE = "delegate", _("Delegate (files and follows cases)")

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="delegates",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="delegations"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("organization delegate")
        verbose_name_plural = _("organization delegates")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "person"], name="organizationmembership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} for {self.organization}"


class CaseEventQuerySet(GuardedQuerySet["CaseEvent"]):
    def bulk_create(self, objs: Iterable[CaseEvent], *args: Any, **kwargs: Any) -> list[CaseEvent]:
        # The one exception: a legacy import appends a batch already linked into the chain by
        # `commission.services.case_events_import` (under the chain lock, hashed like any
        # other event and marked `imported`).
        from . import audit

        if audit.writing_through_service() and audit.importing():
            return super().bulk_create(objs, *args, **kwargs)
        raise ValidationError(
            _("Case events are appended one by one to the audit chain, by the services.")
        )

    def for_subject(self, obj: models.Model) -> CaseEventQuerySet:
        return self.filter(
            subject_type=ContentType.objects.get_for_model(obj), subject_id=str(obj.pk)
        )

    def public(self) -> CaseEventQuerySet:
        return self.filter(is_public=True)


CaseEventManager = models.Manager.from_queryset(CaseEventQuerySet)


class CaseEvent(Guarded):
    """One state change, written in the same transaction as the change itself.

    Append-only (`integrity`: every column frozen, including columns added later, and no
    delete). The public docket and every case timeline are read from these rows."""

    integrity = Integrity(
        why=_("case events are append-only: never changed, never deleted"),
        frozen=ALL,
        no_delete=True,
    )

    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Empty when the system itself acted (a deadline sweep, a task)."),
    )
    subject_type = models.ForeignKey(
        ContentType, verbose_name=_("subject type"), on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.CharField(_("subject id"), max_length=64)
    subject = GenericForeignKey("subject_type", "subject_id")
    docket_number = models.CharField(_("docket number"), max_length=40, blank=True, db_index=True)
    verb = models.CharField(_("what happened"), max_length=64)
    from_status = models.CharField(_("from status"), max_length=40, blank=True)
    to_status = models.CharField(_("to status"), max_length=40, blank=True)
    reason = models.TextField(_("why"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Shown on the public docket. Never set for events with confidential details."),
    )
    # The audit chain (commission/audit.py).
    recorded_at = models.DateTimeField(
        _("recorded at"),
        default=timezone.now,
        help_text=_("When the row was written (the event may be dated at an earlier fact)."),
    )
    imported = models.BooleanField(
        _("imported"), default=False, help_text=_("Written by a legacy import.")
    )
    sequence = models.BigIntegerField(_("place in the audit chain"), unique=True)
    previous_hash = models.CharField(_("hash of the previous event"), max_length=64)
    content_hash = models.CharField(_("hash of this event"), max_length=64)

    objects: ClassVar[CaseEventManager[CaseEvent]] = CaseEventManager()

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["subject_type", "subject_id", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.verb}"


@receiver(pre_save, sender=CaseEvent, dispatch_uid="commission.caseevent_written_by_service")
def _case_event_written_by_service(
    sender: type[CaseEvent], instance: CaseEvent, **kwargs: Any
) -> None:
    """A case event is written only by `commission.services.case_event_record`, which checks
    its verb and date and links it into the audit chain. Any other save is refused."""
    from . import audit

    if not audit.writing_through_service():
        raise ValidationError(
            _("Case events are written by the commission's services only (case_event_record).")
        )


class Heartbeat(models.Model):
    """Written by the periodic heartbeat task: proves beat scheduled it and a worker ran it."""

    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, db_index=True)
    worker = models.CharField(_("worker"), max_length=200)

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")
        get_latest_by = "recorded_at"

    def __str__(self) -> str:
        return f"{self.worker} at {self.recorded_at:%Y-%m-%d %H:%M:%S}"


# --- Statutory clocks ---------------------------------------------------------------------
# A clock is computed once, at the trigger (filing), by `commission.dates` and never moved:
# there is no extension, tolling or pause anywhere in the model. The sweep
# (`services.clock_sweep`, run by Celery beat every minute) sends reminders and escalations and
# records misses; the event itself (a hearing held, a decision issued) meets it. A window
# (`Clock.WINDOW_KINDS`) is never met or missed: the sweep closes it at its due instant.


class CommissionHoliday(models.Model):
    """A day the commission does not work, added by staff on top of the national calendar
    (`settings.COMMISSION_HOLIDAY_COUNTRY`, from the `holidays` package).

    A holiday only affects clocks started after it was entered: a clock's due instant is fixed
    when the clock starts."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(_("entered at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["date"]
        verbose_name = _("commission holiday")
        verbose_name_plural = _("commission holidays")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class Clock(Guarded):
    """A statutory deadline running against the commission for one case (any app's model).

    The subject is generic (content type + id, like CaseEvent) and duck-typed; see the subject
    protocol in `commission/services/clocks.py`."""

    class Kind(models.TextChoices):
        HEARING_BY = "hearing_by", _("Hearing held by")
        DECISION_BY = "decision_by", _("Final decision issued by")
        WRITTEN_ARGUMENTS_CLOSE = (
            "written_arguments_close",
            _("Post-hearing written arguments close"),
        )
        DISCLOSURE_DUE = "disclosure_due", _("Disclosure due")
        REMEDIAL_ORDER_DUE = "remedial_order_due", _("Remedial order due")
        BENCHMARK_REVIEW = "benchmark_review", _("Benchmark review")
        PUBLIC_NOTICE = "public_notice", _("Public notice period ends")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        MET = "met", _("Met")
        MISSED = "missed", _("Missed")
        CLOSED = "closed", _("Closed")

    # Windows, not obligations: the parties may act until the due instant (written arguments
    # after the hearing, a public notice period). Nothing is "met" or "missed": the sweep
    # closes the window when its due instant passes, sends no reminder or escalation, and the
    # timeliness statistics leave windows out (ADR 0022).
    WINDOW_KINDS: frozenset[str] = frozenset({Kind.WRITTEN_ARGUMENTS_CLOSE, Kind.PUBLIC_NOTICE})

    # Allowed transitions, as data. A missed clock stays missed for ever: a late completion is
    # recorded next to the miss (completed_at), never instead of it. A window only closes.
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.PENDING: frozenset({Status.MET, Status.MISSED, Status.CLOSED}),
        Status.MET: frozenset(),
        Status.MISSED: frozenset(),
        Status.CLOSED: frozenset(),
    }
    # The statuses a window may take (an obligation never closes, a window is never met or
    # missed).
    WINDOW_STATUSES: frozenset[str] = frozenset({Status.PENDING, Status.CLOSED})

    # Fields fixed when the clock starts (frozen by `integrity` below).
    IMMUTABLE_FIELDS = (
        "subject_type",
        "subject_id",
        "docket_number",
        "kind",
        "legal_basis",
        "legal_source",
        "trigger_event",
        "trigger_at",
        "days",
        "counting_rule",
        "time_zone",
        "nominal_last_day",
        "last_day",
        "moved_over",
        "due_at",
        "started_at",
    )
    # What never changes, declared once: the model, its queryset and the database triggers
    # (migration 0007, `InstallGuards`) all come from this.
    integrity = Integrity(
        why=_(
            "a statutory clock is never moved, extended, paused, reopened or deleted: no "
            "extension, tolling or pause exists, and a recorded miss stays a miss"
        ),
        frozen=IMMUTABLE_FIELDS,
        transitions=TRANSITIONS,
        set_once=(
            "met_at",
            "met_by_event",
            "missed_at",
            "miss_recorded_at",
            "completed_at",
            "completed_by_event",
            "closed_at",
        ),
        never_cleared={"next_action_at": {"status": [Status.PENDING]}},
        no_delete=True,
    )

    subject_type = models.ForeignKey(
        ContentType, verbose_name=_("subject type"), on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.CharField(_("subject id"), max_length=64)
    subject = GenericForeignKey("subject_type", "subject_id")
    docket_number = models.CharField(_("docket number"), max_length=40, blank=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    legal_basis = models.TextField(_("legal basis"))
    legal_source = models.CharField(_("source reference"), max_length=300, blank=True)
    trigger_event = models.CharField(_("trigger event"), max_length=64)
    trigger_at = models.DateTimeField(_("triggered at"))
    days = models.PositiveIntegerField(_("days"))
    counting_rule = models.CharField(_("counting rule"), max_length=64)
    time_zone = models.CharField(_("time zone"), max_length=64)
    nominal_last_day = models.DateField(_("nominal last day"))
    last_day = models.DateField(_("last day"))
    moved_over = models.JSONField(
        _("non-working days passed over"),
        default=list,
        blank=True,
        help_text=_("The weekend days and holidays the last day was moved back over."),
    )
    due_at = models.DateTimeField(_("due at"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    met_by_event = models.ForeignKey(
        CaseEvent,
        verbose_name=_("met by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    missed_at = models.DateTimeField(
        _("missed at"), null=True, blank=True, help_text=_("The due instant that passed.")
    )
    miss_recorded_at = models.DateTimeField(_("miss recorded at"), null=True, blank=True)
    completed_at = models.DateTimeField(
        _("completed late at"),
        null=True,
        blank=True,
        help_text=_("When the step finally happened after the clock was missed."),
    )
    completed_by_event = models.ForeignKey(
        CaseEvent,
        verbose_name=_("completed late by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    days_overdue = models.PositiveIntegerField(
        _("days overdue"),
        null=True,
        blank=True,
        help_text=_("For a missed clock: days past the last day (final once completed)."),
    )
    closed_at = models.DateTimeField(
        _("closed at"),
        null=True,
        blank=True,
        help_text=_("For a window: the due instant at which it closed."),
    )
    next_action_at = models.DateTimeField(
        _("next reminder or escalation at"),
        null=True,
        blank=True,
        help_text=_("Maintained by the sweep; empty when nothing is left to send."),
    )

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("statutory clock")
        verbose_name_plural = _("statutory clocks")
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(status="pending"),
                name="clock_pending_due",
            ),
            models.Index(
                fields=["next_action_at"],
                condition=Q(next_action_at__isnull=False),
                name="clock_next_action",
            ),
            models.Index(fields=["subject_type", "subject_id"], name="clock_subject"),
            models.Index(fields=["status", "due_at"], name="clock_status_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "kind"], name="clock_one_per_kind"
            ),
            models.CheckConstraint(condition=Q(days__gte=1), name="clock_days_positive"),
            models.CheckConstraint(
                condition=Q(due_at__gt=models.F("trigger_at")), name="clock_due_after_trigger"
            ),
            models.CheckConstraint(
                condition=Q(last_day__lte=models.F("nominal_last_day")),
                name="clock_never_moved_later",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        status="pending",
                        met_at__isnull=True,
                        missed_at__isnull=True,
                        closed_at__isnull=True,
                    )
                    | Q(
                        status="met",
                        met_at__isnull=False,
                        met_at__lte=models.F("due_at"),
                        missed_at__isnull=True,
                        closed_at__isnull=True,
                    )
                    | Q(
                        status="missed",
                        missed_at__isnull=False,
                        met_at__isnull=True,
                        closed_at__isnull=True,
                    )
                    | Q(
                        status="closed",
                        closed_at=models.F("due_at"),
                        met_at__isnull=True,
                        missed_at__isnull=True,
                        completed_at__isnull=True,
                    )
                ),
                name="clock_status_consistent",
            ),
            # A window closes; it is never met or missed (and an obligation never closes).
            models.CheckConstraint(
                condition=(
                    Q(
                        kind__in=["written_arguments_close", "public_notice"],
                        status__in=["pending", "closed"],
                    )
                    | (
                        ~Q(kind__in=["written_arguments_close", "public_notice"])
                        & ~Q(status="closed")
                    )
                ),
                name="clock_window_only_closes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.docket_number or self.subject_id} {self.get_kind_display()}"

    @property
    def is_window(self) -> bool:
        """A window (the parties may act until the due instant), not an obligation."""
        return self.kind in self.WINDOW_KINDS

    @property
    def deadline(self) -> Deadline:
        """The stored computation as a `commission.dates.Deadline` (for its explanation)."""
        from .dates import Deadline

        return Deadline.from_clock(self)

    def explain(self) -> str:
        return self.deadline.explain()

    def legal_basis_text(self) -> str:
        """The legal basis in the active language (the stored English text is the record;
        the statutory bases are in the catalog)."""
        from django.utils.translation import gettext

        return gettext(self.legal_basis) if self.legal_basis else ""

    def legal_source_text(self) -> str:
        from django.utils.translation import gettext

        return gettext(self.legal_source) if self.legal_source else ""


class ClockNotice(Guarded):
    """The claim of one reminder, escalation or miss notice of a clock.

    Keyed (clock, kind, offset) and unique: a notice is claimed at most once, however many
    sweeps run, in sequence or at the same time. Written once, as sent: never changed or
    deleted."""

    integrity = Integrity(
        why=_("a clock notice is recorded as sent: never changed, never deleted"),
        frozen=ALL,
        no_delete=True,
    )

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Reminder")
        AT_RISK = "at_risk", _("Deadline at risk (escalation to the chair)")
        MISSED = "missed", _("Deadline missed")
        OVERDUE = "overdue", _("Still overdue (daily escalation)")

    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        NOT_NEEDED = "not_needed", _("Not needed (the milestone was reached)")
        SUPERSEDED = "superseded", _("Not sent (replaced by a later notice with the current state)")

    clock = models.ForeignKey(
        Clock, verbose_name=_("clock"), on_delete=models.PROTECT, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    offset = models.IntegerField(
        _("offset"),
        help_text=_(
            "Reminder: days before the last day (0 = on the day). At risk: the day of the "
            "period checked. Missed: 0. Overdue: days since the miss."
        ),
    )
    scheduled_at = models.DateTimeField(_("scheduled for"))
    claimed_at = models.DateTimeField(_("sent at"), default=timezone.now)
    is_late = models.BooleanField(
        _("late"), default=False, help_text=_("Sent after its time (e.g. after an outage).")
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.SENT
    )
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        ordering = ["scheduled_at", "id"]
        verbose_name = _("clock notice")
        verbose_name_plural = _("clock notices")
        constraints = [
            models.UniqueConstraint(
                fields=["clock", "kind", "offset"], name="clocknotice_claimed_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.clock} {self.get_kind_display()} {self.offset}"


class Notification(models.Model):
    """An in-app notification to one user (also emailed when the user has an address)."""

    class EmailStatus(models.TextChoices):
        NONE = "none", _("No email address")
        PENDING = "pending", _("Waiting to be emailed")
        SENDING = "sending", _("Being emailed")
        SENT = "sent", _("Emailed")
        FAILED = "failed", _("Email failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    notice = models.ForeignKey(
        ClockNotice,
        verbose_name=_("clock notice"),
        on_delete=models.PROTECT,
        related_name="notifications",
        null=True,
        blank=True,
    )
    audience = models.CharField(_("audience"), max_length=16, blank=True)
    docket_number = models.CharField(_("docket number"), max_length=40, blank=True)
    subject_line = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("message"))
    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        help_text=_(
            'The subject and message in each language: {"es": {"subject": ..., "body": ...}}'
        ),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_status = models.CharField(
        _("email"), max_length=16, choices=EmailStatus.choices, default=EmailStatus.NONE
    )
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_inbox"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "recipient"],
                condition=Q(notice__isnull=False),
                name="notification_once_per_notice",
            )
        ]

    def __str__(self) -> str:
        return self.subject_line

    def localized(self, language: str | None = None) -> tuple[str, str]:
        """(subject, body) in `language` (default: the active language)."""
        from django.utils.translation import get_language

        language = (language or get_language() or "en").split("-")[0]
        text = self.translations.get(language)
        if text:
            return text["subject"], text["body"]
        return self.subject_line, self.body


class ApiToken(models.Model):
    """A personal API token (courts, teams, filers, staff): only its SHA-256 is stored, shown
    once when issued. It stops working when it expires or is revoked; staff issue and revoke
    tokens in the admin (commission.services.api_token_issue / api_token_revoke)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for."))
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    digest = models.CharField(_("SHA-256"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("issued at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class ConfidentialRead(Guarded):
    """One read of confidential data — a worker's identity or contact, a filer's contact, an
    interview record, a party's unredacted text, a record produced to a court under its order
    — by whom, of what, when, through which door and why (commission.confidential). Written
    before the data is shown; append-only (every column frozen, no delete), read by staff."""

    integrity = Integrity(
        why=_("the log of reads of confidential data is append-only"),
        frozen=ALL,
        no_delete=True,
    )

    class What(models.TextChoices):
        WORKER_IDENTITY = "worker_identity", _("Workers' identities and contact data")
        FILER_CONTACT = "filer_contact", _("The filer's contact email")
        INTERVIEW = "interview", _("An interview's identity and statement")
        INTERVIEW_FILE = "interview_file", _("An interview's file")
        UNREDACTED_TEXT = "unredacted_text", _("A party's text, unredacted")
        COURT_RECORD = "court_record", _("The confidential record, produced to a court")

    class Door(models.TextChoices):
        ADMIN = "admin", _("Staff workspace")
        PORTAL = "portal", _("Portal or team workspace")
        API = "api", _("REST API")
        SERVICE = "service", _("Service (command or task)")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Empty when the system itself read (a command, a task)."),
    )
    docket_number = models.CharField(_("docket number"), max_length=40, blank=True, db_index=True)
    what = models.CharField(_("what"), max_length=24, choices=What.choices)
    subject = models.CharField(
        _("of what"), max_length=120, help_text=_("The record read (never its content).")
    )
    door = models.CharField(_("door"), max_length=16, choices=Door.choices)
    purpose = models.CharField(
        _("why"),
        max_length=300,
        blank=True,
        help_text=_("The purpose, or the court order under which it was read."),
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("confidential data read")
        verbose_name_plural = _("confidential data reads")
        indexes = [models.Index(fields=["docket_number", "at"], name="confidentialread_case")]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.user or '—'} {self.get_what_display()} {self.subject}"
        )


# Webhooks (commission/webhooks.py) keep their models in a module of their own.
from .webhook_models import WebhookDelivery, WebhookSubscription  # noqa: E402, F401
