"""The team's door in a real browser (Debian's headless Chromium through Playwright): a team
member signs in, records an off-site interview (by keyboard alone; the identity is encrypted
and never shown to a teammate without the grant), a finding with a measured value and a
remedial order; the verification fails after the due date, and the complaint the team files
appears on the public docket with its own statutory clocks. Each page passes an axe check
(WCAG 2.1 A/AA, no serious or critical violation)."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from django.db import connections
from django.utils import timezone

from commission.selectors import clocks_for_subject
from complaints.models import Case
from investigations.models import Interview, RemedialOrder
from tests.factories.investigations import (
    INTERVIEWEE,
    STATEMENT,
    build_team_world,
    open_agency_monitoring,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PASSWORD = "pw-for-tests-only"


@pytest.fixture
def browser(monkeypatch):
    if not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()
        connections.close_all()


def check_accessibility(page, label: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG)
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert serious == [], f"{label}: {serious}"


def tab_to(page, selector: str, *, limit: int = 200) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(s) => !!document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def submit(page) -> None:
    """Submit the main form; the service accepted it (no error summary came back)."""
    with page.expect_navigation():
        page.click("main button.primary")
    errors = page.locator(".error-summary, .errorlist")
    assert errors.count() == 0, errors.all_inner_texts()


def sign_in(page, base: str, username: str, next_path: str) -> None:
    page.goto(f"{base}/complaints/sign-in/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button.primary")


def test_team_member_records_and_the_failed_order_becomes_a_public_complaint(browser, live_server):
    tw = build_team_world()
    investigation = open_agency_monitoring(tw)
    base = live_server.url
    today = timezone.localdate()
    context = browser.new_context(locale="en-US")
    page = context.new_page()

    sign_in(page, base, "team.lead", "/investigations/")
    assert investigation.number in page.content()
    check_accessibility(page, "workspace")
    with page.expect_navigation():
        page.click(f"text={investigation.number}")
    check_accessibility(page, "investigation")

    # An off-site interview, by keyboard alone.
    with page.expect_navigation():
        page.click("text=Record a worker interview")
    check_accessibility(page, "interview form")
    tab_to(page, "#id_held_on")
    page.keyboard.type(today.strftime("%m%d%Y"))
    tab_to(page, "#id_place_description")
    page.keyboard.type("Parish hall of Santa Clara, Ate")
    tab_to(page, "#id_off_premises")
    page.keyboard.press("Space")
    tab_to(page, "#id_interviewee_name")
    page.keyboard.type(INTERVIEWEE)
    tab_to(page, "#id_statement")
    page.keyboard.type(STATEMENT)
    tab_to(page, "main button.primary")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    interview = Interview.objects.get()
    assert interview.held_on == today
    assert INTERVIEWEE not in page.content()  # the investigation page: pseudonym only
    assert "Worker 1" in page.content()

    # A finding with a measured value, determined by the team's staff member.
    with page.expect_navigation():
        page.click("text=Draft a finding")
    page.select_option("#id_criterion_version", tw.measure.identifier)
    page.select_option("#id_result", "violation")
    page.fill("#id_summary", "Cotton dust above the limit")
    page.fill("#id_facts", "Cutting floor, both shifts.")
    page.fill("#id_observed_on", today.isoformat())
    page.fill("#id_measured_value", "340")
    page.fill("#id_measured_unit", "µg/m³")
    page.fill("#id_measuring_method", "Gravimetric sampling, 8-hour TWA")
    page.fill("#id_workers_affected", "80")
    check_accessibility(page, "finding form")
    submit(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Determine", exact=True).click()
    page.select_option(f"#id_position_{tw.lead_membership.pk}", "violation")
    page.select_option(f"#id_position_{tw.rep_membership.pk}", "insufficient_evidence")
    submit(page)
    assert "340 µg/m³" in page.content()
    assert "Dissent" in page.content()

    # A remedial order served in the field 40 days ago, with a 30-day step.
    with page.expect_navigation():
        page.click("text=Issue a remedial order")
    page.select_option("#id_addressee", str(tw.base.employer.pk))
    page.check("input[name=findings]")
    page.fill("#id_text", "Install local exhaust ventilation on the cutting floor.")
    page.fill("#id_issued_on", (today - dt.timedelta(days=40)).isoformat())
    page.fill("#id_step_1", "Install extraction and measure again")
    page.fill("#id_step_1_days", "30")
    page.select_option("#id_capacity_recipient", "employer")
    page.fill("#id_capacity_description", "Technical assistance on dust control")
    check_accessibility(page, "order form")
    submit(page)
    order = RemedialOrder.objects.get()
    assert order.status == "open"

    # The verification fails: the due date has passed, so the team's complaint is filed.
    with page.expect_navigation():
        page.click("text=Record a verification visit")
    page.fill("#id_visited_on", today.isoformat())
    page.select_option("#id_basis", "inspection")
    page.select_option("#id_outcome", "not_complied")
    page.fill("#id_measured_value", "310")
    page.fill("#id_measured_unit", "µg/m³")
    page.fill("#id_observations", "No extraction installed; dust still above the limit.")
    submit(page)
    order.refresh_from_db()
    assert order.status == RemedialOrder.Status.FAILED
    complaint = order.complaint
    assert complaint.received_via == Case.Channel.INVESTIGATION
    assert complaint.docket_number in page.content()

    # A teammate without the grant never sees the identity or the statement.
    other = browser.new_context(locale="en-US").new_page()
    sign_in(other, base, "team.rep", f"/investigations/interviews/{interview.pk}/")
    assert "Worker 1" in other.content()
    assert INTERVIEWEE not in other.content()
    assert STATEMENT not in other.content()
    check_accessibility(other, "interview without grant")

    # The public docket shows the team's complaint with its own statutory clocks.
    public = browser.new_context(locale="en-US").new_page()
    public.goto(f"{base}/complaints/docket/{complaint.docket_number}/")
    text = public.content()
    assert complaint.docket_number in text
    assert "Hearing held by" in text
    assert "Final decision issued by" in text
    assert INTERVIEWEE not in text
    kinds = {clock.kind for clock in clocks_for_subject(subject=complaint)}
    assert kinds == {"hearing_by", "decision_by"}
    check_accessibility(public, "docket")
