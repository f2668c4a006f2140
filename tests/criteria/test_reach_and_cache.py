"""The reach cells the selector reads agree with the register; the register state changes with
every write; whole public pages are cached per state with the reader's own CSRF token; and the
binding selector answers a page at a time with the count."""

import datetime as dt
import random
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection

from criteria import cache as register_cache
from criteria import isic
from criteria.models import CriterionVersion, RegisterState, VersionReach
from criteria.selectors import (
    criteria_binding,
    criteria_binding_page,
    criterion_register,
    versions_in_force,
)
from tests.factories.commission import SectorFactory, TradingPartnerFactory
from tests.factories.criteria import (
    CriterionFactory,
    CriterionVersionFactory,
    MeasureFactory,
    MeasureVersionFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

SECTORS = ["C", "13", "14", "141", "1410", "1312", "A", "0116"]


def _in_force(v: CriterionVersion, on: dt.date) -> bool:
    return v.effective_from <= on and (v.effective_until is None or v.effective_until > on)


def _applies(v: CriterionVersion, country, sector_code: str) -> bool:
    countries = v.applies_to_all_countries or country in v.countries.all()
    sectors = v.applies_to_all_sectors or any(
        s.isic_code in isic.ancestors(sector_code) for s in v.sectors.all()
    )
    return countries and sectors


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_reach_cells_agree_with_the_register(seed):
    """Against an oracle that reads the versions' own fields: random applicability (named and
    all partners, sections to classes), successive versions and retirements."""
    rng = random.Random(seed)
    partners = [TradingPartnerFactory(code=c) for c in ("PE", "US", "MX")]
    sectors = {code: SectorFactory(isic_code=code) for code in SECTORS}
    for n in range(12):
        criterion = CriterionFactory(code=f"FOA-{n + 1:03d}")
        versions = rng.randint(1, 3)
        for number in range(1, versions + 1):
            since = dt.date(2020 + number, 1, 1)
            retire = number == versions and rng.random() < 0.3
            all_countries = rng.random() < 0.3
            all_sectors = rng.random() < 0.3
            version = CriterionVersionFactory(
                criterion=criterion,
                number=number,
                effective_from=since,
                applies_to_all_countries=all_countries,
                applies_to_all_sectors=all_sectors,
                is_retirement=retire,
                successor=criterion if retire else None,
            )
            # Applicability rows in either order, as some doors write them.
            named = rng.sample(partners, rng.randint(0, 2))
            covered = [sectors[c] for c in rng.sample(SECTORS, rng.randint(0, 2))]
            if rng.random() < 0.5:
                version.countries.add(*named)
                version.sectors.add(*covered)
            else:
                version.sectors.add(*covered)
                version.countries.add(*named)
            if number > 1:
                CriterionVersion.objects.filter(criterion=criterion, number=number - 1).update(
                    effective_until=since
                )
    everything = list(CriterionVersion.objects.prefetch_related("countries", "sectors"))
    for on in [dt.date(2020, 6, 1), dt.date(2021, 1, 1), dt.date(2022, 7, 1), dt.date(2030, 1, 1)]:
        for country in partners:
            for code in ["1410", "1312", "0116", "C"]:
                expected = {
                    v.pk
                    for v in everything
                    if not v.is_retirement and _in_force(v, on) and _applies(v, country, code)
                }
                got = set(
                    versions_in_force(on=on, country=country, sector_code=code).values_list(
                        "pk", flat=True
                    )
                )
                assert got == expected, (on, country.code, code)
        only_country = {
            v.pk
            for v in everything
            if not v.is_retirement
            and _in_force(v, on)
            and (v.applies_to_all_countries or partners[0] in v.countries.all())
        }
        assert (
            set(versions_in_force(on=on, country=partners[0]).values_list("pk", flat=True))
            == only_country
        )


def test_reach_is_kept_by_the_database_not_the_application():
    pe = TradingPartnerFactory(code="PE")
    sector = SectorFactory(isic_code="1410")
    version = CriterionVersionFactory(
        criterion=CriterionFactory(),
        applies_to_all_countries=False,
        applies_to_all_sectors=False,
    )
    assert not VersionReach.objects.filter(version=version).exists()
    version.countries.add(pe)
    assert not VersionReach.objects.filter(version=version).exists()  # no sector yet
    version.sectors.add(sector)
    [cell] = VersionReach.objects.filter(version=version)
    assert (cell.country_key, cell.sector_key) == (pe.pk, "1410")
    assert cell.effective_until == VersionReach.OPEN_END
    # A version ends when the next one takes effect (commission.integrity).
    CriterionVersionFactory(
        criterion=version.criterion, number=2, effective_from=dt.date(2030, 1, 1)
    )
    CriterionVersion.objects.filter(pk=version.pk).update(effective_until=dt.date(2030, 1, 1))
    cell.refresh_from_db()
    assert cell.effective_until == dt.date(2030, 1, 1)


def test_every_write_to_the_register_changes_its_state():
    def state():
        return register_cache.register_stamp()

    first = state()
    criterion = CriterionFactory()
    second = state()
    version = CriterionVersionFactory(criterion=criterion)
    third = state()
    SourceFactory(version=version)
    fourth = state()
    assert len({first, second, third, fourth}) == 4
    epoch = RegisterState.objects.get().epoch
    assert all(s.startswith(epoch + ".") for s in (second, third, fourth))
    # Reading changes nothing.
    list(CriterionVersion.objects.all())
    assert state() == fourth


def _caching():
    cache.clear()
    return mock.patch.object(register_cache, "_may_cache", return_value=True)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/timeliness/",
        "/criteria/",
        "/criteria/FOA-001/",
        "/criteria/binding/",
        "/criteria/binding/?country=PE&sector=1410&on=2021-06-01",
        "/criteria/?country=PE&sector=1410&on=2021-06-01",
    ],
)
def test_a_reader_of_public_pages_gets_no_token_and_no_cookie(url):
    """Public pages are the same for every reader: no CSRF token (the language switcher needs
    none), no cookie set, so a cached page is served as it is."""
    from django.test import Client

    TradingPartnerFactory(code="PE")
    SectorFactory(isic_code="1410")
    CriterionVersionFactory(criterion=CriterionFactory(code="FOA-001"))
    reader = Client(enforce_csrf_checks=True)
    with _caching():
        first, second = reader.get(url), reader.get(url)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert b"csrfmiddlewaretoken" not in first.content
    assert not first.cookies
    assert "Set-Cookie" not in first.headers
    # The language switcher on the page works without a token, and sets only the language.
    response = reader.post("/i18n/setlang/", {"language": "es", "next": url})
    assert response.status_code == 302
    assert response.url == url
    assert set(response.cookies) == {"django_language"}
    assert 'lang="es"' in reader.get(url).content.decode()


def test_a_forged_language_switch_cannot_send_the_reader_elsewhere():
    from django.test import Client

    reader = Client(enforce_csrf_checks=True)
    response = reader.post(
        "/i18n/setlang/", {"language": "es", "next": "https://attacker.example/"}
    )
    assert response.status_code == 302
    assert response.url == "/"


def test_cached_page_follows_the_register_state(client):
    TradingPartnerFactory()
    SectorFactory()
    CriterionVersionFactory(criterion=CriterionFactory(code="FOA-001"))
    with _caching():
        assert "FOA-002/v1" not in client.get("/criteria/").content.decode()
        CriterionVersionFactory(criterion=CriterionFactory(code="FOA-002"))
        assert "FOA-002/v1" in client.get("/criteria/").content.decode()


def test_no_answer_is_cached_inside_a_transaction(client):
    TradingPartnerFactory()
    SectorFactory()
    assert connection.in_atomic_block
    with (
        mock.patch("criteria.views.cache") as page_cache,
        mock.patch("criteria.cache.cache") as answer_cache,
    ):
        client.get("/criteria/")
        client.get("/criteria/binding/?country=PE&sector=1410&on=2026-06-01")
        client.get("/api/criteria/binding/?country=PE&sector=1410&on=2026-06-01")
    page_cache.set.assert_not_called()
    answer_cache.set.assert_not_called()


def test_binding_answers_a_page_at_a_time_with_the_count(client):
    pe = TradingPartnerFactory()
    SectorFactory(isic_code="1410")
    for i in range(60):
        criterion = MeasureFactory(code=f"OSH-{i + 1:03d}", governs=f"agent-{i:03d}")
        MeasureVersionFactory(criterion=criterion, threshold=Decimal(100 + i))
    # Two more compete on one quantity: one binds, the other is explained.
    for code, value in [("OSH-901", "200"), ("OSH-902", "150")]:
        MeasureVersionFactory(
            criterion=MeasureFactory(code=code, governs="cotton-dust"), threshold=Decimal(value)
        )
    on = dt.date(2026, 6, 1)
    whole = criteria_binding(country=pe, sector="1410", on=on)
    assert len(whole) == 61
    first = criteria_binding_page(country=pe, sector="1410", on=on, number=1)
    second = criteria_binding_page(country=pe, sector="1410", on=on, number=2)
    assert (first.count, first.num_pages, first.has_next, second.has_next) == (61, 2, True, False)
    assert [b.identifier for b in first.bindings + second.bindings] == [b.identifier for b in whole]
    assert [b.explanation for b in second.bindings] == [b.explanation for b in whole[50:]]
    api = client.get("/api/criteria/binding/?country=PE&sector=1410&on=2026-06-01").json()
    assert (api["count"], api["page"], api["pages"]) == (61, 1, 2)
    assert len(api["binding"]) == 50
    assert api["next"].endswith("page=2")
    last = client.get("/api/criteria/binding/?country=PE&sector=1410&on=2026-06-01&page=2").json()
    assert [b["identifier"] for b in last["binding"]] == [b.identifier for b in whole[50:]]
    assert last["previous"].endswith("page=1")
    [dust] = [b for b in last["binding"] if b["governs"] == "cotton-dust"]
    assert dust["identifier"] == "OSH-902/v1"
    assert dust["competitors"][0]["margin"] == "50"
    page = client.get("/criteria/binding/?country=PE&sector=1410&on=2026-06-01").content.decode()
    assert "Binding criteria 1–50 of 61." in page
    assert "page=2" in page
    page2 = client.get(
        "/criteria/binding/?country=PE&sector=1410&on=2026-06-01&page=2"
    ).content.decode()
    assert "Binding criteria 51–61 of 61." in page2
    assert "OSH-902/v1 binds as the most worker-protective standard" in page2
    assert "less protective by 50 µg/m³ (25%)" in page2


def test_register_list_filters_through_reach():
    pe = TradingPartnerFactory(code="PE")
    us = TradingPartnerFactory(code="US")
    SectorFactory(isic_code="1410")
    for code, partner in [("FOA-001", pe), ("FOA-002", us)]:
        version = CriterionVersionFactory(
            criterion=CriterionFactory(code=code), applies_to_all_countries=False
        )
        version.countries.add(partner)
    on = dt.date(2026, 6, 1)
    assert [v.identifier for v in criterion_register(on=on, country=pe, sector_code="1410")] == [
        "FOA-001/v1"
    ]
