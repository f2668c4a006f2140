"""A day in the staff workspace in a real browser (Debian's headless Chromium through
Playwright): the staff morning — sign in with the second factor, the dashboard, a case at
risk, its panel selected and its hearing scheduled, the risk cleared — and the chair's
afternoon — the panel's draft adopted and issued, the opinion rendered, the case page linking
to it."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.db import connections
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from commission.actors import SYSTEM
from hearings import services
from hearings.models import Decision, Opinion
from tests.complaints.test_browser import ARGS, CHROMIUM
from tests.factories import hearings as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-only"
# The staff guide's screenshots: STAFF_GUIDE_SCREENSHOTS=docs/images/staff pytest -m browser ...
SHOTS = os.environ.get("STAFF_GUIDE_SCREENSHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()
        connections.close_all()


def code_for(device) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def enrolled(user):
    user.is_staff = True
    user.save()
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def sign_in(page, base, user, device):
    page.goto(f"{base}/admin/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/second-factor/"))
    page.fill("#id_token", code_for(device))
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))


def count_link(page, label: str):
    row = page.locator("tr", has=page.locator("th", has_text=re.compile(rf"^{label}$")))
    return row.locator(".dashboard-count")


def count(page, label: str) -> int:
    return int(count_link(page, label).inner_text())


def test_the_staff_morning_and_the_chairs_afternoon(browser, live_server, settings, time_machine):
    settings.STAFF_TWO_FACTOR = True
    time_machine.move_to(f.FILED_AT - dt.timedelta(days=1), tick=True)
    parties = f.parties_create()
    world_members = f.members_create(parties)
    criteria = f.criteria_create()
    staff = f.staff_create()
    time_machine.move_to(f.FILED_AT + dt.timedelta(minutes=5), tick=True)
    case = f.complaint_file(parties, criteria)
    f.declare_all(world_members, case)
    staff_device = enrolled(staff)
    chair = world_members.jurist_us.person.user
    chair_device = enrolled(chair)

    # --- the staff morning, day 46: past the hearing's risk day, no panel yet -------------
    time_machine.move_to(f.day(46, 8), tick=True)
    page = browser.new_page()
    sign_in(page, live_server.url, staff, staff_device)
    assert count(page, "At risk") == 1
    shot(page, "1-dashboard")
    count_link(page, "At risk").click()
    page.wait_for_url(re.compile(r"deadline=at_risk"))
    page.click(f"#result_list a:text-is('{case.docket_number}')")
    page.wait_for_url(re.compile(rf"/admin/complaints/case/{case.pk}/change/"))
    assert "Hearing held by: at risk — 13 days left" in page.inner_text(".case-header")
    shot(page, "2-case-at-risk")
    page.click("a.button:has-text('Select the panel')")
    shot(page, "3-select-the-panel")
    page.click("input[type=submit]")  # every seat empty: the commission's rotation
    page.wait_for_url(re.compile(rf"/admin/complaints/case/{case.pk}/change/"))
    assert "Panel selected:" in page.inner_text(".messagelist")
    page.click("a.button:has-text('Schedule the hearing')")
    page.fill("#id_scheduled_for", "2026-04-29T09:00")
    page.fill("#id_location", "Commission hearing room, Lima")
    shot(page, "4-schedule-the-hearing")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(rf"/admin/complaints/case/{case.pk}/change/"))
    assert "Hearing scheduled for 2026-04-29 09:00" in page.inner_text(".messagelist")
    assert "Hearing held by: 13 days left" in page.inner_text(".case-header")
    page.goto(f"{live_server.url}/admin/")
    assert count(page, "At risk") == 0
    assert count(page, "Hearing to schedule") == 0
    shot(page, "5-risk-cleared")
    page.close()

    # --- between: the hearing is held, the panel drafts its decision --------------------
    hearing = case.hearing
    time_machine.move_to(f.day(58, 15), tick=True)
    services.hearing_record_held(
        hearing=hearing, held_at=f.day(58, 9), written_arguments_days=7, actor=SYSTEM
    )
    time_machine.move_to(f.day(70), tick=True)
    panel_user = case.panel.seats.filter(presides=True).get().member.person.user
    decision = services.decision_open(case=case, actor=panel_user)
    f.findings_complete(decision, criteria)
    f.sanctions_complete(decision, parties)

    # --- the chair's afternoon, day 85 ------------------------------------------------------
    time_machine.move_to(f.day(85, 15), tick=True)
    if panel_user.pk != chair.pk:  # the rotation may seat another jurist to preside
        chair, chair_device = panel_user, enrolled(panel_user)
    page = browser.new_page()
    sign_in(page, live_server.url, chair, chair_device)
    assert count(page, "Draft decision in progress") == 1
    count_link(page, "Draft decision in progress").click()
    page.click(f"#result_list a:text-is('{case.docket_number}')")
    page.click("a.button:has-text('Adopt and issue the decision')")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(rf"/admin/complaints/case/{case.pk}/change/"), timeout=120_000)
    assert "Decision adopted" in page.inner_text(".messagelist")
    decision.refresh_from_db()
    assert decision.status == Decision.Status.ISSUED
    opinion = Opinion.objects.get(decision=decision)
    page.reload()
    link = page.locator("a.opinion-link")
    assert link.inner_text() == opinion.reference
    assert link.get_attribute("href") == f"/hearings/opinions/{opinion.sha256}.pdf"
    pdf = page.request.get(f"{live_server.url}{link.get_attribute('href')}")
    assert pdf.status == 200
    assert pdf.body().startswith(b"%PDF")
    page.close()
