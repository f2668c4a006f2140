"""The whole filing flow in a real browser (Debian's headless Chromium through Playwright):
in English with the keyboard alone, in Spanish with the mouse — each with a refused upload and a
draft saved and resumed in a fresh browser — and an axe check of every page for WCAG 2.1 A/AA
(no serious or critical violation)."""

from __future__ import annotations

import re
import shutil

import pytest
from django.db import connections

from complaints.models import Case, Complainant
from tests.factories.complaints import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120
WORKER = "Juana Mamani Quispe"


@pytest.fixture
def browser(monkeypatch):
    if not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself
    # are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()
        # Queries the test made while Playwright's loop ran used their own connection.
        connections.close_all()


@pytest.fixture
def files(tmp_path):
    good = tmp_path / "carta-de-despido.pdf"
    good.write_bytes(PDF)
    bad = tmp_path / "statement.pdf"
    bad.write_bytes(EXE)
    return {"good": str(good), "bad": str(bad)}


def check_accessibility(page, label: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG)
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert serious == [], f"{label}: {serious}"


def tab_to(page, selector: str, *, limit: int = 150) -> None:
    """Press Tab until `selector` has the focus (proves it is reachable by keyboard)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(s) => !!document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def press_and_wait(page, key: str = "Enter") -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def choose_file_by_keyboard(page, selector: str, path: str) -> None:
    """Focus the file input with Tab and open its chooser with Space (or Enter)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    tab_to(page, selector)
    for key in ("Space", "Enter", "Space", "Enter"):
        assert page.evaluate("(s) => document.activeElement.matches(s)", selector)
        try:
            with page.expect_file_chooser(timeout=5000) as chooser:
                page.keyboard.press(key)
        except PlaywrightTimeout:
            continue
        chooser.value.set_files(path)
        return
    raise AssertionError(f"{selector} did not open a file chooser from the keyboard")


def test_filing_in_english_with_the_keyboard_alone(browser, live_server, files):
    world = build_world()
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/complaints/")
    check_accessibility(page, "start")
    tab_to(page, "main button.primary")
    press_and_wait(page)

    # 1. Complaint or petition
    assert "Step 1 of 8" in page.content()
    check_accessibility(page, "filing")
    tab_to(page, "input[name=kind]")
    page.keyboard.press("Space")
    tab_to(page, "button[value=continue]")
    press_and_wait(page)

    # 2. Who is filing: a worker, without an account
    check_accessibility(page, "complainants")
    tab_to(page, "input[name=filer_type]")
    page.keyboard.press("Space")
    tab_to(page, "#id_worker_name")
    page.keyboard.type(WORKER)
    tab_to(page, "#id_worker_contact")
    page.keyboard.type("+51 955 000 111")
    tab_to(page, "#id_contact_email")
    page.keyboard.type("juana@example.org")
    tab_to(page, "button[value=continue]")
    press_and_wait(page)

    # 3. Respondents
    check_accessibility(page, "respondents")
    for selector in ("#id_governments_0", "#id_employers_0", "#id_corporations_0", "#id_sectors_0"):
        tab_to(page, selector)
        page.keyboard.press("Space")
    tab_to(page, "button[value=continue]")
    press_and_wait(page)

    # 4. Allegations (first an error, announced in the summary)
    check_accessibility(page, "allegations")
    tab_to(page, "button[value=continue]")
    press_and_wait(page)
    assert "There is a problem" in page.content()
    check_accessibility(page, "allegations with errors")
    tab_to(page, "#id_allegations-0-summary")
    page.keyboard.type("Dismissal of pregnant workers")
    tab_to(page, "#id_allegations-0-facts")
    page.keyboard.type("Fourteen seamstresses were dismissed after announcing their pregnancy.")
    tab_to(page, "#id_allegations-0-period_start")
    page.keyboard.type("01052026")  # mm/dd/yyyy in an en-US browser
    tab_to(page, "#id_allegations-0-place")
    page.keyboard.type("Ate, Lima")
    tab_to(page, "#id_allegations-0-workers_affected")
    page.keyboard.type("14")
    tab_to(page, "#id_allegations-0-criteria_0")
    page.keyboard.press("Space")
    tab_to(page, "button[value=continue]")
    press_and_wait(page)

    # 5. Remedies
    check_accessibility(page, "remedies")
    tab_to(page, "#id_remedies_sought")
    page.keyboard.type("Reinstatement with back pay.")
    tab_to(page, "button[value=continue]")
    press_and_wait(page)

    # 6. Evidence: a disguised executable is refused, a PDF accepted
    check_accessibility(page, "evidence")
    choose_file_by_keyboard(page, "#id_file", files["bad"])
    tab_to(page, "button[value=upload]")
    press_and_wait(page)
    assert "This type of file is not accepted" in page.content()
    check_accessibility(page, "evidence refused")
    choose_file_by_keyboard(page, "#id_file", files["good"])
    tab_to(page, "#id_description")
    page.keyboard.type("Dismissal letter")
    tab_to(page, "button[value=upload]")
    press_and_wait(page)
    assert "carta-de-despido.pdf" in page.content()

    # Save and come back later, in a fresh browser, with the resume code.
    tab_to(page, "form.step-end button[value=save_exit]")
    press_and_wait(page)
    check_accessibility(page, "saved")
    code = page.inner_text("#resume-code").strip()
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", code)
    context.close()

    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/complaints/resume/")
    check_accessibility(page, "resume")
    tab_to(page, "#id_code")
    page.keyboard.type(code)
    tab_to(page, "main button.primary")
    press_and_wait(page)
    assert "carta-de-despido.pdf" in page.content()
    tab_to(page, "form.step-end button[value=continue]")
    press_and_wait(page)

    # 7. Confidentiality
    check_accessibility(page, "confidentiality")
    tab_to(page, "#id_confidentiality_request")
    page.keyboard.type("Fear of reprisals.")
    tab_to(page, "button[value=continue]")
    press_and_wait(page)

    # 8. Check your answers, submit
    check_accessibility(page, "review")
    content = page.content()
    assert WORKER in content
    assert "Dismissal of pregnant workers" in content
    assert "carta-de-despido.pdf" in content
    tab_to(page, "#id_confirm")
    page.keyboard.press("Space")
    tab_to(page, "main form button.primary")
    press_and_wait(page)

    check_accessibility(page, "acknowledgment")
    docket = page.inner_text("#docket-number").strip()
    assert re.fullmatch(r"C-\d{4}-\d{5}", docket)
    assert page.inner_text("#access-code").strip()
    assert "Hearing held by" in page.content()
    case = Case.objects.get(docket_number=docket)
    assert case.allegations.get().period_start.isoformat() == "2026-01-05"
    assert Complainant.objects.get(case=case).name == WORKER
    assert case.evidence.get().original_name == "carta-de-despido.pdf"

    tab_to(page, f"a[href='/complaints/cases/{docket}/']")
    press_and_wait(page)
    check_accessibility(page, "status")
    assert docket in page.content()
    assert WORKER not in page.content()

    page.goto(f"{live_server.url}/complaints/docket/")
    check_accessibility(page, "public docket")
    assert docket in page.content()
    assert WORKER not in page.content()
    page.goto(f"{live_server.url}/complaints/docket/{docket}/")
    check_accessibility(page, "public case")
    context.close()
    assert world.criteria


def test_filing_in_spanish(browser, live_server, files):
    build_world()
    context = browser.new_context(locale="es-ES", extra_http_headers={"Accept-Language": "es"})
    page = context.new_page()
    page.goto(f"{live_server.url}/complaints/")
    assert page.get_attribute("html", "lang") == "es"
    assert "Presentar una queja o petición" in page.content()
    page.click("main button.primary")
    page.wait_for_url("**/filing/")
    assert "Paso 1 de 8" in page.content()
    check_accessibility(page, "es filing")
    page.check("input[name=kind][value=petition]")
    page.check("input[name=language][value=es]")
    page.click("button[value=continue]")
    page.wait_for_url("**/complainants/")
    page.check("input[name=filer_type][value=worker]")
    page.fill("#id_worker_name", WORKER)
    page.click("button[value=continue]")
    page.wait_for_url("**/respondents/")
    check_accessibility(page, "es respondents")
    page.check("#id_agencies_0")
    page.select_option("#id_new_1_kind", "employer")
    page.fill("#id_new_1_name", "Taller de Acabados San Martín")
    page.click("button[value=continue]")
    page.wait_for_url("**/allegations/")
    page.fill("#id_allegations-0-summary", "Trabajo penitenciario en la cadena de suministro")
    page.fill("#id_allegations-0-facts", "Camisetas cosidas en talleres penitenciarios.")
    page.fill("#id_allegations-0-period_start", "2025-10-01")
    page.fill("#id_allegations-0-place", "Penales de Lima")
    page.fill(
        "#id_allegations-0-proposed_standard",
        "Ningún bien de exportación con trabajo penitenciario involuntario.",
    )
    page.click("button[value=add]")
    assert "Alegación 2" in page.content()
    check_accessibility(page, "es allegations")
    page.click("button[value=continue]")
    page.wait_for_url("**/remedies/")
    page.fill("#id_remedies_sought", "Que la comisión presente una queja contra el Perú.")
    page.click("button[value=continue]")
    page.wait_for_url("**/evidence/")
    page.set_input_files("#id_file", files["bad"])
    page.click("button[value=upload]")
    page.wait_for_load_state()
    assert "No se acepta este tipo de archivo" in page.content()
    check_accessibility(page, "es evidence refused")
    page.click("form.step-end button[value=save_exit]")
    page.wait_for_url("**/saved/")
    code = page.inner_text("#resume-code").strip()
    context.close()

    context = browser.new_context(locale="es-ES", extra_http_headers={"Accept-Language": "es"})
    page = context.new_page()
    page.goto(f"{live_server.url}/complaints/resume/")
    assert "Continuar una presentación guardada" in page.content()
    page.fill("#id_code", code)
    page.click("main button.primary")
    page.wait_for_url("**/evidence/")
    page.set_input_files("#id_file", files["good"])
    page.click("button[value=upload]")
    page.wait_for_url("**/evidence/")
    page.click("form.step-end button[value=continue]")
    page.wait_for_url("**/confidentiality/")
    page.check("#id_withhold_organization_names")
    page.click("button[value=continue]")
    page.wait_for_url("**/review/")
    check_accessibility(page, "es review")
    assert "Revise sus respuestas" in page.content()
    page.check("#id_confirm")
    page.click("main form button.primary")
    page.wait_for_url("**/filed/**")
    check_accessibility(page, "es acknowledgment")
    assert "Presentación recibida" in page.content()
    docket = page.inner_text("#docket-number").strip()
    assert docket.startswith("P-")
    case = Case.objects.get(docket_number=docket)
    assert case.language == "es"
    assert case.allegations.get().flagged_for_deliberation
    assert case.evidence.count() == 1
    page.goto(f"{live_server.url}/complaints/docket/")
    assert "Registro público de casos" in page.content()
    check_accessibility(page, "es docket")
    context.close()
