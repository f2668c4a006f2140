"""The sanctions as people use them, in a real browser (Debian's headless Chromium through
Playwright): a team member files a verification report by keyboard alone (an empty report
first: the error summary takes the focus); staff give notice of the lift hearing and record it
as held; a commission member issues the determination, whose opinion PDF a task renders, and
the public register's progress bar moves one step; a full lifting with a benchmark unmet is
refused with its reason. The public pages — the register, its filters, a sanction's page and
the case's sanctions block — pass an axe check (WCAG 2.1 A/AA, no serious or critical
violation)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.test import Client

from sanctions.models import (
    BenchmarkVerification,
    LiftDetermination,
    LiftHearing,
    LiftNotice,
    SanctionOrder,
)
from tests.complaints.test_browser import browser, check_accessibility, tab_to  # noqa: F401
from tests.staff.test_case_steps import act

from .conftest import later

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _cookie(user, base: str) -> dict:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    return {"name": cookie.key, "value": cookie.value, "url": base}


def _signed_in(browser, user, base: str):  # noqa: F811
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.add_cookies([_cookie(user, base)])
    return context, context.new_page()


def _step(page, base: str, case, slug: str) -> None:
    response = page.goto(f"{base}{act(case, slug)}")
    assert response.status == 200, (slug, page.url, response.status)
    assert page.locator("#id_order, #id_notice").count() == 1, (slug, page.url)


def _submit_step(page) -> str:
    with page.expect_navigation():
        page.click(".submit-row input[type=submit]")
    return (
        page.inner_text("#content") + " " + " ".join(page.locator(".messagelist").all_inner_texts())
    )


def _progress(page, base: str, order) -> str:
    page.goto(f"{base}/sanctions/")
    row = page.locator("tr", has=page.locator(f"a[href='/sanctions/{order.public_id}/']"))
    return row.locator("progress").get_attribute("value")


def test_verified_heard_determined_and_the_register_moves_one_step(
    browser,  # noqa: F811
    live_server,
    world,
    issued,
    team,
    member,
    at,
    settings,
):
    settings.STAFF_TWO_FACTOR = False
    base = live_server.url
    case = issued.case
    order = SanctionOrder.objects.get(specification__decision=issued, specification__number=1)
    first = order.specification.benchmarks.get(position=1)
    second = order.specification.benchmarks.get(position=2)
    at(later(1, 9))

    # --- the public register before: nothing lifted ------------------------------------
    public = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    reader = public.new_page()
    assert _progress(reader, base, order) == "0"
    check_accessibility(reader, "register")

    # --- the team's verification report, by keyboard alone ----------------------------
    context, page = _signed_in(browser, team.member, base)
    page.goto(f"{base}/sanctions/verify/")
    check_accessibility(page, "verification page")
    tab_to(page, "main button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    summary = page.inner_text("#error-summary")
    assert "Benchmark: This field is required." in summary
    assert "How it was measured: This field is required." in summary
    check_accessibility(page, "verification page with errors")
    tab_to(page, "#id_benchmark")
    page.keyboard.press("ArrowDown")  # the first benchmark of the first sanction
    assert page.eval_on_selector("#id_benchmark", "e => e.value") == str(first.pk)
    tab_to(page, "#id_team")
    page.keyboard.press("ArrowDown")
    assert page.eval_on_selector("#id_team", "e => e.value") == str(team.pk)
    tab_to(page, "#id_measured_value")
    page.keyboard.type("100")
    tab_to(page, "#id_measured_on")
    page.keyboard.type(later(1).strftime("%m%d%Y"))
    tab_to(page, "#id_method_applied")
    page.keyboard.type("Payroll audit of every dismissed worker, confirmed off premises.")
    tab_to(page, "main button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Verification recorded: the benchmark is met." in page.inner_text("main")
    verification = BenchmarkVerification.objects.get()
    assert (verification.benchmark, verification.met) == (first, True)
    context.close()

    # --- staff give notice of the lift hearing ----------------------------------------
    at(later(1, 11))
    world.staff.is_staff = True
    world.staff.save(update_fields=["is_staff"])
    context, page = _signed_in(browser, world.staff, base)
    _step(page, base, case, "sanction-lift-notice")
    page.select_option("#id_order", str(order.pk))
    page.select_option("#id_benchmark", str(first.pk))
    page.fill("#id_hearing_at", later(20, 10).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_location", "Commission regional office, Lima")
    page.fill("#id_text", "Public hearing on lifting the first step.")
    _submit_step(page)
    notice = LiftNotice.objects.get()
    assert notice.benchmark == first

    context.close()

    # --- the hearing is held (a new sign-in: the staff session does not last 19 days) ------
    at(later(20, 13))
    context, page = _signed_in(browser, world.staff, base)
    _step(page, base, case, "sanction-lift-hearing")
    page.select_option("#id_notice", str(notice.pk))
    page.fill("#id_presenters", "The union; the human-rights organization")
    page.fill("#id_record", "The union confirmed every reinstatement; no contrary evidence.")
    _submit_step(page)
    assert LiftHearing.objects.filter(notice=notice).exists()
    context.close()

    # --- a commission member issues the determination; a task renders its opinion -------
    at(later(20, 16))
    member.is_staff = True
    member.save(update_fields=["is_staff"])
    context, page = _signed_in(browser, member, base)
    _step(page, base, case, "sanction-lift")
    page.select_option("#id_order", str(order.pk))
    page.select_option("#id_benchmark", str(first.pk))
    page.fill("#id_reasoning", "Verified by the team's audit and heard in public.")
    text = _submit_step(page)
    assert "Determination made" in text
    determination = LiftDetermination.objects.get()
    assert determination.benchmark == first
    assert not determination.full

    # A full lifting with the second benchmark unmet is refused, with the reason.
    _step(page, base, case, "sanction-lift")
    page.select_option("#id_order", str(order.pk))
    page.fill("#id_reasoning", "Lift it all.")
    text = _submit_step(page)
    assert "lifted fully only when every benchmark is met" in text
    assert f"{second.position}. {second.metric}" in text
    assert LiftDetermination.objects.count() == 1
    context.close()

    # --- the public: the register moved one step; the filters; the sanction; the case ----
    assert _progress(reader, base, order) == "60"
    check_accessibility(reader, "register after the step")
    reader.select_option("#id_target", "firm")
    with reader.expect_navigation():
        reader.click(".register-search button[type=submit]")
    rows = reader.locator("table.sanctions-register tbody tr")
    assert rows.count() == 1
    assert re.search(r"\b60 %", rows.first.inner_text())
    check_accessibility(reader, "register filtered")
    with reader.expect_navigation():
        reader.click(f"a[href='/sanctions/{order.public_id}/']")
    check_accessibility(reader, "sanction")
    pdf_link = reader.locator(f"a[href='/sanctions/determinations/{determination.public_id}.pdf']")
    pdf = reader.request.get(f"{base}{pdf_link.get_attribute('href')}")
    assert pdf.status == 200
    assert pdf.body().startswith(b"%PDF")
    reader.goto(f"{base}/complaints/docket/{case.docket_number}/")
    block = reader.locator("section[aria-labelledby=case-sanctions-title]")
    assert block.locator(f"a[href='/sanctions/{order.public_id}/']").count() == 1
    assert "60 %" in block.inner_text()
    check_accessibility(reader, "the case's sanctions")
    public.close()
