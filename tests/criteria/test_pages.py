"""The public register on the portal and the API: content, exports, languages, and query
counts that do not grow with the number of criteria and versions."""

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest

from criteria.models import CriterionVersion
from tests.factories.commission import SectorFactory, TradingPartnerFactory
from tests.factories.criteria import (
    CriterionFactory,
    CriterionVersionFactory,
    MeasureFactory,
    MeasureVersionFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pe(db):
    SectorFactory(isic_code="1410")
    return TradingPartnerFactory()


def _register(n_criteria: int, n_versions: int, country=None):
    """`n_criteria` measures competing on the same quantity, each with `n_versions` versions
    (yearly from 2020), every version with a source and a country restriction."""
    last = None
    for _ in range(n_criteria):
        criterion = MeasureFactory()
        for number in range(1, n_versions + 1):
            version = MeasureVersionFactory(
                criterion=criterion,
                number=number,
                effective_from=dt.date(2019 + number, 1, 1),
                threshold=Decimal(300 - number * 10 - criterion.pk),
                applies_to_all_countries=country is None,
            )
            # In the order `criterion_revise` writes them: the version's reach, then the end of
            # the version it succeeds (a version ended takes no new country).
            if country is not None:
                version.countries.add(country)
            SourceFactory(version=version)
            if number > 1:
                CriterionVersion.objects.filter(criterion=criterion, number=number - 1).update(
                    effective_until=version.effective_from
                )
        last = criterion
    return last


def _body(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


# The number of queries of each page is asserted exactly at two sizes of the register (3 and
# 30 criteria with 2 and 6 versions); nothing is cached inside the test's transaction, so each
# answer is computed from the register.
PAGES = [
    ("/criteria/", 8),
    ("/criteria/?on=2021-06-01&country=PE&sector=1410&right=OSH", 11),
    ("/criteria/{code}/", 6),
    ("/criteria/{code}/v2/", 6),
    ("/criteria/{code}/diff/1/2/", 6),
    ("/criteria/binding/?country=PE&sector=1410&on=2021-06-01", 7),
    ("/criteria/export.json", 5),
    ("/criteria/export.csv?on=2021-06-01", 5),
    ("/api/v1/criteria/?on=2021-06-01", 5),  # a cursor page: no count query
    ("/api/v1/criteria/binding/?country=PE&sector=1410&on=2021-06-01", 5),
    ("/api/v1/criteria/{code}/", 6),
    ("/api/v1/criterion-versions/{code}/v2/", 6),
]


@pytest.mark.parametrize(("url", "queries"), PAGES)
def test_query_counts_do_not_grow_with_the_register(
    client, pe, django_assert_num_queries, url, queries
):
    criterion = _register(3, 2, country=pe)
    with django_assert_num_queries(queries):
        small = client.get(url.format(code=criterion.code))
        small_body = _body(small)  # an export is streamed: its queries run as it is read
    criterion = _register(27, 6, country=pe)
    with django_assert_num_queries(queries):
        large = client.get(url.format(code=criterion.code))
        large_body = _body(large)
    assert small.status_code == large.status_code == 200
    if "{code}" not in url:  # a list or an export shows more of the larger register
        assert len(large_body) > len(small_body)


def test_selector_query_count_is_constant(pe, django_assert_num_queries):
    from criteria.selectors import criteria_binding

    _register(3, 2, country=pe)
    with django_assert_num_queries(2):
        assert len(criteria_binding(country=pe, sector="1410", on=dt.date(2021, 6, 1))) == 1
    _register(30, 8, country=pe)
    with django_assert_num_queries(2):
        [binding] = criteria_binding(country=pe, sector="1410", on=dt.date(2021, 6, 1))
    assert len(binding.competitors) == 32


def test_register_lists_what_was_in_force_on_a_date(client, pe):
    criterion = CriterionFactory(code="FOA-001", title_en="Lunch access", title_es="Acceso")
    CriterionVersionFactory(
        criterion=criterion,
        effective_from=dt.date(2020, 1, 1),
        effective_until=dt.date(2025, 1, 1),
        text_en="Old wording.",
    )
    CriterionVersionFactory(
        criterion=criterion,
        number=2,
        effective_from=dt.date(2025, 1, 1),
        text_en="New wording.",
    )
    body = client.get("/criteria/?on=2022-01-01").content.decode()
    assert "FOA-001/v1" in body
    assert "FOA-001/v2" not in body
    body = client.get("/criteria/").content.decode()
    assert "FOA-001/v2" in body
    assert "FOA-001/v1" not in body
    assert client.get("/criteria/?on=2019-01-01").content.decode().count("FOA-001/v") == 0
    detail = client.get("/criteria/FOA-001/").content.decode()
    assert "/criteria/?on=2020-01-01" in detail  # one click to the register as then in force
    assert "/criteria/FOA-001/diff/1/2/" in detail


def test_diff_is_word_by_word(client, pe):
    criterion = CriterionFactory(code="FOA-001")
    CriterionVersionFactory(
        criterion=criterion,
        effective_until=dt.date(2026, 1, 1),
        text_en="Employers must permit organizers to meet workers at lunch.",
    )
    CriterionVersionFactory(
        criterion=criterion,
        number=2,
        effective_from=dt.date(2026, 1, 1),
        text_en="Employers must permit organizers to meet workers at lunch and in break rooms.",
    )
    body = client.get("/criteria/FOA-001/diff/1/2/").content.decode()
    assert "<del>lunch.</del>" in body
    assert "<ins>lunch and in break rooms.</ins>" in body


def test_spanish_wording_is_shown_to_spanish_readers(client, pe):
    criterion = CriterionFactory(
        code="FOA-001", title_en="Lunch access", title_es="Acceso al refrigerio"
    )
    CriterionVersionFactory(
        criterion=criterion, text_en="English text.", text_es="Texto en español."
    )
    body = client.get("/criteria/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Acceso al refrigerio" in body
    assert "Texto en español." in body
    assert "Registro de criterios" in body
    body = client.get("/criteria/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Lunch access" in body


def test_exports_carry_the_full_history(client, pe):
    criterion = MeasureFactory(code="OSH-001")
    v1 = MeasureVersionFactory(criterion=criterion, effective_until=dt.date(2026, 1, 1))
    SourceFactory(version=v1, kind="domestic_law", country=pe, instrument="D.S. 015-2005-SA")
    MeasureVersionFactory(
        criterion=criterion, number=2, effective_from=dt.date(2026, 1, 1), threshold=Decimal(150)
    )
    data = json.loads(_body(client.get("/criteria/export.json")))
    assert [v["identifier"] for v in data["versions"]] == ["OSH-001/v1", "OSH-001/v2"]
    assert data["versions"][0]["sources"][0]["citation"] == "D.S. 015-2005-SA, Article 2"
    assert data["versions"][1]["threshold"] == "150"
    rows = list(
        csv.DictReader(io.StringIO(_body(client.get("/criteria/export.csv?on=2025-06-01"))))
    )
    assert [r["identifier"] for r in rows] == ["OSH-001/v1"]
    assert rows[0]["unit"] == "µg/m³"
    one = client.get("/criteria/OSH-001/v2.json").json()
    assert one["effective_from"] == "2026-01-01"


def test_binding_page_explains_the_winner(client, pe):
    for code, value in [("OSH-001", "200"), ("OSH-002", "150")]:
        MeasureVersionFactory(criterion=MeasureFactory(code=code), threshold=Decimal(value))
    body = client.get("/criteria/binding/?country=PE&sector=1410&on=2026-06-01").content.decode()
    assert "OSH-002/v1 binds as the most worker-protective standard" in body
    assert "less protective by 50 µg/m³ (25%)" in body
    api = client.get("/api/v1/criteria/binding/?country=PE&sector=1410&on=2026-06-01").json()
    assert api["binding"][0]["identifier"] == "OSH-002/v1"
    assert api["binding"][0]["competitors"][0]["margin"] == "50"


def test_unknown_criterion_is_404(client):
    assert client.get("/criteria/XX-999/").status_code == 404
    assert client.get("/api/v1/criterion-versions/XX-999/v1/").status_code == 404
