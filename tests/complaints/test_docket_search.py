"""The public docket's search, filters, pages and feeds: found by a party's organization, a
country, a sector, a right; never by a confidential identity; a query count independent of the
number of cases; Atom feeds of new filings and of one case's public events."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints import selectors
from complaints.models import Case
from tests.factories.complaints import WORKER_NAME, build_world, file_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


def _dockets(client, **params) -> list[str]:
    response = client.get("/complaints/docket/", params)
    assert response.status_code == 200
    return [case.docket_number for case, _deadlines in response.context["rows"]]


def test_search_by_docket_number_party_country_sector_and_right(client, world):
    union_case = file_case(world, organization=world.union, worker=False)
    paper = file_case(world, received_days_ago=3)
    assert _dockets(client, q="sindicato de trabajadores") == [union_case.docket_number]
    assert _dockets(client, q=union_case.docket_number.lower()) == [union_case.docket_number]
    assert set(_dockets(client, q="Peru")) == {union_case.docket_number, paper.docket_number}
    assert set(_dockets(client, q="Northfield")) == {union_case.docket_number, paper.docket_number}
    assert set(_dockets(client, q=world.sector.title[:6])) >= {union_case.docket_number}
    right = world.criteria[0].right
    assert union_case.docket_number in _dockets(client, q=right.name_en)
    assert union_case.docket_number in _dockets(client, q="prison labor")
    assert _dockets(client, q="no such party anywhere") == []


def test_filters_by_kind_status_and_year(client, world):
    case = file_case(world, organization=world.union, worker=False)
    year = case.received_at.year
    assert _dockets(client, kind="complaint", status="filed", year=year) == [case.docket_number]
    assert _dockets(client, kind="petition") == []
    assert _dockets(client, year=year - 1) == []
    # Garbage reads as no filter, never as an error.
    assert _dockets(client, kind="nonsense", year="x", page="-4") == [case.docket_number]


def test_a_confidential_identity_is_never_searchable(client, world):
    case = file_case(world, worker=True)  # the worker's name is withheld
    with_name = Case.objects.get(pk=case.pk)
    assert with_name.complainants.filter(kind="worker").exists()
    surname = WORKER_NAME.split()[-1]
    assert _dockets(client, q=WORKER_NAME) == []
    assert _dockets(client, q=surname) == []


def test_the_pages_count_only_the_cases_shown(client, world, monkeypatch):
    """A case found only through a confidential identity is neither shown nor counted: the
    count and the pages hold exactly the rows shown."""
    from complaints import views

    monkeypatch.setattr(views, "DOCKET_PAGE_SIZE", 1)
    surname = WORKER_NAME.split()[-1]
    visible = file_case(world, worker=False, organization=world.union, received_days_ago=2)
    Allegation = visible.allegations.model
    Allegation.objects.filter(case=visible, number=1).update(place=f"Jirón {surname}, Ate")
    hidden = file_case(world, worker=True, received_days_ago=1)
    Allegation.objects.filter(case=hidden, number=1).update(place=f"Calle {surname}, Lima")
    response = client.get("/complaints/docket/", {"q": surname})
    page = response.context["page"]
    assert page.paginator.count == 1
    assert [c.docket_number for c, _d in response.context["rows"]] == [visible.docket_number]
    assert hidden.docket_number not in response.content.decode()
    assert "Page 1 of" not in response.content.decode()


def test_the_docket_query_count_does_not_grow_with_the_cases(client, world, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    file_case(world, organization=world.union, worker=False)

    def count(**params) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/complaints/docket/", params).status_code == 200
        return len(queries)

    one, one_search = count(), count(q="Peru", kind="complaint")
    for _ in range(4):
        file_case(world, received_days_ago=2)
    assert count() == one
    assert count(q="Peru", kind="complaint") == one_search


def test_feeds_of_new_filings_and_of_one_case(client, world):
    case = file_case(world, organization=world.union, worker=False)
    docket = client.get("/complaints/docket/feed.atom")
    assert docket.status_code == 200
    assert docket["Content-Type"].startswith("application/atom+xml")
    body = docket.content.decode()
    assert case.docket_number in body
    assert f"/complaints/docket/{case.docket_number}/" in body
    one = client.get(f"/complaints/docket/{case.docket_number}/feed.atom")
    assert one.status_code == 200
    assert one.content.decode().count("<entry>") == len(
        selectors.case_events(case=case, public_only=True)
    )
    assert WORKER_NAME not in one.content.decode()
    assert client.get("/complaints/docket/X-0000-00000/feed.atom").status_code == 404


def test_a_case_page_links_its_feed_and_says_what_hearings_and_decisions_it_has(client, world):
    case = file_case(world, organization=world.union, worker=False)
    page = client.get(f"/complaints/docket/{case.docket_number}/").content.decode()
    assert f"/complaints/docket/{case.docket_number}/feed.atom" in page
    assert 'id="case-hearings-title"' in page  # the hearings app's registered block


def test_es_answers_and_error_pages_are_styled_in_both_languages(client, world, settings):
    settings.DEBUG = False
    response = client.get("/es/")
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    missing = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="es")
    assert missing.status_code == 404
    assert "Página no encontrada" in missing.content.decode()
    assert "/complaints/docket/" in missing.content.decode()
