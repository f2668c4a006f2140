"""The same refusals through the other doors: the staff workspace's case steps and admin
actions, the REST API, the team's verification page; the public register and its exports
(with a query count that does not grow with the number of sanctions)."""

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from sanctions import services
from sanctions.models import LiftDetermination, SanctionOrder, SanctionWaiver
from tests.staff.conftest import login
from tests.staff.test_case_steps import act, messages_of

from .conftest import later


def _text(response) -> str:
    return " ".join(messages_of(response)) + response.content.decode()


def test_the_case_steps_refuse_what_the_services_refuse(world, issued, team, member, at, drafted):
    case = issued.case
    staff = login(world.staff)
    judge = login(member)
    order = SanctionOrder.objects.get(specification__decision=issued, specification__number=1)
    first = order.specification.benchmarks.get(position=1)
    at(later(1))
    # notice without verification
    r = staff.post(
        act(case, "sanction-lift-notice"),
        {
            "order": order.pk,
            "benchmark": first.pk,
            "hearing_at": "2026-06-30T10:00",
            "location": "Lima",
            "text": "Notice",
        },
        follow=True,
    )
    assert "not verified met" in _text(r)
    # lifting without verification, and a full lift with a benchmark unmet
    r = judge.post(
        act(case, "sanction-lift"), {"order": order.pk, "benchmark": first.pk, "reasoning": "x"}
    )
    assert "not verified met" in _text(r)
    r = judge.post(act(case, "sanction-lift"), {"order": order.pk, "reasoning": "x"})
    assert "every benchmark is met" in _text(r)
    # verified, but no notice; then a notice too short; then no hearing
    at(later(1, 9))
    team_client = login(team.member)
    r = team_client.post(
        act(case, "sanction-verify"),
        {
            "benchmark": first.pk,
            "team": team.pk,
            "measured_value": "100",
            "measured_on": later(1).date().isoformat(),
            "method_applied": "Payroll audit.",
        },
        follow=True,
    )
    assert "the benchmark is met" in _text(r)
    at(later(1, 11))
    r = judge.post(
        act(case, "sanction-lift"), {"order": order.pk, "benchmark": first.pk, "reasoning": "x"}
    )
    assert "No public notice" in _text(r)
    r = staff.post(
        act(case, "sanction-lift-notice"),
        {
            "order": order.pk,
            "benchmark": first.pk,
            "hearing_at": (later(5)).strftime("%Y-%m-%dT%H:%M"),
            "location": "Lima",
            "text": "Notice",
        },
    )
    assert "at least 14 days" in _text(r)
    services.lift_notice_publish(
        order=order,
        benchmark=first,
        hearing_at=later(20),
        location="Lima",
        text="Notice",
        actor=world.staff,
    )
    r = judge.post(
        act(case, "sanction-lift"), {"order": order.pk, "benchmark": first.pk, "reasoning": "x"}
    )
    assert "has not been held" in _text(r)
    # a waiver missing a vote
    r = staff.post(
        act(case, "sanction-waive"),
        {
            "order": order.pk,
            "national_security_grounds": "Grounds",
            "house_vote": "H.J.Res. 1",
            "senate_vote": "",
            "president_signature": "Signed",
        },
    )
    assert "the vote of the Senate" in _text(r)
    assert not SanctionWaiver.objects.exists()
    assert not LiftDetermination.objects.exists()


def test_the_sanction_step_refuses_a_magnitude_not_above_the_benefit(world, drafted, at):
    chair = login(world.members.jurist_us.person.user)
    findings = list(drafted.findings.all())
    r = chair.post(
        act(drafted.case, "sanction-specify"),
        {
            "target": "firm",
            "target_organization": world.parties.employer.pk,
            "instrument": "tariff",
            "magnitude": "10",
            "unit": "percent_ad_valorem",
            "description": "Tariff.",
            "deterrence_reasoning": "Deters.",
            "estimated_benefit": "10",
            "benefit_method": "Savings.",
            "findings": [findings[0].pk],
            "benchmarks-TOTAL_FORMS": 1,
            "benchmarks-INITIAL_FORMS": 0,
            "benchmarks-0-description": "Reinstatement",
            "benchmarks-0-metric": "share reinstated",
            "benchmarks-0-direction": "achieved",
            "benchmarks-0-verification_method": "Audit.",
            "benchmarks-0-lift_share_percent": "100",
        },
    )
    assert "does not exceed the estimated benefit" in _text(r)


def test_the_api_refuses_and_the_admin_action_refuses(world, issued, team, member, at):
    order = SanctionOrder.objects.get(specification__decision=issued, specification__number=1)
    first = order.specification.benchmarks.get(position=1)
    api = APIClient()
    url = f"/api/v1/sanctions/{order.public_id}/"
    # the register is public
    assert api.get("/api/v1/sanctions/").status_code == 200
    api.force_authenticate(member)
    at(later(1))
    r = api.post(
        url + "lift/", {"benchmark": str(first.public_id), "reasoning": "x"}, format="json"
    )
    assert r.status_code == 400
    assert "not verified met" in " ".join(r.json()["errors"]["detail"])
    r = api.post(url + "lift/", {"reasoning": "x"}, format="json")
    assert "every benchmark is met" in " ".join(r.json()["errors"]["detail"])
    team_api = APIClient()
    team_api.force_authenticate(team.member)
    r = team_api.post(
        url + "verify/",
        {
            "benchmark": str(first.public_id),
            "team": team.pk,
            "measured_on": later(1).date().isoformat(),
            "method_applied": "Plans to reinstate are being prepared.",
        },
        format="json",
    )
    assert r.status_code == 400
    assert "measured value" in " ".join(r.json()["errors"]["detail"])
    r = team_api.post(
        url + "verify/",
        {
            "benchmark": str(first.public_id),
            "team": team.pk,
            "measured_value": "100",
            "measured_on": later(1).date().isoformat(),
            "method_applied": "Payroll audit.",
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    r = api.post(
        url + "lift/", {"benchmark": str(first.public_id), "reasoning": "x"}, format="json"
    )
    assert "No public notice" in " ".join(r.json()["errors"]["detail"])
    staff_api = APIClient()
    staff_api.force_authenticate(world.staff)
    r = staff_api.post(
        url + "notice/",
        {
            "benchmark": str(first.public_id),
            "hearing_at": later(5).isoformat(),
            "location": "Lima",
            "text": "Notice",
        },
        format="json",
    )
    assert "at least 14 days" in " ".join(r.json()["errors"]["detail"])
    r = staff_api.post(
        url + "notice/",
        {
            "benchmark": str(first.public_id),
            "hearing_at": later(20).isoformat(),
            "location": "Lima",
            "text": "Notice",
        },
        format="json",
    )
    assert r.status_code == 201
    r = api.post(
        url + "lift/", {"benchmark": str(first.public_id), "reasoning": "x"}, format="json"
    )
    assert "has not been held" in " ".join(r.json()["errors"]["detail"])
    r = staff_api.post(
        url + "waive/",
        {
            "national_security_grounds": "G",
            "house_vote": "",
            "senate_vote": "S",
            "president_signature": "P",
        },
        format="json",
    )
    assert r.status_code == 400
    assert "the vote of the House" in " ".join(r.json()["errors"]["detail"])
    # the admin action: a full lift with a benchmark unmet, a waiver missing a vote
    admin = login(world.staff)
    world.staff.is_superuser = True
    world.staff.save(update_fields=["is_superuser"])
    r = admin.post(
        "/admin/sanctions/sanctionorder/",
        {"action": "lift_fully", "_selected_action": [order.pk], "apply": "1", "reasoning": "x"},
        follow=True,
    )
    assert "every benchmark is met" in _text(r)
    r = admin.post(
        "/admin/sanctions/sanctionorder/",
        {
            "action": "waive",
            "_selected_action": [order.pk],
            "apply": "1",
            "national_security_grounds": "G",
            "house_vote": "H",
            "senate_vote": "S",
            "president_signature": "",
        },
        follow=True,
    )
    assert "the president&#x27;s signature" in _text(r) or "president's signature" in _text(r)
    assert not LiftDetermination.objects.exists()
    assert not SanctionWaiver.objects.exists()


def test_the_register_reads_in_constant_queries(world, issued, team, at, client):
    order = SanctionOrder.objects.get(specification__decision=issued, specification__number=1)
    at(later(1))

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    small = {
        p: count(p) for p in ("/sanctions/", "/sanctions/register.json", "/sanctions/register.csv")
    }
    # more sanctions and benchmarks' verifications: the same number of queries
    for position in (1, 2):
        b = order.specification.benchmarks.get(position=position)
        services.benchmark_verify(
            benchmark=b,
            team=team,
            measured_value=None if b.direction == "achieved" else Decimal("100"),
            achieved=True if b.direction == "achieved" else None,
            measured_on=later(1).date(),
            method_applied="Audit.",
            actor=team.member,
        )
    copy = SanctionOrder.objects.all()
    assert copy.count() == 3
    for p, n in small.items():
        assert count(p) == n, p
    html = client.get("/sanctions/").content.decode()
    assert "<progress" in html
    data = client.get("/sanctions/register.json").json()
    assert len(data["sanctions"]) == 3
    assert client.get("/sanctions/register.csv").content.decode().count("\n") == 4
    assert dt.timedelta(0) <= dt.timedelta(1)


def test_the_team_page_files_a_report(world, issued, team, at):
    at(later(1))
    page = login(team.member)
    assert page.get("/sanctions/verify/").status_code == 200
    assert "/sanctions/verify/" in page.get("/investigations/").content.decode()
    assert login(world.staff).get("/sanctions/verify/").status_code == 403


def test_the_api_refuses_a_magnitude_not_above_the_benefit(world, drafted):
    api = APIClient()
    api.force_authenticate(world.members.jurist_us.person.user)
    payload = {
        "decision": drafted.pk,
        "target": "firm",
        "target_organization": world.parties.employer.pk,
        "instrument": "tariff",
        "magnitude": "10",
        "unit": "percent_ad_valorem",
        "estimated_benefit": "10",
        "benefit_method": "Savings.",
        "description": "Tariff.",
        "deterrence_reasoning": "Deters.",
        "findings": [fi.pk for fi in drafted.findings.all()],
        "benchmarks": [
            {
                "description": "Reinstatement",
                "metric": "share reinstated",
                "direction": "achieved",
                "verification_method": "Audit.",
                "lift_share_percent": "100",
            }
        ],
    }
    r = api.post("/api/v1/sanctions/specify/", payload, format="json")
    assert r.status_code == 400
    assert "does not exceed the estimated benefit" in " ".join(r.json()["errors"]["detail"])
    payload["magnitude"] = "11"
    r = api.post("/api/v1/sanctions/specify/", payload, format="json")
    assert r.status_code == 201, r.content


def test_the_public_case_page_shows_its_sanctions_and_their_progress(world, issued, at, client):
    """The docket's case page links each sanction the decision ordered to its register page,
    with the magnitude in force and the share lifted."""
    at(later(1))
    case = issued.case
    html = client.get(f"/complaints/docket/{case.docket_number}/").content.decode()
    orders = SanctionOrder.objects.filter(specification__decision=issued)
    assert orders.count() == 3
    for order in orders:
        assert f"/sanctions/{order.public_id}/" in html
    assert 'aria-labelledby="case-sanctions-title"' in html
    assert "<progress" in html


def test_the_register_searches_and_filters(world, issued, at, client):
    """The register finds a sanction by its case or its target and filters by status, target
    and instrument; its exports follow the same filters; garbage in a link filters nothing."""
    at(later(1))

    def targets(**params) -> list[str]:
        response = client.get("/sanctions/", params)
        assert response.status_code == 200
        return [r.order.specification.target for r in response.context["rows"]]

    assert sorted(targets()) == ["firm", "global_corporation", "government_entity"]
    assert targets(target="firm") == ["firm"]
    assert targets(instrument="monetary_penalty") == ["global_corporation"]
    assert targets(q=world.parties.buyer.name[:8].lower()) == ["global_corporation"]
    assert len(targets(q=issued.case.docket_number)) == 3
    assert len(targets(status="in_force")) == 3
    assert targets(status="lifted") == []
    assert (
        "No sanction matches this search."
        in client.get("/sanctions/?status=waived").content.decode()
    )
    assert len(targets(status="nonsense", target="x" * 500)) == 3
    data = client.get("/sanctions/register.json", {"target": "government_entity"}).json()
    assert [s["target"] for s in data["sanctions"]] == ["government_entity"]
    csv_text = client.get("/sanctions/register.csv", {"instrument": "tariff"}).content.decode()
    assert csv_text.count("\n") == 2
    html = client.get("/sanctions/", {"target": "firm"}).content.decode()
    assert 'href="/sanctions/register.csv?target=firm"' in html
    assert f'href="/complaints/docket/{issued.case.docket_number}/"' in html
