"""The seed paper's Peru case (Section VI) under the reformed institutions, end to end, through
the doors its people use:

* the union files in Spanish on the portal, in a real browser (Debian's chromium);
* staff, the investigative team, the panel and the commission's members act through the
  admin's case page and the team's workspace (Django's test client, signed in as each of them);
* a court retrieves the signed opinion through the REST API with its own token and checks its
  hash and signature; the public reads the docket, the register and the PDFs.

Its parties, the union's complaint and the criteria it cites are the scenario's shared
description (`commission.demo_data.peru()`), which the demo and `manage.py play_scenario` read
too.

Time moves with time-machine, never with sleeps. Every step is named: a failure says which step
failed and what the user saw last."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
from contextlib import ExitStack, contextmanager
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connections
from django.test import Client
from django.utils import timezone
from django.utils.html import strip_tags
from rest_framework.test import APIClient

from commission import roles
from commission.demo_data import peru
from commission.models import InvestigativeTeam, TeamMembership
from commission.selectors import clocks_for_subject
from complaints.models import Case, CourtReview
from hearings.models import Decision, Hearing, Opinion, OpinionRender, Panel
from investigations.models import Finding, Interview, Investigation
from sanctions.models import LiftDetermination, LiftNotice, SanctionOrder
from tests.factories import hearings as f
from tests.factories.commission import PersonFactory
from tests.staff.conftest import login
from tests.staff.test_case_steps import act, messages_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
INTERVIEWEE = "María Fernanda Ccori Apaza"
STATEMENT = "Me despidieron tres semanas después de avisar que estaba embarazada."


class Story:
    """Names the step being played; on a failed assertion, says which step and what the user
    saw last (the text of the last page or API body)."""

    def __init__(self) -> None:
        self.seen = ""

    def saw(self, content) -> str:
        if hasattr(content, "content"):
            content = content.content.decode(errors="replace")
        self.seen = " ".join(strip_tags(str(content)).split())
        return self.seen

    @contextmanager
    def step(self, name: str):
        try:
            yield
        except Exception as exc:
            raise AssertionError(
                f"step «{name}» failed: {exc}\n— what the user saw last: {self.seen[:1500]}"
            ) from exc


@pytest.fixture
def browser(monkeypatch):
    """Opens Debian's chromium for one part of the story at a time: Playwright's sync API runs
    an event loop in the test's thread while it is open, and the opinion's signature (run in
    this thread, as tasks run on commit here) needs the thread without one."""
    if not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    @contextmanager
    def chromium():
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            try:
                yield browser
            finally:
                browser.close()
                connections.close_all()

    return chromium


@pytest.fixture
def world(db):
    parties = f.parties_create()
    parties.union_user.email = "sindicato@example.org"
    parties.union_user.save(update_fields=["email"])
    return f.World(
        parties=parties,
        members=f.members_create(parties),
        criteria=f.criteria_create(),
        staff=f.staff_create(),
    )


@pytest.fixture
def team(world):
    """The Lima team: a staff investigator (whose position prevails) and a worker
    representative named by the workers' organization."""
    lead = f.user_in(roles.TEAM, "team.lead")
    rep = f.user_in(roles.TEAM, "team.rep")
    team = InvestigativeTeam.objects.create(
        name="Equipo Lima Confecciones", country=world.parties.pe
    )
    TeamMembership.objects.create(
        team=team,
        person=PersonFactory(user=lead, full_name="Lucía Paredes"),
        role=TeamMembership.Role.STAFF,
    )
    TeamMembership.objects.create(
        team=team,
        person=PersonFactory(user=rep, full_name="Ana Torres"),
        role=TeamMembership.Role.WORKER_ORGANIZATION,
    )
    team.lead, team.rep = lead, rep
    return team


def signed_in_browser(browser, live_server, user, *, language: str):
    """A browser context signed in as `user` (the session made by Django's test client)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(
        locale="es-PE" if language == "es" else "en-US",
        extra_http_headers={"Accept-Language": language},
    )
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def file_in_spanish(page, base: str, world, *, kind: str = "complaint") -> str:
    """The union's delegate files the complaint on the portal, in Spanish; returns the docket."""
    p, c = world.parties, world.criteria
    page.goto(f"{base}/complaints/")
    assert page.get_attribute("html", "lang") == "es"
    page.click("main button.primary")
    page.wait_for_url("**/filing/")
    page.check(f"input[name=kind][value={kind}]")
    page.check("input[name=language][value=es]")
    page.click("button[value=continue]")
    page.wait_for_url("**/complainants/")
    page.check("input[name=filer_type][value=organization]")
    page.check("input[name=organizations]")
    page.click("button[value=continue]")
    page.wait_for_url("**/respondents/")
    for name, org in (
        ("governments", p.gov_pe),
        ("agencies", p.prison),
        ("employers", p.employer),
        ("corporations", p.buyer),
    ):
        page.check(f"input[name={name}][value='{org.pk}']")
    page.click("button[value=continue]")
    page.wait_for_url("**/allegations/")
    complaint = peru()["complaint"]
    # Each allegation cites the register's criterion (the factories give them its codes).
    cited = {
        "pregnancy": c.pregnancy.criterion,
        "recognition": c.recognition.criterion,
        "prison_labor": c.prison_labor.criterion,
    }
    start = (timezone.localdate() - dt.timedelta(days=200)).isoformat()
    for i, allegation in enumerate(complaint["allegations"]):
        if i:
            page.click("button[value=add]")
            page.wait_for_selector(f"#id_allegations-{i}-summary")
        page.fill(f"#id_allegations-{i}-summary", allegation["summary"])
        page.fill(f"#id_allegations-{i}-facts", allegation["facts"])
        page.fill(f"#id_allegations-{i}-period_start", start)
        page.fill(f"#id_allegations-{i}-place", allegation["place"])
        page.fill(f"#id_allegations-{i}-workers_affected", str(allegation["workers_affected"]))
        criterion = cited[allegation["register"]]
        assert criterion.code == peru()["register"][allegation["register"]]
        page.check(f"input[name='allegations-{i}-criteria'][value='{criterion.pk}']")
    page.click("button[value=continue]")
    page.wait_for_url("**/remedies/")
    page.fill("#id_remedies_sought", complaint["remedies_sought"])
    page.click("button[value=continue]")
    page.wait_for_url("**/evidence/")
    page.click("form.step-end button[value=continue]")
    page.wait_for_url("**/confidentiality/")
    page.click("button[value=continue]")
    page.wait_for_url("**/review/")
    assert "Revise sus respuestas" in page.content()
    page.check("#id_confirm")
    page.click("main form button.primary")
    page.wait_for_url("**/filed/**")
    page.wait_for_selector("#docket-number")
    assert "Presentación recibida" in page.inner_text("main"), page.inner_text("main")
    return page.inner_text("#docket-number").strip()


def test_the_peru_complaint_from_filing_to_a_lifted_sanction(
    browser, live_server, world, team, at, signing_key, settings
):
    settings.SANCTIONS_LIFT_NOTICE_DAYS = 14
    story = Story()
    p = world.parties
    base = live_server.url

    # 1. The union files in Spanish on the portal.
    with story.step("the union files its complaint in Spanish on the portal"):
        with browser() as chromium:
            context = signed_in_browser(chromium, live_server, p.union_user, language="es")
            page = context.new_page()
            docket = file_in_spanish(page, base, world)
            story.saw(page.inner_text("main"))
            assert re.fullmatch(r"C-\d{4}-\d{5}", docket)
            assert "Audiencia celebrada a más tardar" in story.seen
            assert "Abrir el caso en el espacio de trabajo del personal" not in story.seen
        case = Case.objects.get(docket_number=docket)
        assert case.language == "es"
        assert case.allegations.count() == 3
        assert [a.summary for a in case.allegations.order_by("number")] == [
            a["summary"] for a in peru()["complaint"]["allegations"]
        ]
        assert {c.kind for c in clocks_for_subject(subject=case)} == {"hearing_by", "decision_by"}
        acknowledgments = [m for m in mail.outbox if docket in m.subject + m.body]
        assert acknowledgments, [m.subject for m in mail.outbox]
        assert "sindicato@example.org" in acknowledgments[0].to

    received = timezone.localtime(case.received_at)

    def day(n: int, hour: int = 10) -> dt.datetime:
        return (received + dt.timedelta(days=n)).replace(hour=hour, minute=0, second=0)

    def local(moment: dt.datetime) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")

    staff = login(world.staff)
    chair = login(world.members.jurist_us.person.user)

    def run(client, slug: str, data: dict, expect: str) -> None:
        response = client.post(act(case, slug), data, follow=True)
        said = messages_of(response)
        story.saw(" | ".join(said) or response.content.decode())
        assert any(expect in m for m in said), said

    # 2. Staff assign the investigative team; its worker representative interviews a worker
    #    off the premises; the team determines a finding.
    with story.step("staff assign the investigative team"):
        at(day(3))
        run(staff, "team-assign", {"team": team.pk, "reason": "Sector team for Lima."}, "")
        investigation = Investigation.objects.get(complaint=case)
        assert investigation.team == team

    with story.step("the worker representative records a confidential interview"):
        at(day(8))
        rep = login(team.rep)
        response = rep.post(
            f"/investigations/{investigation.pk}/interviews/new/",
            {
                "held_on": day(8).date().isoformat(),
                "place_description": "Local sindical, Ate",
                "off_premises": "on",
                "interviewee_name": INTERVIEWEE,
                "interviewee_contact": "+51 955 111 222",
                "statement": STATEMENT,
                "language": "es",
            },
            follow=True,
        )
        story.saw(response)
        assert response.status_code == 200
        interview = Interview.objects.get(investigation=investigation)
        assert INTERVIEWEE not in story.seen
        with connections["default"].cursor() as cursor:
            cursor.execute(
                "SELECT interviewee_name, statement FROM investigations_interview WHERE id = %s",
                [interview.pk],
            )
            stored = " ".join(cursor.fetchone())
        assert INTERVIEWEE not in stored
        assert STATEMENT not in stored

    with story.step("the team drafts and determines a finding"):
        lead = login(team.lead)
        response = lead.post(
            f"/investigations/{investigation.pk}/findings/new/",
            {
                "criterion_version": world.criteria.pregnancy_v2.identifier,
                "result": "violation",
                "summary": "Despidos por embarazo",
                "facts": "Once despidos dentro de las tres semanas del aviso de embarazo.",
                "observed_on": day(8).date().isoformat(),
                "workers_affected": "11",
            },
            follow=True,
        )
        story.saw(response)
        finding = Finding.objects.get(investigation=investigation)
        memberships = TeamMembership.objects.filter(team=team)
        response = lead.post(
            f"/investigations/findings/{finding.pk}/determine/",
            {f"position_{m.pk}": "violation" for m in memberships},
            follow=True,
        )
        story.saw(response)
        finding.refresh_from_db()
        assert finding.status == Finding.Status.DETERMINED

    # 3. The panel: the commission selects it; the respondent has no say.
    with story.step("the panel is selected without the respondent"):
        at(day(2 + 3))
        m = world.members
        for member in m.all():
            run(
                login(member.person.user),
                "conflict-declare",
                {"statement": ""},
                "Declared: no conflict of interest",
            )
        respondent = login(f.user_in(roles.FILERS, "peru.delegate"))
        refused = respondent.post(act(case, "panel-select"), {"seat_1": m.jurist_pe.pk})
        assert refused.status_code in (302, 403)
        assert not Panel.objects.filter(case=case).exists()
        run(
            staff,
            "panel-select",
            {"seat_1": m.jurist_us.pk, "seat_2": m.worker_pe.pk, "seat_3": m.worker_us.pk},
            "Panel selected",
        )

    # 4. The hearing: notice on day 20, the organizations' submissions, held on day 50.
    with story.step("the hearing is scheduled with public notice"):
        at(day(20))
        run(
            staff,
            "hearing-schedule",
            {
                "scheduled_for": local(day(50, 9)),
                "location": "Sala de audiencias, Lima",
                "virtual_url": "",
                "duration_minutes": 180,
            },
            "Hearing scheduled",
        )
        hearing = Hearing.objects.get(case=case)

    with story.step("the union and the human-rights organization take part and submit"):
        at(day(30))
        for user, org, title in (
            (p.union_user, p.union, "Cartas de despido y avisos de embarazo"),
            (p.hro_user, p.hro, "Informe sobre los talleres penitenciarios"),
        ):
            client = login(user)
            response = client.post(
                f"/hearings/{hearing.pk}/participate/",
                {"organization": org.pk, "presents_evidence": "on"},
                follow=True,
            )
            story.saw(response)
            participant = hearing.participants.get(organization=org)
            response = client.post(
                f"/hearings/{hearing.pk}/submit/",
                {
                    "participant": participant.pk,
                    "kind": "written_evidence",
                    "title": title,
                    "text": "Véase el anexo y el registro de la visita.",
                    "is_public": "on",
                },
                follow=True,
            )
            story.saw(response)
        assert hearing.submissions.count() == 2

    with story.step("the hearing is held by day 60"):
        at(day(50, 15))
        run(
            staff,
            "hearing-held",
            {"held_at": local(day(50, 9)), "written_arguments_days": 7},
            "",
        )
        hearing.refresh_from_db()
        assert hearing.status == Hearing.Status.HELD
        clock = clocks_for_subject(subject=case).get(kind="hearing_by")
        assert clock.status == "met", clock.explain()

    # 5. The decision by day 90: violations on all three allegations, the team's finding
    #    cited, deterrent sanctions on the employer, the buyer and the prison agency.
    with story.step("the panel drafts its decision and cites the team's finding"):
        at(day(70))
        run(chair, "decision-open", {}, "Draft decision opened")
        decision = Decision.objects.get(case=case)
        versions = {
            1: world.criteria.pregnancy_v2,
            2: world.criteria.recognition,
            3: world.criteria.prison_labor,
        }
        for finding_row in decision.findings.select_related("allegation"):
            n = finding_row.allegation.number
            run(
                chair,
                "criterion-apply",
                {
                    "finding": finding_row.pk,
                    "criterion": versions[n].criterion.pk,
                    "analysis": "Se aplica.",
                },
                "",
            )
            run(
                chair,
                "fact-add",
                {"finding": finding_row.pk, "text": "Hecho probado.", "source_label": "Acta, p. 3"},
                "",
            )
            run(
                chair,
                "finding-record",
                {
                    "finding": finding_row.pk,
                    "determination": "violation",
                    "reasoning": "Se infringe.",
                },
                "",
            )
        run(
            chair,
            "finding-cite",
            {"finding": finding.pk, "reliance": "Los despidos por embarazo."},
            "cited as C1",
        )

    def benchmark_rows(rows: list[dict]) -> dict:
        data = {"benchmarks-TOTAL_FORMS": 3, "benchmarks-INITIAL_FORMS": 0}
        for i, row in enumerate(rows):
            data.update({f"benchmarks-{i}-{k}": v for k, v in row.items()})
        return data

    reinstated = {
        "description": "Reincorporación de las trabajadoras despedidas",
        "metric": "porcentaje reincorporado",
        "direction": "at_least",
        "target_value": "100",
        "unit": "%",
        "verification_method": "Auditoría de planillas.",
        "lift_share_percent": "60",
    }
    recognized = {
        "description": "Sindicato reconocido",
        "metric": "reconocimiento",
        "direction": "achieved",
        "verification_method": "Convenio firmado.",
        "lift_share_percent": "40",
    }
    with story.step("the panel specifies deterrent sanctions on three targets"):
        findings = [fi.pk for fi in decision.findings.order_by("allegation__number")]
        run(
            chair,
            "sanction-specify",
            {
                "target": "firm",
                "target_organization": p.employer.pk,
                "instrument": "tariff",
                "magnitude": "35",
                "unit": "percent_ad_valorem",
                "description": "Arancel a las prendas de la empresa.",
                "deterrence_reasoning": "Supera lo que la empresa ahorró con las violaciones.",
                "estimated_benefit": "12",
                "benefit_method": "Costo laboral ahorrado sobre el valor exportado.",
                "findings": findings[:2],
                **benchmark_rows([reinstated, recognized]),
            },
            "Sanction 1 specified with 2 benchmark(s).",
        )
        run(
            chair,
            "sanction-specify",
            {
                "target": "global_corporation",
                "target_organization": p.buyer.pk,
                "supply_relationship": p.supply.pk,
                "instrument": "monetary_penalty",
                "magnitude": "2500000",
                "unit": "currency",
                "currency": "USD",
                "penalty_period": "yearly",
                "description": "Multa al comprador abastecido por el taller.",
                "deterrence_reasoning": "Elimina la ganancia del comprador.",
                "estimated_benefit": "900000",
                "benefit_method": "Margen del comprador en esos bienes.",
                "findings": findings,
                **benchmark_rows([{**reinstated, "lift_share_percent": "100"}]),
            },
            "Sanction 2 specified",
        )
        run(
            chair,
            "sanction-specify",
            {
                "target": "government_entity",
                "target_organization": p.prison.pk,
                "instrument": "benefit_withdrawal",
                "magnitude": "50",
                "unit": "percent_of_benefits",
                "description": "Retiro de beneficios de cooperación al sistema penitenciario.",
                "deterrence_reasoning": "Suficiente para poner fin al suministro.",
                "estimated_benefit": "20",
                "benefit_method": "Ingresos de los talleres sobre los beneficios.",
                "findings": findings[2:],
                **benchmark_rows(
                    [
                        {
                            "description": "Ningún interno en talleres privados",
                            "metric": "internos trabajando para empleadores privados",
                            "direction": "at_most",
                            "target_value": "0",
                            "unit": "workers",
                            "verification_method": "Inspección sin aviso.",
                            "lift_share_percent": "100",
                        }
                    ]
                ),
            },
            "Sanction 3 specified",
        )

    with story.step("the decision issues by day 90 and its signed opinion is rendered"):
        at(day(85, 11))
        run(chair, "decision-issue", {"adoption_record": ""}, "Decision adopted")
        decision.refresh_from_db()
        renders = [(r.status, r.error) for r in OpinionRender.objects.filter(decision=decision)]
        assert decision.status == Decision.Status.ISSUED, renders
        opinion = Opinion.objects.get(decision=decision, kind=Opinion.Kind.OPINION)
        assert opinion.signed
        clock = clocks_for_subject(subject=case).get(kind="decision_by")
        assert clock.status == "met", clock.explain()
        assert SanctionOrder.objects.filter(specification__decision=decision).count() == 3

    # 6. A court retrieves the opinion through the API and checks its hash and signature.
    with story.step("a court retrieves the opinion by API and verifies it"):
        at(day(86))
        from commission.services import api_token_issue

        court_user = f.user_in(roles.COURT, "court.clerk")
        world.staff.is_staff = True
        _token, raw = api_token_issue(user=court_user, actor=world.staff, name="Juzgado")
        court = APIClient()
        court.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        body = court.get(f"/api/v1/opinions/?docket_number={docket}").json()
        story.saw(str(body))
        row = next(r for r in body["results"] if r["kind"] == "opinion")
        assert row["sha256"] == opinion.sha256
        assert row["signed"] is True
        pdf = court.get(row["pdf_url"].replace("http://testserver", ""))
        story.saw(f"{pdf.status_code} {pdf.get('Content-Type')}")
        content = b"".join(pdf.streaming_content) if pdf.streaming else pdf.content
        assert hashlib.sha256(content).hexdigest() == opinion.sha256
        assert INTERVIEWEE.encode() not in content
        from django.core.files.uploadedfile import SimpleUploadedFile

        verified = court.post(
            "/api/v1/opinions/verify/",
            {"pdf": SimpleUploadedFile("opinion.pdf", content, "application/pdf")},
        ).json()
        story.saw(str(verified))
        assert verified["registered"] is True
        assert verified["signature"]["by_commission_key"] is True
        assert verified["signature"]["intact"] is True

    # 7. The public sees the decision, the sanctions and no worker's name.
    stack = ExitStack()
    with story.step("the public reads the case, the register and no worker's name"):
        chromium = stack.enter_context(browser())
        page = chromium.new_context(locale="en-US").new_page()
        page.goto(f"{base}/complaints/docket/{docket}/")
        text = story.saw(page.content())
        assert docket in text
        assert INTERVIEWEE not in text
        orders = SanctionOrder.objects.filter(specification__decision=decision)
        for order in orders:
            assert f"/sanctions/{order.public_id}/" in page.content()
        page.goto(f"{base}/sanctions/")
        text = story.saw(page.content())
        parties = peru()["parties"]
        for key in ("employer", "buyer", "prison"):
            assert parties[key]["name"] in text, key
        stack.close()

    # 8. A benchmark is verified, a lift hearing held, one step lifted; the full lift is
    #    refused while the other benchmark is unmet.
    order = SanctionOrder.objects.get(specification__decision=decision, specification__number=1)
    first = order.specification.benchmarks.get(position=1)
    members_user = f.user_in(roles.MEMBERS, "member.lifts")
    judge = login(members_user)
    with story.step("the team verifies the reinstatement benchmark"):
        at(day(120))
        run(
            login(team.lead),
            "sanction-verify",
            {
                "benchmark": first.pk,
                "team": team.pk,
                "measured_value": "100",
                "measured_on": day(119).date().isoformat(),
                "method_applied": "Auditoría de planillas y entrevistas fuera del centro.",
            },
            "the benchmark is met",
        )

    with story.step("a lift hearing is noticed and held"):
        run(
            staff,
            "sanction-lift-notice",
            {
                "order": order.pk,
                "benchmark": first.pk,
                "hearing_at": local(day(140)),
                "location": "Lima",
                "text": "Audiencia pública sobre el levantamiento del paso 1.",
            },
            "Notice of the lift hearing published.",
        )
        at(day(140, 15))
        notice = LiftNotice.objects.get(order=order)
        run(
            staff,
            "sanction-lift-hearing",
            {"notice": notice.pk, "presenters": "El sindicato; la empresa.", "record": "Acta."},
            "Lift hearing recorded as held.",
        )

    with story.step("one step is lifted; the full lift is refused while a benchmark is unmet"):
        at(day(141))
        refused = judge.post(act(case, "sanction-lift"), {"order": order.pk, "reasoning": "x"})
        story.saw(refused)
        assert "every benchmark is met" in story.seen
        run(
            judge,
            "sanction-lift",
            {"order": order.pk, "benchmark": first.pk, "reasoning": "Reincorporación verificada."},
            "Determination made",
        )
        determination = LiftDetermination.objects.get(order=order)
        # The reinstatement step carries 60% of the tariff: 35% ad valorem becomes 14%.
        assert determination.magnitude_after == Decimal("14")
        public = Client().get(f"/sanctions/{order.public_id}/")
        story.saw(public)
        assert public.status_code == 200
        assert str(determination.magnitude_after).rstrip("0").rstrip(".") in story.seen


def test_the_petition_is_denied_then_a_court_compels_the_complaint(browser, live_server, world, at):
    """The human-rights organization petitions in Spanish on the portal; the denial carries a
    reasoned opinion the public can read; a court's order compelling the filing is recorded;
    the complaint is filed, linked to the petition, with its own statutory clocks."""
    story = Story()
    p = world.parties
    with story.step("the organization petitions in Spanish on the portal"):
        with browser() as chromium:
            context = signed_in_browser(chromium, live_server, p.hro_user, language="es")
            docket = file_in_spanish(context.new_page(), live_server.url, world, kind="petition")
        petition = Case.objects.get(docket_number=docket)
        assert petition.kind == Case.Kind.PETITION
        assert docket.startswith("P-")

    staff = login(world.staff)
    received = timezone.localtime(petition.received_at)

    def run(slug: str, data: dict, expect: str):
        response = staff.post(act(petition, slug), data, follow=True)
        said = messages_of(response)
        story.saw(" | ".join(said) or response.content.decode())
        assert any(expect in m for m in said), said
        return response

    def local(moment: dt.datetime) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")

    def day(n: int, hour: int = 10) -> dt.datetime:
        return (received + dt.timedelta(days=n)).replace(hour=hour, minute=0, second=0)

    with story.step("the petition's panel is seated and its open hearing held"):
        at(day(3))
        m = world.members
        for member in m.all():
            login(member.person.user).post(act(petition, "conflict-declare"), {"statement": ""})
        run(
            "panel-select",
            {"seat_1": m.jurist_us.pk, "seat_2": m.worker_pe.pk, "seat_3": m.worker_us.pk},
            "Panel selected",
        )
        at(day(15))
        run(
            "hearing-schedule",
            {
                "scheduled_for": local(day(35, 9)),
                "location": "Sala de audiencias, Lima",
                "virtual_url": "",
                "duration_minutes": 120,
            },
            "Hearing scheduled",
        )
        at(day(35, 15))
        run(
            "hearing-held",
            {"held_at": local(day(35, 9)), "written_arguments_days": 3},
            "",
        )
        petition.refresh_from_db()
        assert petition.status == Case.Status.HEARD

    reasons = (
        "Los hechos alegados no se acreditaron con la documentación presentada; la comisión "
        "no encuentra incumplimiento de los criterios invocados."
    )
    with story.step("the petition is denied with a reasoned opinion"):
        at(day(40))
        run(
            "deny",
            {"reasoning": reasons, "reference": "OP-2027-001"},
            "Petition denied with a reasoned opinion.",
        )
        petition.refresh_from_db()
        assert petition.status == Case.Status.DENIED
        public = Client().get(f"/complaints/docket/{docket}/")
        story.saw(public)
        assert reasons[:60] in " ".join(public.content.decode().split())

    with story.step("the organization's action in court is recorded"):
        at(received + dt.timedelta(days=50))
        run(
            "court-review",
            {
                "court": "Corte Superior de Justicia de Lima",
                "court_case_number": "00123-2027",
                "grounds": ["ground_record_unsupported"],
                "filed_on": (received + dt.timedelta(days=48)).date().isoformat(),
            },
            "Action in court recorded.",
        )
        review = petition.court_reviews.get()

    with story.step("the court's order compelling the filing is recorded"):
        at(received + dt.timedelta(days=80))
        run(
            "court-order",
            {
                "review": review.pk,
                "order": CourtReview.Order.COMPEL_FILING,
                "order_date": (received + dt.timedelta(days=79)).date().isoformat(),
                "order_text": "La comisión presentará la queja dentro de diez días.",
                "complainant": p.gov_us.pk,
            },
            "The court's order is recorded.",
        )
        review.refresh_from_db()
        complaint = review.complaint
        assert complaint is not None
        assert complaint.originating_petition == petition
        assert complaint.received_via == Case.Channel.COURT_ORDER

    with story.step("the complaint's own clocks start and the public sees it"):
        clocks = {c.kind: c for c in clocks_for_subject(subject=complaint)}
        assert set(clocks) == {"hearing_by", "decision_by"}
        assert clocks["hearing_by"].started_at >= received + dt.timedelta(days=80)
        public = Client().get(f"/complaints/docket/{complaint.docket_number}/")
        story.saw(public)
        assert complaint.docket_number in story.seen
        assert "Hearing held by" in story.seen
