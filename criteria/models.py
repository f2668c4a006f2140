"""The criteria register: rights as rubrics, criteria (bright-line rules and performance
measures), their immutable versions with the sources they cite, and the deliberation rounds in
which commission members promulgate them. Decisions cite `CriterionVersion.identifier`
("FOA-003/v2") forever; `effective_until`, the one column set after the fact, makes "in force
on D" a single indexed range query.
"""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar, overload

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from commission.integrity import ALL, Guarded, Integrity, Requires
from commission.models import (
    CommissionMember,
    InvestigativeTeam,
    Organization,
    Sector,
    TradingPartner,
)


class Localized:
    """`name = Localized()` reads `name_es` for a Spanish reader when it is set, else `name_en`."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.field = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> Localized: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> str: ...
    def __get__(self, obj: object, owner: type | None = None) -> Localized | str:
        if obj is None:
            return self
        spanish = (get_language() or "en").startswith("es")
        text: str = (spanish and getattr(obj, f"{self.field}_es")) or getattr(
            obj, f"{self.field}_en"
        )
        return text


class Right(models.Model):
    """An abstract right, used only as a rubric: it groups criteria, it is never enforced."""

    code = models.CharField(
        _("code"),
        max_length=8,
        unique=True,
        help_text=_("Short upper-case prefix of its criteria's codes, e.g. FOA."),
    )
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_es = models.CharField(_("name (Spanish)"), max_length=200, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("right")
        verbose_name_plural = _("rights")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{2,8}$"), name="right_code_upper"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    name = Localized()

    description = Localized()


class Criterion(Guarded):
    """A well-specified criterion: a bright-line rule or a performance measure.

    Its substance lives in its versions; the criterion itself only names it (`code`, `title`),
    files it under a right and says what it governs. Criteria that govern the same thing
    (`governs`) compete, and the most worker-protective binds."""

    class Kind(models.TextChoices):
        RULE = "rule", _("Bright-line rule")
        MEASURE = "measure", _("Performance measure")

    code = models.CharField(_("code"), max_length=20, unique=True)
    right = models.ForeignKey(
        Right, verbose_name=_("right"), on_delete=models.PROTECT, related_name="criteria"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    governs = models.SlugField(
        _("governs"),
        max_length=80,
        help_text=_(
            "The quantity (for a measure) or the matter (for a rule) this criterion governs, "
            "e.g. cotton-dust-exposure. Criteria governing the same thing compete; the most "
            "worker-protective binds."
        ),
    )
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_es = models.CharField(_("title (Spanish)"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    # The ratchet compares the versions of criteria that govern the same thing: what a
    # criterion is, and what it governs, never changes (its titles may be corrected).
    integrity = Integrity(
        why=_("a criterion's code, kind and what it governs never change; it is never deleted"),
        frozen=("code", "kind", "governs", "created_at"),
        no_delete=True,
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        indexes = [models.Index(fields=["governs", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["rule", "measure"]), name="criterion_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{2,8}-[0-9]{3,}$"), name="criterion_code_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    title = Localized()


class Direction(models.TextChoices):
    AT_MOST = "at_most", _("at most (≤)")
    AT_LEAST = "at_least", _("at least (≥)")


class AveragingPeriod(models.TextChoices):
    NONE = "", _("not applicable")
    CEILING = "ceiling", _("at any moment (ceiling)")
    STEL_15_MIN = "stel_15min", _("15-minute short-term average")
    TWA_8_H = "twa_8h", _("8-hour time-weighted average")
    PER_DAY = "day", _("per day")
    PER_WEEK = "week", _("per week")
    PER_MONTH = "month", _("per month")
    PER_YEAR = "year", _("per year")


@lru_cache(maxsize=8)
def _averaging_labels(language: str | None) -> dict[str, str]:
    """The periods' labels in `language` (read often; a catalog never changes in a process)."""
    return {value: str(label) for value, label in AveragingPeriod.choices}


class CriterionVersion(Guarded):
    """One promulgated version of a criterion. Written once, never changed, never deleted.

    `effective_until` is the one exception: set once, from empty, to the effective date of
    the next version (the successor adopted by `criterion_revise`, or the retirement the
    ratchet approved), which must exist."""

    integrity = Integrity(
        why=_("criterion versions are never changed or deleted"),
        frozen=ALL,
        unfrozen=("effective_until",),
        set_once=("effective_until",),
        requires=(
            Requires(
                name="next_version",
                field="effective_until",
                model="criteria.CriterionVersion",
                match={"criterion_id": "criterion_id", "effective_from": "effective_until"},
                why=_(
                    "a version ends only when the next version (a successor or a retirement) "
                    "takes effect"
                ),
            ),
        ),
        no_delete=True,
        frozen_m2m=("countries", "sectors"),
        # Its countries and sectors are written by `criterion_revise` right after the version;
        # once a later version (a successor or a retirement) ends it, they take no new row.
        closed_when=Q(effective_until__isnull=False),
    )

    class Provenance(models.TextChoices):
        ROUND = "round", _("Adopted in a deliberation round")
        HISTORICAL = "historical", _("Entered from the commission's historical record")

    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version number"))
    identifier = models.CharField(
        _("citation identifier"),
        max_length=32,
        unique=True,
        help_text=_("Stable identifier decisions cite, e.g. FOA-003/v2."),
    )
    effective_from = models.DateField(_("in force from"), db_index=True)
    effective_until = models.DateField(
        _("in force until (exclusive)"),
        null=True,
        blank=True,
        help_text=_("The next version's effective date; empty while this version is the latest."),
    )
    is_retirement = models.BooleanField(
        _("retires the criterion"),
        default=False,
        help_text=_("From its effective date the criterion no longer binds; its successor does."),
    )
    successor = models.ForeignKey(
        Criterion,
        verbose_name=_("replaced by"),
        on_delete=models.PROTECT,
        related_name="replaces",
        null=True,
        blank=True,
    )
    text_en = models.TextField(_("text (English)"))
    text_es = models.TextField(_("text (Spanish)"), blank=True)
    # Performance measures only.
    direction = models.CharField(_("direction"), max_length=10, choices=Direction, blank=True)
    threshold = models.DecimalField(
        _("threshold"), max_digits=24, decimal_places=8, null=True, blank=True
    )
    unit = models.CharField(
        _("unit"),
        max_length=64,
        blank=True,
        help_text=_("A physical or currency unit, e.g. µg/m³, hour, PEN, year."),
    )
    averaging_period = models.CharField(
        _("averaging period"),
        max_length=16,
        choices=AveragingPeriod,
        blank=True,
        default=AveragingPeriod.NONE,
    )
    measuring_method_en = models.TextField(_("measuring method (English)"), blank=True)
    measuring_method_es = models.TextField(_("measuring method (Spanish)"), blank=True)
    # Applicability: it may only widen from one version to the next.
    applies_to_all_countries = models.BooleanField(_("all trading partners"), default=True)
    countries = models.ManyToManyField(
        TradingPartner,
        verbose_name=_("trading partners"),
        blank=True,
        related_name="criterion_versions",
    )
    applies_to_all_sectors = models.BooleanField(_("all sectors"), default=True)
    sectors = models.ManyToManyField(
        Sector,
        verbose_name=_("sectors (ISIC Rev. 4)"),
        blank=True,
        related_name="criterion_versions",
        help_text=_("A section, division or group covers every class beneath it."),
    )
    # Promulgation record.
    rationale_en = models.TextField(_("rationale (English)"), blank=True)
    rationale_es = models.TextField(_("rationale (Spanish)"), blank=True)
    provenance = models.CharField(
        _("provenance"), max_length=12, choices=Provenance.choices, default=Provenance.ROUND
    )
    proposal = models.OneToOneField(
        "criteria.Proposal",
        verbose_name=_("adopted proposal"),
        on_delete=models.PROTECT,
        related_name="adopted_version",
        null=True,
        blank=True,
    )
    record_reference = models.CharField(
        _("record reference"),
        max_length=200,
        blank=True,
        help_text=_("The minutes or official record of the promulgation."),
    )
    promulgated_at = models.DateTimeField(_("promulgated at"), default=timezone.now)
    promulgated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["criterion__code", "number"]
        verbose_name = _("criterion version")
        verbose_name_plural = _("criterion versions")
        indexes = [
            models.Index(
                fields=["effective_from", "effective_until"], name="crit_version_in_force"
            ),
            models.Index(fields=["effective_until"], name="crit_version_until"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["criterion", "number"], name="criterionversion_unique"),
            models.UniqueConstraint(
                fields=["criterion", "effective_from"], name="criterionversion_one_per_date"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="criterionversion_number_pos"),
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True)
                | Q(effective_until__gt=F("effective_from")),
                name="criterionversion_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(direction__in=["", "at_most", "at_least"]),
                name="criterionversion_direction_valid",
            ),
            models.CheckConstraint(
                condition=Q(is_retirement=False) | Q(successor__isnull=False),
                name="criterionversion_retirement_has_successor",
            ),
        ]

    def __str__(self) -> str:
        return self.identifier

    text = Localized()

    measuring_method = Localized()

    rationale = Localized()

    @property
    def is_measure(self) -> bool:
        return self.threshold is not None

    @property
    def threshold_display(self) -> str:
        """E.g. "≤ 200 µg/m³ (8-hour time-weighted average)"; empty for rules."""
        if self.threshold is None:
            return ""
        sign = "≤" if self.direction == Direction.AT_MOST else "≥"
        value = format(self.threshold.normalize(), "f")
        text = f"{sign} {value} {self.unit}".strip()
        if self.averaging_period:
            label = _averaging_labels(get_language()).get(self.averaging_period)
            text += f" ({label or self.averaging_period})"
        return text


class Source(Guarded):
    """A source a criterion version cites: international law, the trading partner's domestic
    law, or international best practice among comparable countries or employers. Part of
    the version: never changed or deleted."""

    integrity = Integrity(
        why=_("the sources of a criterion version are never changed or deleted"),
        frozen=ALL,
        no_delete=True,
    )

    class Kind(models.TextChoices):
        INTERNATIONAL_LAW = "international_law", _("International labor law")
        DOMESTIC_LAW = "domestic_law", _("Domestic law of the trading partner")
        BEST_PRACTICE = "best_practice", _("International best practice")

    version = models.ForeignKey(
        CriterionVersion,
        verbose_name=_("version"),
        on_delete=models.PROTECT,
        related_name="sources",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    instrument = models.CharField(
        _("instrument or statute"),
        max_length=300,
        blank=True,
        help_text=_("E.g. ILO Convention No. 87; Ley de Relaciones Colectivas de Trabajo."),
    )
    article = models.CharField(_("article"), max_length=100, blank=True)
    supervisory_body = models.CharField(_("supervisory body"), max_length=200, blank=True)
    decision_reference = models.CharField(
        _("decision or case reference"), max_length=300, blank=True
    )
    country = models.ForeignKey(
        TradingPartner,
        verbose_name=_("country"),
        help_text=_("Whose domestic law; or the comparator country of a best practice."),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    comparator_name = models.CharField(
        _("comparator"),
        max_length=200,
        blank=True,
        help_text=_("The comparator country or employer whose practice is the benchmark."),
    )
    comparator_organization = models.ForeignKey(
        Organization,
        verbose_name=_("comparator employer"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    comparison_region = models.CharField(_("comparison group: region"), max_length=100, blank=True)
    comparison_income_level = models.CharField(
        _("comparison group: development level"),
        max_length=20,
        choices=TradingPartner.IncomeLevel.choices,
        blank=True,
    )
    comparison_labor_relations_system = models.CharField(
        _("comparison group: labor-relations system"),
        max_length=20,
        choices=TradingPartner.LaborRelationsSystem.choices,
        blank=True,
    )
    comparison_industry = models.ForeignKey(
        Sector,
        verbose_name=_("comparison group: industry"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    value = models.DecimalField(
        _("the source's own threshold"), max_digits=24, decimal_places=8, null=True, blank=True
    )
    unit = models.CharField(_("unit of the source's threshold"), max_length=64, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["version", "position", "id"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.citation

    @property
    def citation(self) -> str:
        """A one-line human citation of the source."""
        if self.kind != self.Kind.BEST_PRACTICE:
            parts = [self.instrument, self.article, self.supervisory_body, self.decision_reference]
            return ", ".join(p for p in parts if p)
        comparator = self.comparator_name or (
            str(self.comparator_organization) if self.comparator_organization_id else ""
        )
        group = "; ".join(
            str(g)
            for g in (
                self.comparison_region,
                self.comparison_income_level and self.get_comparison_income_level_display(),
                self.comparison_labor_relations_system
                and self.get_comparison_labor_relations_system_display(),
                self.comparison_industry or "",
            )
            if g
        )
        return ", ".join(
            p for p in (comparator, self.instrument, f"({group})" if group else "") if p
        )


class RuleResolution(models.Model):
    """Members' record of which of several competing rules binds, and why.

    Applies to a matter (`governs`) in a country (or all) and sector (or all) from a date;
    the latest applicable record in force on a date decides. Never changed: a new record
    supersedes an old one."""

    governs = models.SlugField(_("governs"), max_length=80, db_index=True)
    country = models.ForeignKey(
        TradingPartner,
        verbose_name=_("country (empty: all)"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector (empty: all)"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    binding_criterion = models.ForeignKey(
        Criterion, verbose_name=_("binding criterion"), on_delete=models.PROTECT, related_name="+"
    )
    reason_en = models.TextField(_("why it binds (English)"))
    reason_es = models.TextField(_("why it binds (Spanish)"), blank=True)
    effective_from = models.DateField(_("in force from"))
    recorded_by = models.ForeignKey(
        CommissionMember,
        verbose_name=_("recorded by member"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["governs", "-effective_from", "-id"]
        verbose_name = _("rule resolution")
        verbose_name_plural = _("rule resolutions")

    def __str__(self) -> str:
        return f"{self.governs}: {self.binding_criterion.code}"

    reason = Localized()


class DeliberationRound(models.Model):
    """A round of deliberation, convened with a public notice, in which participants report
    and propose and the members vote to adopt new criteria and stronger versions."""

    class Status(models.TextChoices):
        CONVENED = "convened", _("Convened: reports and proposals open")
        VOTING = "voting", _("Voting")
        CLOSED = "closed", _("Closed")

    class Majority(models.TextChoices):
        SIMPLE = "simple", _("More than half of the votes cast for or against")
        TWO_THIRDS = "two_thirds", _("At least two thirds of the votes cast for or against")
        ABSOLUTE = "absolute", _("More than half of the sitting members")

    TRANSITIONS: ClassVar[dict[str, list[str]]] = {
        Status.CONVENED: [Status.VOTING, Status.CLOSED],
        Status.VOTING: [Status.CLOSED],
        Status.CLOSED: [],
    }

    code = models.CharField(_("code"), max_length=20, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_es = models.CharField(_("title (Spanish)"), max_length=200, blank=True)
    notice_en = models.TextField(_("public notice (English)"))
    notice_es = models.TextField(_("public notice (Spanish)"), blank=True)
    convened_on = models.DateField(_("convened on"))
    submissions_open_on = models.DateField(_("reports and proposals open on"))
    submissions_close_on = models.DateField(_("reports and proposals close on"))
    meeting_on = models.DateField(_("deliberation meeting on"), null=True, blank=True)
    location = models.CharField(_("place"), max_length=200, blank=True)
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (percent of sitting members voting)"), default=50
    )
    majority = models.CharField(
        _("required majority"), max_length=12, choices=Majority.choices, default=Majority.SIMPLE
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CONVENED, db_index=True
    )
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("convened by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    voting_opened_at = models.DateTimeField(_("voting opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-convened_on", "-id"]
        verbose_name = _("deliberation round")
        verbose_name_plural = _("deliberation rounds")
        constraints = [
            models.CheckConstraint(
                condition=Q(submissions_close_on__gte=F("submissions_open_on")),
                name="deliberationround_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(quorum_percent__gte=1) & Q(quorum_percent__lte=100),
                name="deliberationround_quorum_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["convened", "voting", "closed"]),
                name="deliberationround_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    title = Localized()

    notice = Localized()


class ParticipantRole(models.TextChoices):
    MEMBER = "member", _("Commission member")
    STAFF = "staff", _("Commission staff")
    INVESTIGATIVE_TEAM = "investigative_team", _("Investigative team")
    WORKER_ORGANIZATION = "worker_organization", _("Worker organization")
    ENFORCEMENT_OFFICIAL = "enforcement_official", _("Enforcement official")
    PRODUCTION_SPECIALIST = "production_specialist", _("Production specialist")
    HEALTH_SPECIALIST = "health_specialist", _("Occupational safety and health specialist")
    INFORMAL_SECTOR = "informal_sector", _("Informal-sector organization")
    WOMENS_ORGANIZATION = "womens_organization", _("Women's organization")
    VILLAGE_ORGANIZATION = "village_organization", _("Village organization")
    SMALL_PRODUCER = "small_producer", _("Small producer")
    OTHER = "other", _("Other participant")


class RoundReport(models.Model):
    """A report filed in a round: successes and failures of compliance across countries,
    sectors and employers, from investigative teams and other participants."""

    round = models.ForeignKey(
        DeliberationRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="reports"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    participant_role = models.CharField(
        _("participating as"), max_length=32, choices=ParticipantRole
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("on behalf of"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    team = models.ForeignKey(
        InvestigativeTeam,
        verbose_name=_("investigative team"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    criterion = models.ForeignKey(
        Criterion,
        verbose_name=_("about criterion"),
        on_delete=models.PROTECT,
        related_name="reports",
        null=True,
        blank=True,
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("report"))
    is_public = models.BooleanField(_("public"), default=True)
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)

    class Meta:
        ordering = ["round", "filed_at", "id"]
        verbose_name = _("round report")
        verbose_name_plural = _("round reports")

    def __str__(self) -> str:
        return self.title


class Proposal(models.Model):
    """A motion filed in a round: a new criterion, a stronger version, or a retirement with a
    successor. Only its adoption by the members' vote creates and publishes a version."""

    class Kind(models.TextChoices):
        NEW_CRITERION = "new", _("New criterion")
        REVISION = "revision", _("Revision of a criterion")
        RETIREMENT = "retirement", _("Retirement with a successor")

    class Status(models.TextChoices):
        FILED = "filed", _("Filed")
        ADOPTED = "adopted", _("Adopted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    TRANSITIONS: ClassVar[dict[str, list[str]]] = {
        Status.FILED: [Status.ADOPTED, Status.REJECTED, Status.WITHDRAWN],
        Status.ADOPTED: [],
        Status.REJECTED: [],
        Status.WITHDRAWN: [],
    }

    round = models.ForeignKey(
        DeliberationRound,
        verbose_name=_("round"),
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    number = models.PositiveIntegerField(_("number in the round"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    criterion = models.ForeignKey(
        Criterion,
        verbose_name=_("criterion"),
        on_delete=models.PROTECT,
        related_name="proposals",
        null=True,
        blank=True,
        help_text=_("The criterion revised or retired; for a new criterion, set on adoption."),
    )
    # A new criterion's identity.
    right = models.ForeignKey(
        Right,
        verbose_name=_("right"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    criterion_kind = models.CharField(
        _("criterion kind"), max_length=10, choices=Criterion.Kind.choices, blank=True
    )
    governs = models.SlugField(_("governs"), max_length=80, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_es = models.CharField(_("title (Spanish)"), max_length=200, blank=True)
    # The proposed version (validated by criteria.drafts.VersionDraft).
    draft = models.JSONField(_("proposed version"), default=dict)
    rationale = models.TextField(
        _("rationale"),
        help_text=_("Why the proposal is needed and why it is at least as protective."),
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    participant_role = models.CharField(
        _("participating as"), max_length=32, choices=ParticipantRole
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("on behalf of"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.FILED, db_index=True
    )
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    tally = models.JSONField(_("vote tally"), default=dict, blank=True)

    class Meta:
        ordering = ["round", "number"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="proposal_unique_number"),
            models.CheckConstraint(
                condition=Q(status__in=["filed", "adopted", "rejected", "withdrawn"]),
                name="proposal_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round.code} #{self.number}"


class Vote(models.Model):
    """A member's vote on a proposal. Only sitting commission members vote."""

    class Choice(models.TextChoices):
        YES = "yes", _("For")
        NO = "no", _("Against")
        ABSTAIN = "abstain", _("Abstain")

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.PROTECT, related_name="votes"
    )
    member = models.ForeignKey(
        CommissionMember, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    choice = models.CharField(_("vote"), max_length=8, choices=Choice.choices)
    cast_at = models.DateTimeField(_("cast at"), default=timezone.now)

    class Meta:
        ordering = ["proposal", "cast_at"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "member"], name="vote_one_per_member"),
            models.CheckConstraint(
                condition=Q(choice__in=["yes", "no", "abstain"]), name="vote_choice_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.choice}"


class RegisterState(models.Model):
    """The register's state in one row: triggers (migrations 0004, 0006, 0009) bump `serial` and
    set `changed_at` with every write to the register's tables, trading partners and sectors
    included. It keys cached answers (`criteria.caching`); `epoch` is new with each row."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    epoch = models.CharField(max_length=32)
    serial = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("register state")
        verbose_name_plural = _("register state")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="registerstate_one_row")]

    def __str__(self) -> str:
        return f"{self.epoch}.{self.serial}"
