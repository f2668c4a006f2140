"""Which versions apply agrees with an oracle; the register state changes with every write
(partners and sectors included); public pages and API answers are cached and revalidated by
that state (ETag, Last-Modified, 304), the same bytes whether cached or computed, in both
languages; and the binding selector answers a page at a time with the count."""

import datetime as dt
import os
import random
import subprocess
import sys
from decimal import Decimal
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from criteria import caching, isic
from criteria.models import CriterionVersion, RegisterState, RuleResolution
from criteria.selectors import (
    criteria_binding,
    criteria_binding_page,
    criterion_register,
    register_state,
    versions_in_force,
)
from tests.factories.commission import CommissionMemberFactory, SectorFactory, TradingPartnerFactory
from tests.factories.criteria import (
    CriterionFactory,
    CriterionVersionFactory,
    MeasureFactory,
    MeasureVersionFactory,
    RightFactory,
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
def test_versions_in_force_agree_with_an_oracle(seed):
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


def test_every_write_to_the_register_changes_its_state():
    def state():
        current = register_state()
        return f"{current.epoch}.{current.serial}"

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
    # Answers name partners and sectors: renaming one moves the state on too, and records
    # when.
    before = register_state()
    partner, sector = TradingPartnerFactory(code="PE"), SectorFactory(isic_code="1410")
    after_insert = register_state().serial
    partner.name = "Perú"
    partner.save()
    after_partner = register_state().serial
    sector.title = "Wearing apparel"
    sector.save()
    after_sector = register_state()
    assert before.serial < after_insert < after_partner < after_sector.serial
    assert after_sector.changed_at is not None
    assert after_sector.changed_at >= before.changed_at


def _caching():
    """Cache as outside a test's transaction (inside one nothing is cached)."""
    cache.clear()
    return mock.patch.object(caching, "_may_cache", return_value=True)


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
    with mock.patch("criteria.caching.cache") as answer_cache:
        client.get("/criteria/")
        client.get("/criteria/binding/?country=PE&sector=1410&on=2026-06-01")
        client.get("/api/v1/criteria/binding/?country=PE&sector=1410&on=2026-06-01")
    answer_cache.set.assert_not_called()
    answer_cache.get.assert_not_called()


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
    assert (first.paginator.count, first.paginator.num_pages) == (61, 2)
    assert (first.has_next(), second.has_next()) == (True, False)
    bindings = [*first.object_list, *second.object_list]
    assert [b.identifier for b in bindings] == [b.identifier for b in whole]
    assert [b.explanation for b in second.object_list] == [b.explanation for b in whole[50:]]
    api = client.get("/api/v1/criteria/binding/?country=PE&sector=1410&on=2026-06-01").json()
    assert (api["count"], api["page"], api["pages"]) == (61, 1, 2)
    assert len(api["binding"]) == 50
    assert api["next"].endswith("page=2")
    last = client.get(
        "/api/v1/criteria/binding/?country=PE&sector=1410&on=2026-06-01&page=2"
    ).json()
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


def test_register_list_filters_by_country_and_sector():
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


# --------------------------------------------------------------------------- cache and revalidation

PUBLIC = [
    "/criteria/",
    "/criteria/?country=PE&sector=1410&on=2021-07-01",
    "/criteria/?right=FOA&on=2023-04-01&page=2",
    "/criteria/binding/?country=PE&sector=1410&on=2021-07-01",
    "/criteria/binding/?country=MX&sector=0116&on=2023-04-01&page=2",
    "/criteria/binding/?country=ZZ",
    "/criteria/FOA-002/",
    "/criteria/FOA-002/v1/",
    "/criteria/FOA-002/v1.json",
    "/criteria/export.json?on=2021-07-01",
    "/criteria/export.csv",
    "/api/v1/criteria/?on=2021-07-01&country=PE&sector=1410",
    "/api/v1/criteria/FOA-002/",
    "/api/v1/criteria/binding/?country=PE&sector=1410&on=2021-07-01",
    "/api/v1/criteria/binding/?country=MX&sector=C&on=2023-04-01&page=2",
    "/api/v1/criterion-versions/FOA-002/v1/",
]


def _content(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_cached_answer_is_byte_for_byte_the_computed_one(client, language):
    """Every public page and API answer, in both languages: computed and cached on the first
    request, served from the cache on the second (one query: the register's state), the same
    bytes either way, and the same bytes as computed when nothing is cached."""
    _random_register(11)
    client.cookies["django_language"] = language
    shown = 0
    for url in PUBLIC:
        with _caching():
            first = client.get(url)
            with CaptureQueriesContext(connection) as queries:
                second = client.get(url)
            body = _content(second)
        if not first.streaming:
            assert len(queries) == 1, (url, [q["sql"] for q in queries])
        fresh = client.get(url)  # inside the test's transaction: never cached
        assert first.status_code == second.status_code == fresh.status_code, url
        assert _content(first) == body == _content(fresh), url
        shown += body.count(b'class="binding"') + body.count(b'"identifier"') + body.count(b"<tr>")
    assert shown > 50  # the answers compared are not empty


def test_revalidation_answers_304_until_the_register_changes(client):
    TradingPartnerFactory(code="PE")
    SectorFactory(isic_code="1410")
    CriterionVersionFactory(criterion=CriterionFactory(code="FOA-001"))
    urls = [
        "/criteria/",
        "/criteria/binding/?country=PE&sector=1410&on=2026-06-01",
        "/criteria/FOA-001/",
        "/criteria/export.csv",
        "/api/v1/criteria/binding/?country=PE&sector=1410&on=2026-06-01",
        "/api/v1/criteria/FOA-001/",
    ]
    tags = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        tags[url] = (response["ETag"], response["Last-Modified"])
        # A browser or a court that kept the answer revalidates it for free.
        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304, url
        assert not again.content
        since = client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
        assert since.status_code == 304, url
    # Another language is another answer.
    other = client.get(urls[0], HTTP_ACCEPT_LANGUAGE="es", HTTP_IF_NONE_MATCH=tags[urls[0]][0])
    assert other.status_code == 200
    # A write to the register makes every answer new.
    CriterionVersionFactory(criterion=CriterionFactory(code="FOA-002"))
    for url in urls:
        response = client.get(url, HTTP_IF_NONE_MATCH=tags[url][0])
        assert response.status_code == 200, url
        assert response["ETag"] != tags[url][0]


def test_a_new_release_never_serves_what_the_old_one_cached(client):
    TradingPartnerFactory(code="PE")
    SectorFactory(isic_code="1410")
    CriterionVersionFactory(criterion=CriterionFactory(code="FOA-001"))
    url = "/criteria/binding/?country=PE&sector=1410&on=2026-06-01"
    with _caching():
        client.get(url)
        with CaptureQueriesContext(connection) as cached:
            client.get(url)
        assert len(cached) == 1
        default = settings.CACHES["default"]
        with override_settings(CACHES={"default": {**default, "KEY_PREFIX": "commission-r2"}}):
            with CaptureQueriesContext(connection) as recomputed:
                client.get(url)
    assert len(recomputed) > 1


def test_the_release_prefixes_every_cache_key():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CACHES['default']['KEY_PREFIX'])"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", "RELEASE": "r42"}
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "commission-r42"


UNITS = [("µg/m³", 1), ("mg/m³", Decimal("0.001")), ("ppm", 1)]


def _random_register(seed: int):
    """Competing measures (convertible and incomparable units, both directions), rules on
    shared matters with members' records for parts of the map, named and all partners,
    sections to classes, successive versions and retirements."""
    rng = random.Random(seed)
    partners = [TradingPartnerFactory(code=c) for c in ("PE", "US", "MX")]
    sectors = {code: SectorFactory(isic_code=code) for code in SECTORS}
    osh, foa = RightFactory(code="OSH", name_en="Safety"), RightFactory(code="FOA")
    member = CommissionMemberFactory()
    for n in range(18):
        measure = n % 2 == 0
        factory = MeasureFactory if measure else CriterionFactory
        criterion = factory(
            code=f"{'OSH' if measure else 'FOA'}-{n + 1:03d}",
            right=osh if measure else foa,
            governs=f"{'dust' if measure else 'access'}-{n % 3}",
        )
        unit, scale = rng.choice(UNITS)
        base = Decimal(rng.randint(100, 300))
        versions = rng.randint(1, 3)
        for number in range(1, versions + 1):
            since = dt.date(2020 + number, rng.choice([1, 7]), 1)
            retire = number == versions and number > 1 and rng.random() < 0.25
            extra = {}
            if measure and not retire:
                extra = {
                    "threshold": (base - 10 * number) * scale,
                    "unit": unit,
                    "direction": "at_most" if n % 3 else "at_least",
                }
            version = (MeasureVersionFactory if measure else CriterionVersionFactory)(
                criterion=criterion,
                number=number,
                effective_from=since,
                applies_to_all_countries=rng.random() < 0.4,
                applies_to_all_sectors=rng.random() < 0.4,
                is_retirement=retire,
                successor=criterion if retire else None,
                **extra,
            )
            SourceFactory(version=version, kind=rng.choice(["international_law", "domestic_law"]))
            version.countries.add(*rng.sample(partners, rng.randint(0, 2)))
            version.sectors.add(*[sectors[c] for c in rng.sample(SECTORS, rng.randint(0, 2))])
            if number > 1:
                CriterionVersion.objects.filter(criterion=criterion, number=number - 1).update(
                    effective_until=since
                )
    for governs in ("access-0", "access-1"):
        for country, sector in [(None, None), (partners[0], None), (None, sectors["14"])]:
            candidates = list(CriterionVersion.objects.filter(criterion__governs=governs))
            RuleResolution.objects.create(
                governs=governs,
                country=country,
                sector=sector,
                binding_criterion=rng.choice(candidates).criterion,
                reason_en=f"Recorded for {governs}.",
                effective_from=dt.date(2021, rng.choice([4, 10]), 1),
                recorded_by=member,
            )
    return partners, sectors
