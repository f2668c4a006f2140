"""A starter criteria register for the Peru scenario (DOMAIN.md): pregnancy discrimination and
dismissal, recognition of a majority union, prison labor in supply chains, union access during
lunch breaks, minimum wage, hours of work and cotton dust — each with its sources — and a
deliberation round in progress with reports and proposals.

Cotton dust, minimum wage and weekly hours each have competing domestic, international and
best-practice standards, so the selector's resolution ("which criteria bind PE, 1312 today")
shows which source wins and by how much. Statutes and conventions cited are real; thresholds
attributed to unnamed comparator employers are illustrative starter values for the members to
verify in the first round.

Entries are made through the services (`criterion_version_record_historical` for versions
promulgated before the register was kept here, `round_convene`, `report_file`,
`proposal_submit`, `rule_resolution_record`). Idempotent: every row is keyed by a natural key
(codes, version numbers, titles), so loading twice changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from commission.models import InvestigativeTeam, Organization, Sector

from . import services
from .models import Criterion, CriterionVersion, DeliberationRound, ParticipantRole, Proposal, Right

RIGHTS = [
    ("FOA", "Freedom of association", "Libertad sindical"),
    ("CB", "Collective bargaining", "Negociación colectiva"),
    ("FL", "Forced labor", "Trabajo forzoso"),
    ("CL", "Child labor", "Trabajo infantil"),
    ("ND", "Non-discrimination", "No discriminación"),
    ("WAGE", "Minimum wage", "Remuneración mínima"),
    ("HRS", "Hours of work", "Jornada de trabajo"),
    ("OSH", "Occupational safety and health", "Seguridad y salud en el trabajo"),
]

EXTRA_SECTORS = [
    ("13", "Manufacture of textiles"),
    ("14", "Manufacture of wearing apparel"),
]

ILO_C87 = {"kind": "international_law", "instrument": "ILO Convention No. 87", "article": "Art. 3"}
ILO_C98 = {"kind": "international_law", "instrument": "ILO Convention No. 98", "article": "Art. 4"}
CFA_ACCESS = {
    "kind": "international_law",
    "supervisory_body": "ILO Committee on Freedom of Association",
    "decision_reference": "Compilation of decisions (2018): access of workers' representatives "
    "to the workplace",
}
LRCT = "Texto Único Ordenado de la Ley de Relaciones Colectivas de Trabajo (D.S. 010-2003-TR)"
LPCL = "Texto Único Ordenado del D. Leg. 728, Ley de Productividad y Competitividad Laboral"


def _criteria() -> list[dict]:
    """Each entry: the criterion, then its versions from the historical record, oldest first."""
    return [
        {
            "code": "ND-001",
            "right": "ND",
            "kind": "rule",
            "governs": "pregnancy-dismissal",
            "title_en": "No dismissal for pregnancy",
            "title_es": "Prohibición del despido por embarazo",
            "versions": [
                {
                    "text_en": "An employer may not dismiss a worker because she is pregnant. A "
                    "dismissal during pregnancy or within 90 days after childbirth is presumed to "
                    "be for that reason unless the employer proves a just cause unrelated to it; "
                    "the remedy is reinstatement with back pay.",
                    "text_es": "El empleador no puede despedir a una trabajadora por estar "
                    "embarazada. Se presume que el despido durante la gestación o dentro de los "
                    "90 días posteriores al parto obedece a ese motivo, salvo que el empleador "
                    "pruebe una causa justa ajena a él; el remedio es la reposición con pago de "
                    "remuneraciones devengadas.",
                    "effective_from": "2021-01-01",
                    "sources": [
                        {
                            "kind": "international_law",
                            "instrument": "ILO Maternity Protection Convention, 2000 (No. 183)",
                            "article": "Art. 8",
                        },
                        {
                            "kind": "domestic_law",
                            "country": "PE",
                            "instrument": LPCL,
                            "article": "Art. 29(e), as amended by Ley 30367",
                        },
                    ],
                }
            ],
        },
        {
            "code": "ND-002",
            "right": "ND",
            "kind": "rule",
            "governs": "pregnancy-testing",
            "title_en": "No pregnancy tests as a condition of work",
            "title_es": "Prohibición de pruebas de embarazo como condición de trabajo",
            "versions": [
                {
                    "text_en": "Employers shall not require a pregnancy test or certificate from "
                    "an applicant or a worker, nor ask about pregnancy, as a condition of hiring, "
                    "renewal of a contract or continued employment.",
                    "text_es": "El empleador no exigirá prueba ni certificado de embarazo a una "
                    "postulante o trabajadora, ni preguntará por el embarazo, como condición de "
                    "contratación, renovación del contrato o permanencia en el empleo.",
                    "effective_from": "2021-01-01",
                    "sources": [
                        {
                            "kind": "international_law",
                            "instrument": "ILO Maternity Protection Convention, 2000 (No. 183)",
                            "article": "Art. 9(2)",
                        }
                    ],
                }
            ],
        },
        {
            "code": "CB-001",
            "right": "CB",
            "kind": "rule",
            "governs": "majority-union-recognition",
            "title_en": "Recognition of a majority union",
            "title_es": "Reconocimiento del sindicato mayoritario",
            "versions": [
                {
                    "text_en": "Where a union represents the absolute majority of the workers of "
                    "an enterprise, the employer shall recognize it and bargain with it in good "
                    "faith on behalf of all the workers of the bargaining unit, within 30 days of "
                    "its request.",
                    "text_es": "Cuando un sindicato afilia a la mayoría absoluta de los "
                    "trabajadores de la empresa, el empleador lo reconocerá y negociará de buena "
                    "fe con él en representación de todos los trabajadores del ámbito, dentro de "
                    "los 30 días de su solicitud.",
                    "effective_from": "2021-01-01",
                    "sources": [
                        ILO_C98,
                        {
                            "kind": "domestic_law",
                            "country": "PE",
                            "instrument": LRCT,
                            "article": "Art. 9",
                        },
                    ],
                }
            ],
        },
        {
            "code": "FL-001",
            "right": "FL",
            "kind": "rule",
            "governs": "prison-labor-supply-chains",
            "title_en": "Prison labor in supply chains",
            "title_es": "Trabajo penitenciario en cadenas de suministro",
            "versions": [
                {
                    "text_en": "Goods or services produced with the labor of prisoners may not "
                    "enter the supply chain of an exporting employer or its buyers unless the "
                    "work is performed under the supervision and control of a public authority "
                    "and the prisoner is not hired to or placed at the disposal of a private "
                    "employer.",
                    "text_es": "Los bienes o servicios producidos con trabajo de personas privadas "
                    "de libertad no pueden ingresar a la cadena de suministro de un empleador "
                    "exportador ni de sus compradores, salvo que el trabajo se realice bajo la "
                    "vigilancia y control de una autoridad pública y la persona no sea cedida ni "
                    "puesta a disposición de un empleador privado.",
                    "effective_from": "2021-01-01",
                    "sources": [
                        {
                            "kind": "international_law",
                            "instrument": "ILO Forced Labour Convention, 1930 (No. 29)",
                            "article": "Art. 2(2)(c)",
                        }
                    ],
                },
                {
                    "text_en": "Goods or services produced with the labor of prisoners may not "
                    "enter the supply chain of an exporting employer or its buyers unless the "
                    "work is performed under the supervision and control of a public authority, "
                    "and, where a private employer benefits, only with the prisoner's formal, "
                    "free and informed consent, at a wage not lower than that of comparable free "
                    "workers, and with the occupational safety and social security protections "
                    "of free workers.",
                    "text_es": "Los bienes o servicios producidos con trabajo de personas privadas "
                    "de libertad no pueden ingresar a la cadena de suministro de un empleador "
                    "exportador ni de sus compradores, salvo que el trabajo se realice bajo la "
                    "vigilancia y control de una autoridad pública y, cuando se beneficie un "
                    "empleador privado, solo con el consentimiento formal, libre e informado de "
                    "la persona, con una remuneración no inferior a la de trabajadores libres "
                    "comparables y con la protección de seguridad y salud y de seguridad social "
                    "de estos.",
                    "effective_from": "2024-01-01",
                    "sources": [
                        {
                            "kind": "international_law",
                            "instrument": "ILO Forced Labour Convention, 1930 (No. 29)",
                            "article": "Art. 2(2)(c)",
                        },
                        {
                            "kind": "international_law",
                            "supervisory_body": "ILO Committee of Experts (CEACR)",
                            "decision_reference": "General Survey on the fundamental "
                            "Conventions (2012), paras. 278–291: prison labour for private "
                            "enterprises",
                        },
                        {
                            "kind": "domestic_law",
                            "country": "PE",
                            "instrument": "Código de Ejecución Penal (D. Leg. 654)",
                            "article": "Título IV, trabajo penitenciario",
                        },
                    ],
                },
            ],
        },
        {
            "code": "FOA-001",
            "right": "FOA",
            "kind": "rule",
            "governs": "union-access-lunch",
            "title_en": "Union access during lunch breaks",
            "title_es": "Acceso sindical durante el refrigerio",
            "versions": [
                {
                    "text_en": "Employers must permit union organizers to meet with workers on "
                    "company property during workers' lunch break, in areas not dedicated to "
                    "current production or to service of customers.",
                    "text_es": "El empleador debe permitir que los organizadores sindicales se "
                    "reúnan con los trabajadores en las instalaciones de la empresa durante el "
                    "refrigerio, en áreas no destinadas a la producción en curso ni a la "
                    "atención de clientes.",
                    "effective_from": "2021-01-01",
                    "sources": [
                        ILO_C87,
                        CFA_ACCESS,
                        {
                            "kind": "best_practice",
                            "country": "US",
                            "instrument": "Republic Aviation Corp. v. NLRB, 324 U.S. 793 (1945): "
                            "solicitation on company property during non-working time",
                            "comparison_labor_relations_system": "enterprise",
                        },
                    ],
                }
            ],
        },
        {
            "code": "FOA-002",
            "right": "FOA",
            "kind": "rule",
            "governs": "union-access-lunch",
            "title_en": "Union meetings within union leave",
            "title_es": "Reuniones sindicales dentro de la licencia sindical",
            "versions": [
                {
                    "text_en": "Union officers may meet workers during the hours of union leave "
                    "granted to them; meetings on company premises require the employer's "
                    "agreement.",
                    "text_es": "Los dirigentes sindicales pueden reunirse con los trabajadores "
                    "durante las horas de licencia sindical; las reuniones en las instalaciones "
                    "de la empresa requieren el acuerdo del empleador.",
                    "effective_from": "2021-01-01",
                    "all_countries": False,
                    "countries": ["PE"],
                    "sources": [
                        {
                            "kind": "domestic_law",
                            "country": "PE",
                            "instrument": LRCT,
                            "article": "Art. 32",
                        }
                    ],
                }
            ],
        },
        {
            "code": "WAGE-001",
            "right": "WAGE",
            "kind": "measure",
            "governs": "minimum-wage",
            "title_en": "Minimum monthly wage — Peru (Remuneración Mínima Vital)",
            "title_es": "Remuneración Mínima Vital — Perú",
            "versions": [
                _wage("930", "2018-04-01", "D.S. 004-2018-TR"),
                _wage("1025", "2022-05-01", "D.S. 003-2022-TR"),
                _wage("1130", "2025-01-01", "D.S. 006-2024-TR"),
            ],
        },
        {
            "code": "WAGE-002",
            "right": "WAGE",
            "kind": "measure",
            "governs": "minimum-wage",
            "title_en": "Entry wage in export apparel — best practice",
            "title_es": "Salario de ingreso en confección de exportación — mejor práctica",
            "versions": [
                {
                    "text_en": "Workers in export apparel manufacturing shall be paid at least "
                    "the entry wage paid by best-practice comparator employers of the same "
                    "industry in the region, for a full-time month.",
                    "text_es": "Los trabajadores de la confección para exportación percibirán al "
                    "menos el salario de ingreso que pagan los empleadores de mejor práctica "
                    "comparables de la misma industria en la región, por un mes a tiempo "
                    "completo.",
                    "effective_from": "2025-07-01",
                    "direction": "at_least",
                    "threshold": "1300",
                    "unit": "PEN",
                    "averaging_period": "month",
                    "measuring_method_en": "Payroll records of all entry-level production "
                    "workers, verified in confidential worker interviews.",
                    "all_countries": False,
                    "countries": ["PE"],
                    "all_sectors": False,
                    "sectors": ["14"],
                    "sources": [
                        {
                            "kind": "best_practice",
                            "comparator_name": "Best-practice comparator apparel exporters "
                            "(illustrative starter value)",
                            "comparison_region": "Latin America and the Caribbean",
                            "comparison_income_level": "upper_middle",
                            "comparison_industry": "14",
                            "value": "1300",
                            "unit": "PEN",
                        }
                    ],
                }
            ],
        },
        {
            "code": "HRS-001",
            "right": "HRS",
            "kind": "measure",
            "governs": "weekly-hours",
            "title_en": "Maximum weekly hours",
            "title_es": "Jornada semanal máxima",
            "versions": [
                {
                    "text_en": "Ordinary working time shall not exceed 48 hours per week.",
                    "text_es": "La jornada ordinaria no excederá de 48 horas semanales.",
                    "effective_from": "2021-01-01",
                    "direction": "at_most",
                    "threshold": "48",
                    "unit": "hour",
                    "averaging_period": "week",
                    "measuring_method_en": "Time records of a representative sample of workers "
                    "over the last 13 weeks, checked against worker interviews.",
                    "sources": [
                        {
                            "kind": "international_law",
                            "instrument": "ILO Hours of Work (Industry) Convention, 1919 (No. 1)",
                            "article": "Art. 2",
                            "value": "48",
                            "unit": "hour",
                        },
                        {
                            "kind": "domestic_law",
                            "country": "PE",
                            "instrument": "Constitución Política del Perú",
                            "article": "Art. 25",
                            "value": "48",
                            "unit": "hour",
                        },
                    ],
                }
            ],
        },
        {
            "code": "HRS-002",
            "right": "HRS",
            "kind": "measure",
            "governs": "weekly-hours",
            "title_en": "Maximum weekly hours — regional best practice",
            "title_es": "Jornada semanal máxima — mejor práctica regional",
            "versions": [
                {
                    "text_en": "Ordinary working time shall not exceed 44 hours per week, the "
                    "limit in force in a comparable country of the region.",
                    "text_es": "La jornada ordinaria no excederá de 44 horas semanales, límite "
                    "vigente en un país comparable de la región.",
                    "effective_from": "2025-01-01",
                    "direction": "at_most",
                    "threshold": "44",
                    "unit": "hour",
                    "averaging_period": "week",
                    "all_countries": False,
                    "countries": ["PE"],
                    "sources": [
                        {
                            "kind": "best_practice",
                            "comparator_name": "Chile",
                            "instrument": "Ley 21.561 (44 hours from 26 April 2024)",
                            "comparison_region": "Latin America and the Caribbean",
                            "comparison_labor_relations_system": "enterprise",
                            "value": "44",
                            "unit": "hour",
                        }
                    ],
                }
            ],
        },
        {
            "code": "OSH-001",
            "right": "OSH",
            "kind": "measure",
            "governs": "cotton-dust-exposure",
            "title_en": "Cotton dust exposure",
            "title_es": "Exposición a polvo de algodón",
            "versions": [
                _dust("2021-01-01", ["13"], "Vertical elutriator, 8-hour sample."),
                _dust(
                    "2024-01-01",
                    ["0116", "13"],
                    "Vertical elutriator cotton dust sampler, full-shift personal samples in "
                    "each work area, by an accredited laboratory; results disclosed to workers.",
                ),
            ],
        },
        {
            "code": "OSH-002",
            "right": "OSH",
            "kind": "measure",
            "governs": "cotton-dust-exposure",
            "title_en": "Cotton dust exposure — Peru domestic limit",
            "title_es": "Exposición a polvo de algodón — límite nacional del Perú",
            "versions": [
                {
                    "text_en": "Exposure to raw cotton dust shall not exceed 0.2 mg/m³ as an "
                    "8-hour time-weighted average.",
                    "text_es": "La exposición a polvo de algodón crudo no excederá de 0,2 mg/m³ "
                    "como promedio ponderado de 8 horas.",
                    "effective_from": "2021-01-01",
                    "direction": "at_most",
                    "threshold": "0.2",
                    "unit": "mg/m³",
                    "averaging_period": "twa_8h",
                    "all_countries": False,
                    "countries": ["PE"],
                    "sources": [
                        {
                            "kind": "domestic_law",
                            "country": "PE",
                            "instrument": "D.S. 015-2005-SA, Reglamento sobre Valores Límite "
                            "Permisibles para Agentes Químicos en el Ambiente de Trabajo",
                            "article": "Anexo",
                        }
                    ],
                }
            ],
        },
        {
            "code": "OSH-003",
            "right": "OSH",
            "kind": "measure",
            "governs": "cotton-dust-exposure",
            "title_en": "Cotton dust exposure — best practice in textile mills",
            "title_es": "Exposición a polvo de algodón — mejor práctica en hilanderías",
            "versions": [
                {
                    "text_en": "Exposure to cotton dust shall not exceed 150 µg/m³ as an 8-hour "
                    "time-weighted average, the level achieved by best-practice comparator "
                    "mills.",
                    "text_es": "La exposición a polvo de algodón no excederá de 150 µg/m³ como "
                    "promedio ponderado de 8 horas, nivel que alcanzan las hilanderías "
                    "comparables de mejor práctica.",
                    "effective_from": "2025-07-01",
                    "direction": "at_most",
                    "threshold": "150",
                    "unit": "µg/m³",
                    "averaging_period": "twa_8h",
                    "all_countries": False,
                    "countries": ["PE"],
                    "all_sectors": False,
                    "sectors": ["13"],
                    "sources": [
                        {
                            "kind": "best_practice",
                            "comparator_name": "Best-practice comparator spinning mills "
                            "(illustrative starter value)",
                            "comparison_region": "Latin America and the Caribbean",
                            "comparison_industry": "13",
                            "value": "150",
                            "unit": "µg/m³",
                        }
                    ],
                }
            ],
        },
    ]


def _wage(amount: str, since: str, decree: str) -> dict:
    return {
        "text_en": f"Workers shall be paid at least the minimum living wage of S/ {amount} for "
        "a full-time month.",
        "text_es": f"Los trabajadores percibirán al menos la Remuneración Mínima Vital de "
        f"S/ {amount} por mes a tiempo completo.",
        "effective_from": since,
        "direction": "at_least",
        "threshold": amount,
        "unit": "PEN",
        "averaging_period": "month",
        "measuring_method_en": "Payroll records, verified in confidential worker interviews.",
        "all_countries": False,
        "countries": ["PE"],
        "sources": [
            {
                "kind": "international_law",
                "instrument": "ILO Minimum Wage Fixing Convention, 1970 (No. 131)",
                "article": "Arts. 1–3",
            },
            {
                "kind": "domestic_law",
                "country": "PE",
                "instrument": decree,
                "article": "Art. 1",
                "value": amount,
                "unit": "PEN",
            },
        ],
    }


def _dust(since: str, sectors: list[str], method: str) -> dict:
    return {
        "text_en": "The employer shall ensure that workers' exposure to cotton dust does not "
        "exceed a maximum time-weighted average exposure limit of 200 micrograms per cubic "
        "meter of air for an eight-hour workday.",
        "text_es": "El empleador garantizará que la exposición de los trabajadores al polvo de "
        "algodón no exceda un límite máximo de 200 microgramos por metro cúbico de aire como "
        "promedio ponderado en el tiempo para una jornada de ocho horas.",
        "effective_from": since,
        "direction": "at_most",
        "threshold": "200",
        "unit": "µg/m³",
        "averaging_period": "twa_8h",
        "measuring_method_en": method,
        "all_sectors": False,
        "sectors": sectors,
        "sources": [
            {
                "kind": "international_law",
                "instrument": "ILO Working Environment (Air Pollution, Noise and Vibration) "
                "Convention, 1977 (No. 148)",
                "article": "Art. 8",
            },
            {
                "kind": "best_practice",
                "country": "US",
                "instrument": "29 CFR 1910.1043(c), cotton dust in yarn manufacturing",
                "comparison_industry": "13",
                "value": "200",
                "unit": "µg/m³",
            },
        ],
    }


ROUND_TITLE = "Cotton dust, lunch-break access and pregnancy protection in the garment sector"


def load() -> None:
    User = get_user_model()
    admin = User.objects.get(username="admin")
    chair = User.objects.get(username="chair")

    for code, title in EXTRA_SECTORS:
        Sector.objects.get_or_create(isic_code=code, defaults={"title": title})
    rights = {}
    for position, (code, name_en, name_es) in enumerate(RIGHTS):
        right = Right.objects.filter(code=code).first() or services.right_create(
            code=code, name_en=name_en, name_es=name_es, position=position, actor=admin
        )
        rights[code] = right

    for spec in _criteria():
        criterion = Criterion.objects.filter(code=spec["code"]).first()
        if criterion is None:
            criterion = services.criterion_record_historical(
                right=rights[spec["right"]],
                kind=spec["kind"],
                governs=spec["governs"],
                title_en=spec["title_en"],
                title_es=spec["title_es"],
                code=spec["code"],
                actor=admin,
            )
        have = CriterionVersion.objects.filter(criterion=criterion).count()
        for draft in spec["versions"][have:]:
            services.criterion_version_record_historical(
                criterion=criterion,
                draft=draft,
                record_reference="Commission record of criteria in force before this register",
                actor=admin,
            )

    _round(chair)


def _round(chair) -> None:
    from .models import RuleResolution

    today = timezone.localdate()
    User = get_user_model()
    if not RuleResolution.objects.filter(governs="union-access-lunch").exists():
        services.rule_resolution_record(
            actor=chair,
            governs="union-access-lunch",
            binding_criterion=Criterion.objects.get(code="FOA-001"),
            reason_en="FOA-001 guarantees access on company property during every lunch break "
            "without the employer's agreement; FOA-002 makes meetings on the premises depend on "
            "it, which leaves workers without access where the employer refuses.",
            reason_es="FOA-001 garantiza el acceso en las instalaciones durante cada refrigerio "
            "sin necesidad del acuerdo del empleador; FOA-002 lo condiciona a ese acuerdo.",
            effective_from=today + dt.timedelta(days=1),
        )

    round_ = DeliberationRound.objects.filter(title_en=ROUND_TITLE).first()
    if round_ is None:
        round_ = services.round_convene(
            actor=chair,
            code=f"{today.year}-{DeliberationRound.objects.filter(convened_on__year=today.year).count() + 1}",
            title_en=ROUND_TITLE,
            title_es="Polvo de algodón, acceso sindical en el refrigerio y protección del "
            "embarazo en la confección",
            notice_en="The commission convenes a deliberation round on the criteria for the "
            "textile and garment sectors. Investigative teams, worker organizations, "
            "enforcement officials, production and health specialists, and informal-sector, "
            "women's and village organizations are invited to file reports and proposals. "
            "The members will vote after the window closes; no revision may derogate from "
            "the criteria in force.",
            notice_es="La comisión convoca una ronda de deliberación sobre los criterios para "
            "los sectores textil y de confección. Se invita a los equipos de investigación, "
            "organizaciones de trabajadores, funcionarios de fiscalización, especialistas en "
            "producción y en salud, y organizaciones del sector informal, de mujeres y "
            "comunales a presentar informes y propuestas.",
            submissions_open_on=today,
            submissions_close_on=today + dt.timedelta(days=30),
            meeting_on=today + dt.timedelta(days=37),
            location="Lima",
        )
    if round_.status != DeliberationRound.Status.CONVENED or not (
        round_.submissions_open_on <= today <= round_.submissions_close_on
    ):
        return
    team = InvestigativeTeam.objects.filter(name="Lima Garment Sector Team").first()
    union = Organization.objects.filter(
        name="Sindicato de Trabajadores de Confecciones del Pacífico"
    ).first()
    lead = User.objects.get(username="team.lead")
    delegate = User.objects.get(username="union")
    investigator = User.objects.get(username="team.union")

    if not round_.reports.filter(title="Cotton dust in spinning and cutting rooms").exists():
        services.report_file(
            round=round_,
            actor=lead,
            participant_role=ParticipantRole.INVESTIGATIVE_TEAM,
            team=team,
            criterion=Criterion.objects.get(code="OSH-001"),
            title="Cotton dust in spinning and cutting rooms",
            body="Full-shift samples in three Ate workplaces: two spinning rooms met 150 µg/m³ "
            "with local exhaust ventilation; the cutting room of the third exceeded 200 µg/m³. "
            "The better-performing workplaces show that 150 µg/m³ is feasible.",
        )
    if not round_.reports.filter(title="Organizers refused entry at lunch").exists():
        services.report_file(
            round=round_,
            actor=delegate,
            participant_role=ParticipantRole.WORKER_ORGANIZATION,
            organization=union,
            criterion=Criterion.objects.get(code="FOA-001"),
            title="Organizers refused entry at lunch",
            body="Since the union requested recognition, security staff have refused entry to "
            "the union's organizers during lunch breaks and have photographed workers who "
            "spoke to them outside the gate.",
        )
    dust = Criterion.objects.get(code="OSH-001")
    if not Proposal.objects.filter(round=round_, criterion=dust).exists():
        services.proposal_submit(
            round=round_,
            actor=investigator,
            kind=Proposal.Kind.REVISION,
            criterion=dust,
            participant_role=ParticipantRole.INVESTIGATIVE_TEAM,
            rationale="The team's measurements show 150 µg/m³ is achieved with local exhaust "
            "ventilation in comparable spinning rooms; the limit is tightened and extended to "
            "garment manufacturing, where cutting rooms exceed it.",
            draft={
                "text_en": "The employer shall ensure that workers' exposure to cotton dust does "
                "not exceed 150 micrograms per cubic meter of air as an eight-hour "
                "time-weighted average.",
                "text_es": "El empleador garantizará que la exposición de los trabajadores al "
                "polvo de algodón no exceda 150 microgramos por metro cúbico de aire como "
                "promedio ponderado de ocho horas.",
                "effective_from": (today + dt.timedelta(days=120)).isoformat(),
                "direction": "at_most",
                "threshold": "150",
                "unit": "µg/m³",
                "averaging_period": "twa_8h",
                "measuring_method_en": "Vertical elutriator cotton dust sampler, full-shift "
                "personal samples in each work area, by an accredited laboratory; results "
                "disclosed to workers.",
                "all_sectors": False,
                "sectors": ["0116", "13", "14"],
                "sources": [
                    {
                        "kind": "international_law",
                        "instrument": "ILO Working Environment (Air Pollution, Noise and "
                        "Vibration) Convention, 1977 (No. 148)",
                        "article": "Art. 8",
                    },
                    {
                        "kind": "best_practice",
                        "comparator_name": "Best-practice comparator spinning mills "
                        "(illustrative starter value)",
                        "comparison_region": "Latin America and the Caribbean",
                        "comparison_industry": "13",
                        "value": "150",
                        "unit": "µg/m³",
                    },
                ],
            },
        )
