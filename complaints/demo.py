"""Demo cases of the canonical scenario, at realistic stages, entered by intake staff with
backdated receipt times so that their clocks show the three situations the public docket must
make visible:

* the union's complaint (in Spanish) against the Peruvian employer, the Government of Peru,
  the prison system, the garment sector and the buying corporation — received ~50 days ago,
  no hearing scheduled: the hearing deadline is AT RISK;
* the human-rights organization's petition to the domestic commission — received ~95 days
  ago, heard on day 52, no outcome: the 90-day deadline is MISSED;
* a worker's pseudonymous complaint — received ~10 days ago: comfortably early.

Idempotent: each case is keyed by its intake reference; a case already loaded is left as is
(its receipt time never moves, whatever day the demo is loaded again).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from commission.models import Organization, Sector, TradingPartner
from criteria.models import Criterion

from . import services
from .models import Case, Respondent
from .services import AllegationInput, ComplainantInput, FilingInput, RespondentInput

UNION_REF = "DEMO-2026-UNION-COMPLAINT"
HRO_REF = "DEMO-2026-HRO-PETITION"
WORKER_REF = "DEMO-2026-WORKER-COMPLAINT"

# Criteria the allegations cite when the register has them (codes of the criteria demo);
# otherwise the allegation describes its standard and is flagged for the next round.
PREGNANCY_CODES = ("DISC-001", "DISC-002", "ND-001", "MAT-001")
RECOGNITION_CODES = ("FOA-001", "FOA-002", "FOA-003", "CB-001")
PRISON_CODES = ("FL-001", "FL-002", "FORCED-001")
HOURS_CODES = ("HRS-001", "HOURS-001", "WH-001")


def _criteria(codes) -> list[Criterion]:
    return list(Criterion.objects.filter(code__in=codes).order_by("code"))


def _at(days_ago: int, hour: int, minute: int) -> dt.datetime:
    local = timezone.localtime() - dt.timedelta(days=days_ago)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0)


def _org(kind: str, name: str) -> Organization:
    return Organization.objects.get(kind=kind, name=name)


def _allegation(summary, facts, *, months_ago, until_months_ago, place, workers, codes, standard):
    today = timezone.localdate()
    cited = _criteria(codes)
    return AllegationInput(
        summary=summary,
        facts=facts,
        period_start=today - dt.timedelta(days=30 * months_ago),
        period_end=(today - dt.timedelta(days=30 * until_months_ago)) if until_months_ago else None,
        place=place,
        workers_affected=workers,
        criteria=cited,
        proposed_standard="" if cited else standard,
    )


def _respondents() -> list[RespondentInput]:
    K = Organization.Kind
    return [
        RespondentInput(
            kind=Respondent.Kind.GOVERNMENT, organization=_org(K.GOVERNMENT, "Government of Peru")
        ),
        RespondentInput(
            kind=Respondent.Kind.GOVERNMENT_AGENCY,
            organization=_org(K.GOVERNMENT_AGENCY, "National Penitentiary System"),
        ),
        RespondentInput(
            kind=Respondent.Kind.GOVERNMENT_AGENCY,
            organization=_org(K.GOVERNMENT_AGENCY, "Ministry of Labour and Employment Promotion"),
        ),
        RespondentInput(
            kind=Respondent.Kind.EMPLOYER,
            organization=_org(K.EMPLOYER, "Confecciones del Pacífico S.A.C."),
        ),
        RespondentInput(kind=Respondent.Kind.SECTOR, sector=Sector.objects.get(isic_code="1410")),
        RespondentInput(
            kind=Respondent.Kind.GLOBAL_CORPORATION,
            organization=_org(K.GLOBAL_CORPORATION, "Northfield Apparel Group, Inc."),
        ),
    ]


def _union_complaint(staff) -> None:
    if Case.objects.filter(received_via="paper", intake_reference=UNION_REF).exists():
        return
    union = _org(
        Organization.Kind.LABOR_ORGANIZATION,
        "Sindicato de Trabajadores de Confecciones del Pacífico",
    )
    place = "Planta de Confecciones del Pacífico S.A.C., Ate, Lima"
    filing = FilingInput(
        kind=Case.Kind.COMPLAINT,
        language="es",
        complainants=[ComplainantInput(kind="organization", organization=union)],
        respondents=_respondents(),
        allegations=[
            _allegation(
                "Despido de trabajadoras embarazadas",
                "Entre marzo y agosto la empresa despidió a catorce trabajadoras de costura "
                "dentro de las dos semanas siguientes a que informaran de su embarazo. Las cartas "
                "de despido invocan «bajo rendimiento»; ninguna tenía sanciones previas. La "
                "inspección de trabajo recibió las denuncias y no actuó.",
                months_ago=8,
                until_months_ago=3,
                place=place,
                workers=14,
                codes=PREGNANCY_CODES,
                standard="Ninguna trabajadora puede ser despedida por causa de su embarazo; el "
                "despido durante el embarazo se presume discriminatorio.",
            ),
            _allegation(
                "Negativa a reconocer al sindicato mayoritario",
                "El sindicato afilia a 312 de los 540 trabajadores de la planta y pidió por "
                "escrito su reconocimiento y el inicio de la negociación colectiva. La empresa "
                "se niega a reconocerlo y a negociar, y promueve un comité de trabajadores "
                "creado por la gerencia.",
                months_ago=6,
                until_months_ago=0,
                place=place,
                workers=540,
                codes=RECOGNITION_CODES,
                standard="El empleador debe reconocer y negociar con el sindicato que acredita "
                "la afiliación de la mayoría de los trabajadores.",
            ),
            _allegation(
                "Trabajo penitenciario en la cadena de suministro de Northfield Apparel Group",
                "Parte de la confección de camisetas de punto para Northfield Apparel Group se "
                "subcontrata a talleres dentro de establecimientos del Sistema Penitenciario "
                "Nacional, donde las personas internas trabajan sin consentimiento libre ni "
                "salario equivalente.",
                months_ago=12,
                until_months_ago=0,
                place="Establecimientos penitenciarios de Lima; planta de Ate",
                workers=120,
                codes=PRISON_CODES,
                standard="Ningún bien destinado a la exportación puede producirse con trabajo "
                "penitenciario no voluntario.",
            ),
        ],
        remedies_sought="Reintegro de las trabajadoras despedidas con pago de salarios "
        "dejados de percibir; reconocimiento del sindicato y apertura de la negociación "
        "colectiva; fin del trabajo penitenciario en la cadena de suministro; sanciones contra "
        "la empresa, el sector, la corporación compradora y el sistema penitenciario hasta el "
        "cumplimiento verificado.",
        withhold_organization_names=False,
        confidentiality_request="Las trabajadoras despedidas temen represalias: sus nombres "
        "no deben comunicarse a la empresa.",
        contact_email="union@commission.localhost",
    )
    case, _code = services.case_file(
        filing=filing,
        actor=staff,
        received_via=Case.Channel.PAPER,
        received_at=_at(50, 10, 30),
        intake_reference=UNION_REF,
    )
    services.evidence_add(
        case=case,
        upload=SimpleUploadedFile(
            "lista-de-despidos.txt",
            "Trabajadoras despedidas (seudónimos): T-01 … T-14, con fechas de aviso de "
            "embarazo y de despido.\n".encode(),
            content_type="text/plain",
        ),
        description="Cronología de los despidos",
        actor=staff,
    )
    services.case_assign(case=case, staff_user=staff, actor=staff)


def _hro_petition(staff) -> None:
    if Case.objects.filter(received_via="email", intake_reference=HRO_REF).exists():
        return
    hro = _org(
        Organization.Kind.HUMAN_RIGHTS_ORGANIZATION, "Centro de Derechos Laborales y Humanos"
    )
    received_at = _at(95, 16, 5)
    filing = FilingInput(
        kind=Case.Kind.PETITION,
        language="en",
        complainants=[ComplainantInput(kind="organization", organization=hro)],
        respondents=_respondents(),
        allegations=[
            _allegation(
                "Prison labor in the supply chain of Northfield Apparel Group",
                "Knitted shirts sold by Northfield Apparel Group are partly sewn in workshops "
                "inside prisons run by the National Penitentiary System, by prisoners who cannot "
                "refuse the work and are not paid a market wage.",
                months_ago=12,
                until_months_ago=0,
                place="Lima prisons; Ate, Lima",
                workers=120,
                codes=PRISON_CODES,
                standard="No goods for export may be produced with involuntary prison labor.",
            ),
            _allegation(
                "The government does not enforce the right to union recognition",
                "The Ministry of Labour has taken no action on the union's complaint that the "
                "employer refuses to recognize the majority union.",
                months_ago=6,
                until_months_ago=0,
                place="Lima",
                workers=540,
                codes=RECOGNITION_CODES,
                standard="A government must enforce an employer's duty to recognize and bargain "
                "with a majority union.",
            ),
        ],
        remedies_sought="That the commission file a complaint against Peru under the agreement, "
        "and impose sanctions on the buying corporation until prison labor is removed from its "
        "supply chain.",
        contact_email="hro@commission.localhost",
    )
    case, _code = services.case_file(
        filing=filing,
        actor=staff,
        received_via=Case.Channel.EMAIL,
        received_at=received_at,
        intake_reference=HRO_REF,
    )
    services.intake_check_record(case=case, actor=staff, note="Complete.")
    services.case_hearing_schedule(
        case=case, scheduled_for=received_at + dt.timedelta(days=52), actor=staff
    )
    services.case_hearing_record_held(
        case=case, held_at=received_at + dt.timedelta(days=52, hours=2), actor=staff
    )


def _worker_complaint(staff) -> None:
    if Case.objects.filter(received_via="email", intake_reference=WORKER_REF).exists():
        return
    filing = FilingInput(
        kind=Case.Kind.COMPLAINT,
        language="es",
        complainants=[
            ComplainantInput(kind="worker", name="María Condori Huanca", contact="+51 987 654 321")
        ],
        respondents=[
            RespondentInput(
                kind=Respondent.Kind.EMPLOYER,
                organization=_org(Organization.Kind.EMPLOYER, "Confecciones del Pacífico S.A.C."),
            ),
            RespondentInput(
                kind=Respondent.Kind.EMPLOYER,
                name_given="Taller de Acabados San Martín",
                country=TradingPartner.objects.get(code="PE"),
            ),
        ],
        allegations=[
            _allegation(
                "Horas extra obligatorias sin pago",
                "En el taller subcontratista se exigen jornadas de doce horas, seis días por "
                "semana; las horas extra no se pagan y quien se niega pierde su puesto.",
                months_ago=4,
                until_months_ago=0,
                place="San Juan de Lurigancho, Lima",
                workers=35,
                codes=HOURS_CODES,
                standard="La jornada no excede de 48 horas semanales y toda hora extra es "
                "voluntaria y pagada con recargo.",
            )
        ],
        remedies_sought="Pago de las horas extra adeudadas y fin de las horas extra obligatorias.",
        confidentiality_request="Temo represalias; no quiero que la empresa conozca mi nombre.",
    )
    services.case_file(
        filing=filing,
        actor=staff,
        received_via=Case.Channel.EMAIL,
        received_at=_at(10, 9, 15),
        intake_reference=WORKER_REF,
    )


def load() -> None:
    staff = get_user_model().objects.get(username="staff")
    _union_complaint(staff)
    _hro_petition(staff)
    _worker_complaint(staff)
