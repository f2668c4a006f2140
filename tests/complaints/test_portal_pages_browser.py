"""Every portal page as people use it, in a real browser (Debian's headless Chromium through
Playwright): on a phone (375 px) and on a desktop (1,280 px), in English and in Spanish — no
horizontal scrolling, no serious or critical axe violation (WCAG 2.1 A/AA), the navigation
reachable, and the docket search finding a case by a party's name."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tests.complaints.test_browser import browser, check_accessibility  # noqa: F401
from tests.factories.complaints import build_world, file_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC_PAGES = [
    "/",
    "/timeliness/",
    "/complaints/",
    "/complaints/docket/",
    "/complaints/docket/?q=Sindicato",
    "/complaints/track/",
    "/complaints/resume/",
    "/complaints/sign-in/",
    "/criteria/",
    "/criteria/binding/",
    "/criteria/rounds/",
    "/hearings/",
    "/hearings/decisions/",
    "/hearings/opinions/",
    "/hearings/opinions/verify/",
    "/sanctions/",
    "/sanctions/?status=in_force&target=firm",
    "/no-such-page/",
]


def _signed_in_cookie(user, live_server) -> dict:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    return {"name": cookie.key, "value": cookie.value, "url": live_server.url}


def _check(page, url: str, width: int) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"{url} at {width} px is {overflow} px wide"
    check_accessibility(page, f"{url} at {width} px")


def test_every_portal_page_fits_and_passes_axe(browser, live_server):  # noqa: F811
    world = build_world()
    case = file_case(world, organization=world.union, worker=False)
    file_case(world, received_days_ago=3)
    for language in ("en", "es"):
        for width in (375, 1280):
            _pages(browser, live_server, world, case, language, width)


def _pages(browser, live_server, world, case, language: str, width: int) -> None:  # noqa: F811
    context = browser.new_context(
        locale=language,
        viewport={"width": width, "height": 900},
        extra_http_headers={"Accept-Language": language},
    )
    page = context.new_page()
    docket_case = f"/complaints/docket/{case.docket_number}/"
    for url in [*PUBLIC_PAGES, docket_case, f"/complaints/docket/{case.docket_number}/"]:
        response = page.goto(f"{live_server.url}{url}")
        assert response.status in (200, 404), url
        assert page.locator("html").get_attribute("lang") == language, url
        _check(page, url, width)

    # The filer's own pages, signed in.
    context.add_cookies([_signed_in_cookie(world.delegate, live_server)])
    for url in ["/complaints/cases/", f"/complaints/cases/{case.docket_number}/"]:
        assert page.goto(f"{live_server.url}{url}").status == 200, url
        _check(page, url, width)

    # Someone signed in without access gets the styled 403 page that says what to do next.
    context.clear_cookies()
    context.add_cookies([_signed_in_cookie(world.outsider, live_server)])
    response = page.goto(f"{live_server.url}/complaints/cases/{case.docket_number}/")
    assert response.status == 403
    assert page.locator(".error-page h1").is_visible()
    assert page.locator(".error-page a[href='/complaints/docket/']").count() == 1
    _check(page, "403", width)

    # The navigation is reachable: on a phone behind the menu button.
    page.goto(f"{live_server.url}/")
    docket_link = page.locator("nav.usa-nav a[href='/complaints/docket/']")
    if width < 1024:
        assert not docket_link.is_visible()
        page.locator("button.usa-menu-btn").click()
    assert docket_link.is_visible()
    docket_link.click()

    # The docket search finds a case by a party's name (typed in part, in any case).
    page.locator("input[name=q]").fill("sindicato de trabajadores")
    page.locator(".docket-search button[type=submit]").click()
    page.wait_for_url("**/complaints/docket/?q=*")
    results = page.locator(".docket-card__title a")
    assert results.all_inner_texts() == [case.docket_number]
    _check(page, "docket search", width)
    context.close()
