"""Sanctions: what a decision orders against a violation, in force from the decision's issue,
lifted only step by step on verified compliance after a public hearing (docs/adr/0060).

A decision's sanctions are specified while it is drafted (`SanctionSpecification`, with its
ordered `SanctionBenchmark`s) and are part of it (frozen with it). Its issue puts each one in
force as a `SanctionOrder`. From then on nothing is edited or deleted: a verification, a
notice, a hearing, a lifted step and a waiver are each a new record, and the magnitude in force
is the ordered magnitude less the steps lifted (`selectors`). The two specification tables keep
the names they had when the hearings app held them.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from commission.integrity import ALL, Guarded, Integrity
from commission.models import InvestigativeTeam, Organization, Sector, SupplyRelationship
from commission.models import TradingPartner as Country
from criteria.models import CriterionVersion
from hearings.models import AllegationFinding, Decision

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise


def _user_fk(verbose_name: StrOrPromise) -> models.ForeignKey[User | None, User | None]:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )


# --- As ordered by the decision ---------------------------------------------------------


class SanctionSpecification(Guarded):
    """A sanction ordered by a decision: its target, instrument, magnitude and the benchmarks
    of actual compliance for lifting it. Part of the decision (frozen with it); once the
    decision is issued its `SanctionOrder` puts it in force. Its level is set to deter, never
    to compensate — there is no measure of trade effect anywhere in it: its magnitude must
    exceed the estimated benefit of non-compliance to the target, in the same unit."""

    integrity = Integrity(
        why=_("the sanctions of an issued decision never change"),
        frozen=ALL,
        frozen_when=Q(decision__status="issued"),
        no_delete=Q(decision__status="issued"),
        frozen_with="decision",
        frozen_m2m=("findings",),
    )

    class Target(models.TextChoices):
        COUNTRY = "country", _("Country-wide")
        SECTOR = "sector", _("Sector")
        FIRM = "firm", _("Firm (employer / workplace)")
        GOVERNMENT_ENTITY = "government_entity", _("Government entity")
        GLOBAL_CORPORATION = (
            "global_corporation",
            _("Global corporation supplied by the workplace"),
        )

    class Instrument(models.TextChoices):
        TARIFF = "tariff", _("Tariff")
        QUOTA = "quota", _("Quota")
        MONETARY_PENALTY = "monetary_penalty", _("Monetary penalty")
        BENEFIT_WITHDRAWAL = "benefit_withdrawal", _("Withdrawal or suspension of trade benefits")

    class PenaltyPeriod(models.TextChoices):
        ONCE = "once", _("once")
        MONTHLY = "monthly", _("per month")
        YEARLY = "yearly", _("per year")

    class Unit(models.TextChoices):
        PERCENT_AD_VALOREM = "percent_ad_valorem", _("percent ad valorem")
        PERCENT_REDUCTION = "percent_reduction", _("percent reduction of the quantity admitted")
        CURRENCY = "currency", _("amount of money")
        PERCENT_OF_BENEFITS = "percent_of_benefits", _("percent of the benefits withdrawn")

    # Which instruments fit which targets (data, checked by the service).
    INSTRUMENTS_FOR_TARGET: dict[str, frozenset[str]] = {
        Target.COUNTRY: frozenset(
            {Instrument.TARIFF, Instrument.QUOTA, Instrument.BENEFIT_WITHDRAWAL}
        ),
        Target.SECTOR: frozenset(
            {Instrument.TARIFF, Instrument.QUOTA, Instrument.BENEFIT_WITHDRAWAL}
        ),
        Target.FIRM: frozenset({Instrument.TARIFF, Instrument.QUOTA, Instrument.MONETARY_PENALTY}),
        Target.GOVERNMENT_ENTITY: frozenset(
            {Instrument.MONETARY_PENALTY, Instrument.BENEFIT_WITHDRAWAL}
        ),
        Target.GLOBAL_CORPORATION: frozenset(
            {Instrument.TARIFF, Instrument.QUOTA, Instrument.MONETARY_PENALTY}
        ),
    }
    UNITS_FOR_INSTRUMENT: dict[str, frozenset[str]] = {
        Instrument.TARIFF: frozenset({Unit.PERCENT_AD_VALOREM}),
        Instrument.QUOTA: frozenset({Unit.PERCENT_REDUCTION}),
        Instrument.MONETARY_PENALTY: frozenset({Unit.CURRENCY}),
        Instrument.BENEFIT_WITHDRAWAL: frozenset({Unit.PERCENT_OF_BENEFITS}),
    }

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.PROTECT, related_name="sanctions"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    target = models.CharField(_("target"), max_length=24, choices=Target.choices)
    target_country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    target_sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    target_organization = models.ForeignKey(
        Organization,
        verbose_name=_("firm, entity or corporation"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    supply_relationship = models.ForeignKey(
        SupplyRelationship,
        verbose_name=_("supplied by (workplace)"),
        help_text=_("For a global corporation: the violating workplace that supplies it."),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    instrument = models.CharField(_("instrument"), max_length=24, choices=Instrument.choices)
    magnitude = models.DecimalField(_("magnitude"), max_digits=18, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=24, choices=Unit.choices)
    currency = models.CharField(_("currency (ISO 4217)"), max_length=3, blank=True)
    description = models.TextField(_("terms"))
    deterrence_reasoning = models.TextField(
        _("why this level deters"),
        help_text=_("A sanction is set to deter violation, not to compensate."),
    )
    findings = models.ManyToManyField(
        AllegationFinding, verbose_name=_("findings it answers"), related_name="sanctions"
    )
    penalty_period = models.CharField(
        _("period of the penalty"), max_length=12, choices=PenaltyPeriod.choices, blank=True
    )
    estimated_benefit = models.DecimalField(
        _("estimated benefit of non-compliance"),
        help_text=_("To the target, in the sanction's unit: the magnitude must exceed it."),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
    )
    benefit_method = models.TextField(_("how the benefit was estimated"), blank=True)

    class Meta:
        db_table = "hearings_sanctionspecification"
        ordering = ["decision", "number"]
        verbose_name = _("sanction (as ordered)")
        verbose_name_plural = _("sanctions (as ordered)")
        constraints = [
            models.UniqueConstraint(fields=["decision", "number"], name="sanctionspec_number"),
            models.CheckConstraint(condition=Q(magnitude__gt=0), name="sanctionspec_magnitude"),
            models.CheckConstraint(
                condition=~Q(unit="currency") | Q(currency__regex=r"^[A-Z]{3}$"),
                name="sanctionspec_currency_given",
            ),
            models.CheckConstraint(
                condition=(
                    Q(target="country", target_country__isnull=False)
                    | Q(target="sector", target_sector__isnull=False, target_country__isnull=False)
                    | Q(
                        target__in=["firm", "government_entity"],
                        target_organization__isnull=False,
                    )
                    | Q(
                        target="global_corporation",
                        target_organization__isnull=False,
                        supply_relationship__isnull=False,
                    )
                ),
                name="sanctionspec_target_identified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision.docket_number} S{self.number}: {self.target_label}"

    @property
    def target_label(self) -> str:
        if self.target == self.Target.COUNTRY and self.target_country is not None:
            return self.target_country.name
        # A sector is named with its country (the target's constraint requires both).
        if (
            self.target == self.Target.SECTOR
            and self.target_sector_id
            and self.target_country is not None
        ):
            return f"{self.target_sector} ({self.target_country.name})"
        if self.target_organization is not None:
            return self.target_organization.name
        return ""

    @property
    def magnitude_display(self) -> str:
        value = format(self.magnitude.normalize(), "f")
        if self.unit == self.Unit.CURRENCY:
            period = f" {self.get_penalty_period_display()}" if self.penalty_period else ""
            return f"{self.currency} {value}{period}"
        templates: dict[str, StrOrPromise] = {
            self.Unit.PERCENT_AD_VALOREM: _("%(value)s %% ad valorem"),
            self.Unit.PERCENT_REDUCTION: _("%(value)s %% reduction of the quantity admitted"),
            self.Unit.PERCENT_OF_BENEFITS: _("%(value)s %% of the benefits withdrawn"),
        }
        return str(templates[self.unit] % {"value": value})


class SanctionBenchmark(Guarded):
    """A benchmark of actual compliance (a measured outcome in the workplaces) whose verified
    attainment lifts the stated share of the sanction; the sanction lifts fully only when all
    of its benchmarks are met."""

    integrity = Integrity(
        why=_("the benchmarks of an issued decision never change"),
        frozen=ALL,
        frozen_when=Q(sanction__decision__status="issued"),
        no_delete=Q(sanction__decision__status="issued"),
        frozen_with="sanction",
    )

    class Direction(models.TextChoices):
        AT_LEAST = "at_least", _("at least (≥)")
        AT_MOST = "at_most", _("at most (≤)")
        ACHIEVED = "achieved", _("achieved (yes/no)")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    sanction = models.ForeignKey(
        SanctionSpecification,
        verbose_name=_("sanction"),
        on_delete=models.PROTECT,
        related_name="benchmarks",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    description = models.TextField(_("benchmark"))
    criterion_version = models.ForeignKey(
        CriterionVersion,
        verbose_name=_("criterion measured"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    metric = models.CharField(_("measured outcome"), max_length=200)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    target_value = models.DecimalField(
        _("target value"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=64, blank=True)
    verification_method = models.TextField(_("how attainment is verified"))
    lift_share_percent = models.DecimalField(
        _("share of the sanction lifted when verified (%)"), max_digits=5, decimal_places=2
    )

    class Meta:
        db_table = "hearings_sanctionbenchmark"
        ordering = ["sanction", "position"]
        verbose_name = _("benchmark for lifting")
        verbose_name_plural = _("benchmarks for lifting")
        constraints = [
            models.UniqueConstraint(fields=["sanction", "position"], name="benchmark_position"),
            models.CheckConstraint(
                condition=Q(lift_share_percent__gt=0) & Q(lift_share_percent__lte=100),
                name="benchmark_share_range",
            ),
            models.CheckConstraint(
                condition=Q(direction="achieved") | Q(target_value__isnull=False),
                name="benchmark_measured_has_target",
            ),
        ]

    def __str__(self) -> str:
        return self.metric

    @property
    def target_display(self) -> str:
        if self.direction == self.Direction.ACHIEVED or self.target_value is None:
            return str(self.get_direction_display())
        sign = "≥" if self.direction == self.Direction.AT_LEAST else "≤"
        return f"{sign} {format(self.target_value.normalize(), 'f')} {self.unit}".strip()


# --- In force: orders and what happens to them -------------------------------------------


class SanctionOrder(Guarded):
    """A sanction in force, from the issue of the decision that ordered it: the magnitude, the
    estimated benefit of non-compliance it exceeds, and whether the target has been sanctioned
    before. Never edited: lifting, verifying and waiving add records."""

    integrity = Integrity(
        why=_("a sanction in force is never edited: a lifted step or a waiver is a new record"),
        frozen=ALL,
        no_delete=True,
    )

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    specification = models.OneToOneField(
        SanctionSpecification,
        verbose_name=_("sanction as ordered"),
        on_delete=models.PROTECT,
        related_name="order",
    )
    in_force_from = models.DateTimeField(_("in force from"))
    magnitude = models.DecimalField(_("magnitude ordered"), max_digits=18, decimal_places=2)
    estimated_benefit = models.DecimalField(
        _("estimated benefit of non-compliance"), max_digits=18, decimal_places=2
    )
    benefit_method = models.TextField(_("how the benefit was estimated"))
    repeat_violator = models.BooleanField(_("target sanctioned before"), default=False)

    class Meta:
        ordering = ["-in_force_from", "pk"]
        verbose_name = _("sanction in force")
        verbose_name_plural = _("sanctions in force")
        permissions = [
            ("publish_lift_notice", _("Can give notice of a hearing on lifting a sanction")),
            ("record_lift_hearing", _("Can record a hearing on lifting a sanction as held")),
            ("determine_lift", _("Can issue the determination lifting a sanction's step")),
            (
                "record_waiver",
                _(
                    "Can record a waiver of a sanction (with both votes and the president's signature)"
                ),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(magnitude__gt=models.F("estimated_benefit")),
                name="sanctionorder_deters",
            ),
        ]

    def __str__(self) -> str:
        return str(self.specification)


class BenchmarkVerification(Guarded):
    """An investigative team's verification report on one benchmark: the value it measured and
    how. Only a measured value can mark a benchmark met; there is no field for a plan, a
    statement of intent or steps being taken."""

    integrity = Integrity(
        why=_("a verification report is never edited; a later one is a new record"),
        frozen=ALL,
        no_delete=True,
    )

    benchmark = models.ForeignKey(
        SanctionBenchmark,
        verbose_name=_("benchmark"),
        on_delete=models.PROTECT,
        related_name="verifications",
    )
    team = models.ForeignKey(
        InvestigativeTeam, verbose_name=_("team"), on_delete=models.PROTECT, related_name="+"
    )
    measured_value = models.DecimalField(
        _("measured value"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    achieved = models.BooleanField(_("observed achieved"), null=True, blank=True)
    measured_on = models.DateField(_("measured on"))
    method_applied = models.TextField(_("how it was measured"))
    met = models.BooleanField(_("benchmark met"))
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = _user_fk(_("submitted by"))

    class Meta:
        ordering = ["benchmark", "submitted_at", "pk"]
        verbose_name = _("verification report")
        verbose_name_plural = _("verification reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(measured_value__isnull=False) | Q(achieved__isnull=False),
                name="verification_measured",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.benchmark} — {self.measured_on}"


class LiftNotice(Guarded):
    """The public notice of a hearing on lifting one step of a sanction (or, with no
    benchmark, all that is left of it), published at least `SANCTIONS_LIFT_NOTICE_DAYS` before
    the hearing."""

    integrity = Integrity(
        why=_("a public notice is never edited; a new notice is a new record"),
        frozen=ALL,
        no_delete=True,
    )

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey(
        SanctionOrder, verbose_name=_("sanction"), on_delete=models.PROTECT, related_name="notices"
    )
    benchmark = models.ForeignKey(
        SanctionBenchmark,
        verbose_name=_("step (benchmark)"),
        help_text=_("Empty: the full lifting of what remains."),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    published_at = models.DateTimeField(_("published at"))
    hearing_at = models.DateTimeField(_("hearing scheduled for"), db_index=True)
    location = models.CharField(_("place"), max_length=300)
    text = models.TextField(_("notice"))
    published_by = _user_fk(_("published by"))

    class Meta:
        ordering = ["hearing_at", "pk"]
        verbose_name = _("notice of a lift hearing")
        verbose_name_plural = _("notices of lift hearings")

    def __str__(self) -> str:
        return f"{self.order} — {self.hearing_at:%Y-%m-%d}"


class LiftHearing(Guarded):
    """The public hearing on lifting, as held: who presented evidence (labor and human-rights
    organizations among them) and what it showed."""

    integrity = Integrity(
        why=_("the record of a hearing held is never edited"),
        frozen=ALL,
        no_delete=True,
    )

    notice = models.OneToOneField(
        LiftNotice, verbose_name=_("notice"), on_delete=models.PROTECT, related_name="hearing"
    )
    held_at = models.DateTimeField(_("held at"))
    presenters = models.TextField(_("organizations that presented evidence"), blank=True)
    record = models.TextField(_("record of the hearing"))
    recorded_by = _user_fk(_("recorded by"))

    class Meta:
        ordering = ["held_at", "pk"]
        verbose_name = _("lift hearing")
        verbose_name_plural = _("lift hearings")

    def __str__(self) -> str:
        return f"{self.notice} ({self.held_at:%Y-%m-%d})"


class LiftDetermination(Guarded):
    """The reasoned determination after a lift hearing, issued with its opinion PDF: it lifts
    its step (the benchmark's share of the ordered magnitude) or, when full, all that remains.
    """

    integrity = Integrity(
        why=_("a lifted step is never edited or deleted"),
        frozen=ALL,
        no_delete=True,
    )

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey(
        SanctionOrder,
        verbose_name=_("sanction"),
        on_delete=models.PROTECT,
        related_name="determinations",
    )
    hearing = models.OneToOneField(
        LiftHearing,
        verbose_name=_("hearing"),
        on_delete=models.PROTECT,
        related_name="determination",
    )
    benchmark = models.ForeignKey(
        SanctionBenchmark,
        verbose_name=_("step (benchmark)"),
        on_delete=models.PROTECT,
        related_name="lifts",
        null=True,
        blank=True,
    )
    full = models.BooleanField(_("full lifting"), default=False)
    reasoning = models.TextField(_("reasons"))
    reduction = models.DecimalField(_("magnitude lifted"), max_digits=18, decimal_places=2)
    magnitude_after = models.DecimalField(
        _("magnitude in force after"), max_digits=18, decimal_places=2
    )
    determined_at = models.DateTimeField(_("determined at"))
    determined_by = _user_fk(_("determined by"))
    pdf = models.FileField(_("opinion (PDF)"), upload_to="sanctions/determinations/")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    signed = models.BooleanField(_("signed"), default=False)

    class Meta:
        ordering = ["determined_at", "pk"]
        verbose_name = _("lift determination")
        verbose_name_plural = _("lift determinations")
        constraints = [
            models.UniqueConstraint(
                fields=["order", "benchmark"],
                condition=Q(benchmark__isnull=False),
                name="liftdetermination_step_once",
            ),
            models.CheckConstraint(
                condition=Q(reduction__gte=0) & Q(magnitude_after__gte=0),
                name="liftdetermination_amounts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} − {self.reduction}"


class LiftRender(models.Model):
    """A determination lifting a step (or all that remains), as requested and waiting for its
    opinion PDF: the request checks every rule and is answered at once; a Celery task renders
    the PDF and, only when the whole render succeeded, records the `LiftDetermination` with the
    rules checked again (docs/adr/0060). A job, not a record of the sanction: its status moves;
    the determination it produces never does."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RENDERING = "rendering", _("Rendering")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.QUEUED: frozenset({Status.RENDERING}),
        Status.RENDERING: frozenset({Status.DONE, Status.FAILED, Status.QUEUED}),
        Status.FAILED: frozenset({Status.QUEUED}),
        Status.DONE: frozenset(),
    }

    order = models.ForeignKey(
        SanctionOrder, verbose_name=_("sanction"), on_delete=models.PROTECT, related_name="renders"
    )
    benchmark = models.ForeignKey(
        SanctionBenchmark,
        verbose_name=_("step (benchmark)"),
        help_text=_("Empty: the full lifting of what remains."),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reasoning = models.TextField(_("reasons"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = _user_fk(_("requested by"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("reason of the failure"), blank=True)
    determination = models.OneToOneField(
        "LiftDetermination",
        verbose_name=_("determination"),
        on_delete=models.PROTECT,
        related_name="render",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("determination render")
        verbose_name_plural = _("determination renders")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""),
                name="liftrender_failure_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(determination__isnull=False),
                name="liftrender_done_has_determination",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} — {self.get_status_display()}"


class SanctionWaiver(Guarded):
    """A waiver of a sanction in force, recorded only with national-security grounds, the votes
    of both houses of Congress and the president's signature."""

    integrity = Integrity(
        why=_("a waiver is never edited or deleted"),
        frozen=ALL,
        no_delete=True,
    )

    order = models.OneToOneField(
        SanctionOrder, verbose_name=_("sanction"), on_delete=models.PROTECT, related_name="waiver"
    )
    national_security_grounds = models.TextField(_("national-security grounds"))
    house_vote = models.CharField(_("vote of the House of Representatives"), max_length=300)
    senate_vote = models.CharField(_("vote of the Senate"), max_length=300)
    president_signature = models.CharField(_("president's signature"), max_length=300)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = _user_fk(_("recorded by"))

    class Meta:
        verbose_name = _("waiver")
        verbose_name_plural = _("waivers")

    def __str__(self) -> str:
        return str(self.order)


ZERO = Decimal(0)
