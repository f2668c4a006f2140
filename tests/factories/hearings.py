"""Factories and a scenario builder for the hearings app.

The scenario files a complaint through `complaints.services.case_file` (so its clocks start
the real way) and walks it through `hearings.services` with time travel: filed Monday
2 March 2026 14:10 Lima time, so day 60 is Friday 1 May (Labour Day in Peru: the hearing-by
deadline moves back to Thursday 30 April) and day 90 is Sunday 31 May (moves back to Friday
29 May).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group

from commission import roles
from commission.actors import SYSTEM
from commission.demo_data import peru
from commission.models import (
    CommissionMember,
    Organization,
    OrganizationMembership,
    SupplyRelationship,
)
from complaints import services as complaints_services
from complaints.models import Case, Complainant, Respondent
from criteria.models import Criterion, CriterionVersion
from hearings import services
from hearings.models import AllegationFinding, Decision, Hearing, Panel
from sanctions import services as sanctions_services
from tests.factories.commission import (
    CommissionMemberFactory,
    OrganizationFactory,
    PersonFactory,
    SectorFactory,
    TradingPartnerFactory,
    UserFactory,
)
from tests.factories.criteria import CriterionFactory, CriterionVersionFactory, RightFactory

LIMA = ZoneInfo("America/Lima")
FILED_AT = dt.datetime(2026, 3, 2, 14, 10, tzinfo=LIMA)
WORKER_NAME = "Rosa Elvira Quispe Huamán"


def day(n: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """Day n of the statutory periods of a case filed at FILED_AT (local time)."""
    return dt.datetime.combine(
        FILED_AT.date() + dt.timedelta(days=n), dt.time(hour, minute), tzinfo=LIMA
    )


def user_in(group: str, username: str):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


@dataclass
class Parties:
    us: object
    pe: object
    gov_us: Organization
    gov_pe: Organization
    prison: Organization
    employer: Organization
    union: Organization
    hro: Organization
    buyer: Organization
    supply: SupplyRelationship
    union_user: object
    hro_user: object


def parties_create() -> Parties:
    """The Peru scenario's parties, named as its description names them
    (`commission.demo_data.peru()`, shared with the demo and the scenario player)."""
    us = TradingPartnerFactory(code="US", name="United States")
    pe = TradingPartnerFactory(code="PE", name="Peru")
    sector = SectorFactory()
    described = peru()["parties"]

    def org(key: str, country, **extra) -> Organization:
        return OrganizationFactory(
            kind=described[key]["kind"], name=described[key]["name"], country=country, **extra
        )

    gov_pe = org("gov_pe", pe, sector=None)
    gov_us = org("gov_us", us, sector=None)
    prison = org("prison", pe, sector=None, parent=gov_pe)
    employer = org("employer", pe, sector=sector)
    union = org("union", pe, sector=sector)
    hro = org("hro", pe, sector=None)
    buyer = org("buyer", us, sector=None)
    supply = SupplyRelationship.objects.create(
        corporation=buyer, supplier=employer, started_on=dt.date(2021, 3, 1)
    )
    union_user = user_in(roles.FILERS, "union.delegate")
    hro_user = user_in(roles.FILERS, "hro.delegate")
    for organization, user in ((union, union_user), (hro, hro_user)):
        OrganizationMembership.objects.create(
            organization=organization,
            person=PersonFactory(user=user, country=pe),
            role=OrganizationMembership.Role.ADMINISTRATOR,
        )
    return Parties(
        us, pe, gov_us, gov_pe, prison, employer, union, hro, buyer, supply, union_user, hro_user
    )


@dataclass
class Members:
    jurist_us: CommissionMember
    jurist_pe: CommissionMember
    worker_us: CommissionMember
    worker_pe: CommissionMember

    def all(self) -> list[CommissionMember]:
        return [self.jurist_us, self.jurist_pe, self.worker_us, self.worker_pe]


def members_create(parties: Parties) -> Members:
    def member(username, name, kind, country):
        user = user_in(roles.MEMBERS, username)
        person = PersonFactory(user=user, full_name=name, country=country)
        return CommissionMemberFactory(
            person=person, kind=kind, country=country, seated_on=dt.date(2025, 1, 15)
        )

    J, W = CommissionMember.Kind.JURIST, CommissionMember.Kind.WORKER_REPRESENTATIVE
    return Members(
        jurist_us=member("chair", "Eleanor Whitfield", J, parties.us),
        jurist_pe=member("jurist.pe", "Carlos Mendoza Ruiz", J, parties.pe),
        worker_us=member("worker.us", "Denise Carter", W, parties.us),
        worker_pe=member("worker.pe", "Julia Quispe Mamani", W, parties.pe),
    )


@dataclass
class Criteria:
    pregnancy: CriterionVersion
    recognition: CriterionVersion
    prison_labor: CriterionVersion
    pregnancy_v2: CriterionVersion | None = None

    def criteria(self) -> list[Criterion]:
        return [self.pregnancy.criterion, self.recognition.criterion, self.prison_labor.criterion]


def criteria_create() -> Criteria:
    """The three criteria the Peru complaint cites, with the codes of the scenario's register
    (`commission.demo_data.peru()`): pregnancy dismissals (two versions), recognition of a
    majority union, prison labor."""
    codes = peru()["register"]
    nd = RightFactory(code="ND", name_en="Non-discrimination", name_es="No discriminación")
    cb = RightFactory(code="CB", name_en="Collective bargaining", name_es="Negociación colectiva")
    fl = RightFactory(code="FL", name_en="Forced labor", name_es="Trabajo forzoso")
    pregnancy = CriterionVersionFactory(
        criterion=CriterionFactory(
            code=codes["pregnancy"],
            right=nd,
            governs="dismissal-pregnancy",
            title_en="No dismissal for pregnancy",
        ),
        effective_from=dt.date(2024, 1, 1),
        effective_until=dt.date(2026, 1, 1),
        text_en="No worker may be dismissed because she is pregnant.",
        text_es="Ninguna trabajadora puede ser despedida por estar embarazada.",
    )
    pregnancy_v2 = CriterionVersionFactory(
        criterion=pregnancy.criterion,
        number=2,
        effective_from=dt.date(2026, 1, 1),
        text_en="No worker may be dismissed during pregnancy or within a year after childbirth.",
        text_es="Ninguna trabajadora puede ser despedida durante el embarazo ni en el año posterior al parto.",
    )
    recognition = CriterionVersionFactory(
        criterion=CriterionFactory(
            code=codes["recognition"],
            right=cb,
            governs="union-recognition",
            title_en="Recognition of a majority union",
        ),
        effective_from=dt.date(2024, 1, 1),
        text_en="An employer must recognize and bargain with a union supported by a majority.",
        text_es="El empleador debe reconocer y negociar con el sindicato mayoritario.",
    )
    prison_labor = CriterionVersionFactory(
        criterion=CriterionFactory(
            code=codes["prison_labor"],
            right=fl,
            governs="prison-labor-private",
            title_en="No prison labor for private firms",
        ),
        effective_from=dt.date(2024, 1, 1),
        text_en="Prison labor may not be supplied to private employers.",
        text_es="El trabajo penitenciario no puede suministrarse a empleadores privados.",
    )
    return Criteria(pregnancy, recognition, prison_labor, pregnancy_v2)


def staff_create():
    return user_in(roles.STAFF, "staff.officer")


def intake_clerk():
    """Who records paper filings in the factories: the permission alone, in no role group, so
    that no list of staff recipients changes."""
    from django.contrib.auth.models import Permission, User

    user, created = User.objects.get_or_create(username="intake.clerk")
    if created:
        user.user_permissions.add(
            Permission.objects.get(
                codename="record_paper_filing", content_type__app_label="complaints"
            )
        )
    return user


def complaint_file(
    parties: Parties,
    criteria: Criteria,
    *,
    kind: str = Case.Kind.COMPLAINT,
    language: str = "en",
    withhold: bool = False,
) -> Case:
    """File the Peru complaint (paper filing received at FILED_AT; call with time at or after
    FILED_AT). Allegations: 1 pregnancy dismissals, 2 refusal to recognize the union, 3 prison
    labor."""
    C, R = complaints_services.ComplainantInput, complaints_services.RespondentInput
    A = complaints_services.AllegationInput
    filing = complaints_services.FilingInput(
        kind=kind,
        language=language,
        complainants=[
            C(
                kind=Complainant.Kind.ORGANIZATION,
                organization=parties.union,
                identity_withheld=withhold,
            ),
            C(kind=Complainant.Kind.ORGANIZATION, organization=parties.hro),
            C(kind=Complainant.Kind.WORKER, name=WORKER_NAME, contact="+51 999 000 111"),
        ],
        respondents=[
            R(kind=Respondent.Kind.GOVERNMENT, organization=parties.gov_pe),
            R(kind=Respondent.Kind.EMPLOYER, organization=parties.employer),
            R(kind=Respondent.Kind.GOVERNMENT_AGENCY, organization=parties.prison),
            R(kind=Respondent.Kind.GLOBAL_CORPORATION, organization=parties.buyer),
        ],
        allegations=[
            A(
                summary="Dismissal of pregnant workers",
                facts=f"Eleven pregnant workers, among them {WORKER_NAME}, were dismissed.",
                period_start=dt.date(2026, 1, 12),
                place="Ate, Lima",
                workers_affected=11,
                criteria=[criteria.pregnancy.criterion],
            ),
            A(
                summary="Refusal to recognize the majority union",
                facts="The employer refuses to recognize the union that 64% of workers joined.",
                period_start=dt.date(2025, 11, 3),
                place="Ate, Lima",
                criteria=[criteria.recognition.criterion],
            ),
            A(
                summary="Use of prison labor",
                facts="Inmates of the penitentiary system sew garments for the employer.",
                period_start=dt.date(2025, 9, 1),
                place="Lima",
                criteria=[criteria.prison_labor.criterion],
            ),
        ],
        remedies_sought="Reinstatement, recognition, end of prison labor, sanctions.",
        withhold_organization_names=withhold,
    )
    case, _code = complaints_services.case_file(
        actor=intake_clerk(),
        filing=filing,
        received_via=Case.Channel.PAPER,
        received_at=FILED_AT,
        intake_reference=f"paper-{kind}-{language}-{withhold}",
    )
    return case


def declare_all(members: Members, case: Case) -> None:
    for m in members.all():
        services.conflict_declare(member=m, case=case, has_conflict=False, actor=m.person.user)


def panel_seat(members: Members, case: Case) -> Panel:
    declare_all(members, case)
    return services.panel_select(
        case=case, members=[members.jurist_us, members.worker_pe, members.worker_us], actor=SYSTEM
    )


def hearing_schedule(case: Case, *, when: dt.datetime | None = None) -> Hearing:
    return services.hearing_schedule(
        case=case,
        scheduled_for=when or day(50, 9),
        location="Commission hearing room, Lima",
        virtual_url="https://hearings.example.org/pe-2026",
        actor=SYSTEM,
    )


def findings_complete(decision: Decision, criteria: Criteria, *, violation: bool = True) -> None:
    by_number = {f.allegation.number: f for f in decision.findings.select_related("allegation")}
    versions = {1: criteria.pregnancy, 2: criteria.recognition, 3: criteria.prison_labor}
    determination = (
        AllegationFinding.Determination.VIOLATION
        if violation
        else AllegationFinding.Determination.NO_VIOLATION
    )
    for number, finding in by_number.items():
        services.criterion_apply(
            finding=finding,
            criterion=versions[number].criterion,
            analysis=f"Applied to allegation {number}.",
            actor=SYSTEM,
        )
        services.fact_finding_add(
            finding=finding,
            text=f"Finding of fact {number}, concerning {WORKER_NAME} and others.",
            source_label=f"Hearing transcript, p. {number * 10}",
            actor=SYSTEM,
        )
        services.finding_record(
            finding=finding,
            determination=determination,
            reasoning=f"Reasoning on allegation {number}: the facts {'breach' if violation else 'do not breach'} the criterion.",
            actor=SYSTEM,
        )


def benchmark(share: str = "100", **extra) -> sanctions_services.BenchmarkInput:
    values = {
        "description": "Reinstatement of the dismissed workers",
        "metric": "share of dismissed pregnant workers reinstated with back pay",
        "direction": "at_least",
        "target_value": Decimal("100"),
        "unit": "%",
        "verification_method": "Payroll audit and confidential interviews off premises.",
        "lift_share_percent": Decimal(share),
    }
    values.update(extra)
    return sanctions_services.BenchmarkInput(**values)


def sanctions_complete(decision: Decision, parties: Parties) -> None:
    findings = list(decision.findings.order_by("allegation__number"))
    sanctions_services.sanction_specify(
        actor=SYSTEM,
        decision=decision,
        target="firm",
        target_organization=parties.employer,
        instrument="tariff",
        magnitude=Decimal("35"),
        unit="percent_ad_valorem",
        estimated_benefit=Decimal("12"),
        benefit_method="Labor cost saved, as a share of the export value.",
        description="Tariff on the firm's garments entering the United States.",
        deterrence_reasoning="Exceeds the firm's savings from the violations.",
        findings=findings[:2],
        benchmarks=[
            benchmark("60"),
            benchmark(
                "40",
                description="Union recognized",
                direction="achieved",
                target_value=None,
                unit="",
            ),
        ],
    )
    sanctions_services.sanction_specify(
        actor=SYSTEM,
        decision=decision,
        target="global_corporation",
        target_organization=parties.buyer,
        supply_relationship=parties.supply,
        instrument="monetary_penalty",
        magnitude=Decimal("2500000"),
        unit="currency",
        currency="USD",
        penalty_period="yearly",
        estimated_benefit=Decimal("900000"),
        benefit_method="The buyer's margin on the goods sourced there.",
        description="Penalty on the buyer supplied by the workplace.",
        deterrence_reasoning="Removes the buyer's gain from sourcing there.",
        findings=findings,
        benchmarks=[benchmark("100")],
    )
    sanctions_services.sanction_specify(
        actor=SYSTEM,
        decision=decision,
        target="government_entity",
        target_organization=parties.prison,
        instrument="benefit_withdrawal",
        magnitude=Decimal("50"),
        unit="percent_of_benefits",
        estimated_benefit=Decimal("20"),
        benefit_method="The entity's earnings from the workshops, as a share of its benefits.",
        description="Withdrawal of cooperation benefits to the penitentiary system.",
        deterrence_reasoning="Sufficient to end the supply of prison labor.",
        findings=findings[2:],
        benchmarks=[
            benchmark(
                "100",
                description="No inmates at private workplaces",
                metric="inmates working for private employers",
                direction="at_most",
                target_value=Decimal("0"),
                unit="workers",
            )
        ],
    )


@dataclass
class World:
    parties: Parties
    members: Members
    criteria: Criteria
    staff: object
    extra: dict = field(default_factory=dict)
