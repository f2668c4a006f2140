"""Precomputed answers (criteria.answers): the same answers the register gives when asked
directly, for every partner, sector and day; used only for the state they were built from."""

import datetime as dt
import random
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from criteria import answers, renderer
from criteria.models import (
    AnswerSet,
    BindingAnswer,
    BindingEntry,
    CriterionVersion,
    RuleResolution,
)
from criteria.selectors import (
    binding_fragments,
    criteria_binding,
    criteria_binding_page,
    criterion_register,
    precomputed_answer,
)
from tests.factories.commission import (
    CommissionMemberFactory,
    SectorFactory,
    TradingPartnerFactory,
)
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
UNITS = [("µg/m³", 1), ("mg/m³", Decimal("0.001")), ("ppm", 1)]


def _answer(binding):
    return (
        binding.identifier,
        binding.why,
        binding.resolution.pk if binding.resolution else None,
        binding.reason,
        [
            (c.identifier, c.relation, c.margin, c.margin_percent, c.note)
            for c in binding.competitors
        ],
        [s.pk for s in binding.version.sources.all()],
    )


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


def _days():
    """Every boundary the random registers use, the day before it, and far past and future."""
    days = {dt.date(1990, 1, 1), dt.date(2040, 1, 1)}
    for year in range(2020, 2025):
        for month in (1, 4, 7, 10):
            first = dt.date(year, month, 1)
            days.update({first, first - dt.timedelta(days=1)})
    return sorted(days)


@pytest.mark.parametrize("seed", [1, 2])
def test_precomputed_answers_are_the_registers_answers(seed):
    partners, sectors = _random_register(seed)
    result = answers.build()
    assert result.built
    assert result.answer_set.finished_at is not None
    compared = 0
    for on in _days():
        for country in partners:
            for code in sectors:
                assert precomputed_answer(country_id=country.pk, sector_code=code, on=on)
                fast = [_answer(b) for b in criteria_binding(country=country, sector=code, on=on)]
                listed = list(criterion_register(on=on, country=country, sector_code=code))
                with override_settings(CRITERIA_PRECOMPUTED_ANSWERS=False):
                    live = [
                        _answer(b) for b in criteria_binding(country=country, sector=code, on=on)
                    ]
                    live_listed = list(criterion_register(on=on, country=country, sector_code=code))
                assert fast == live, (on, country.code, code)
                assert listed == live_listed, (on, country.code, code)
                compared += len(live)
    assert compared > 500  # the registers are not trivially empty


def test_pages_of_a_precomputed_answer_match_the_register():
    partners, _sectors = _random_register(7)
    answers.build()
    on = dt.date(2023, 2, 1)
    for per_page in (1, 2, 5):
        for number in (1, 2, 3, 99):
            page = criteria_binding_page(
                country=partners[0], sector="1410", on=on, number=number, per_page=per_page
            )
            with override_settings(CRITERIA_PRECOMPUTED_ANSWERS=False):
                live = criteria_binding_page(
                    country=partners[0], sector="1410", on=on, number=number, per_page=per_page
                )
            assert [_answer(b) for b in page.bindings] == [_answer(b) for b in live.bindings]
            assert (page.count, page.number) == (live.count, live.number)


def test_a_write_to_the_register_retires_the_precomputed_answers_until_rebuilt():
    pe, sector = TradingPartnerFactory(code="PE"), SectorFactory(isic_code="1410")
    MeasureVersionFactory(criterion=MeasureFactory(code="OSH-001"), threshold=Decimal("200"))
    on = dt.date(2026, 1, 1)
    answers.build()
    assert precomputed_answer(country_id=pe.pk, sector_code="1410", on=on).count == 1

    stricter = MeasureVersionFactory(criterion=MeasureFactory(code="OSH-002"), threshold=50)
    # The state moved on: the old set can no longer answer; the register answers directly.
    assert precomputed_answer(country_id=pe.pk, sector_code="1410", on=on) is None
    [binding] = criteria_binding(country=pe, sector=sector, on=on)
    assert binding.version == stricter

    result = answers.build()
    assert result.built
    answer = precomputed_answer(country_id=pe.pk, sector_code="1410", on=on)
    assert answer.count == 1
    [binding] = criteria_binding(country=pe, sector=sector, on=on)
    assert binding.version == stricter
    assert AnswerSet.objects.count() == 1  # the older state's set is gone
    assert not BindingAnswer.objects.exclude(answer_set=result.answer_set).exists()
    assert not BindingEntry.objects.exclude(answer_set=result.answer_set).exists()


def test_renaming_a_partner_or_adding_a_sector_moves_the_state_on():
    pe = TradingPartnerFactory(code="PE")
    SectorFactory(isic_code="1410")
    CriterionVersionFactory(criterion=CriterionFactory(code="FOA-001"))
    answers.build()
    on = dt.date(2026, 1, 1)
    assert precomputed_answer(country_id=pe.pk, sector_code="1410", on=on)
    pe.name = "Perú"
    pe.save()
    assert precomputed_answer(country_id=pe.pk, sector_code="1410", on=on) is None
    answers.build()
    SectorFactory(isic_code="1312")
    # A sector added since the build has no precomputed answer: the register answers it.
    assert precomputed_answer(country_id=pe.pk, sector_code="1312", on=on) is None
    assert len(criteria_binding(country=pe, sector="1312", on=on)) == 1


def test_a_set_rendered_by_other_code_never_answers(client, monkeypatch):
    """A deployment that changes how answers are worded (code, templates, catalogs) does not
    serve the text the previous code rendered, stored or cached: the register answers until
    its own set is built, which replaces the other."""
    from django.core.cache import cache

    from criteria import cache as register_cache

    # Pages are cached as outside a test's transaction.
    monkeypatch.setattr(register_cache, "_may_cache", lambda: True)
    pe = TradingPartnerFactory(code="PE")
    SectorFactory(isic_code="1410")
    CriterionVersionFactory(criterion=CriterionFactory(code="FOA-001"))
    on = dt.date(2026, 1, 1)
    old = answers.build().answer_set
    url = "/api/criteria/binding/?country=PE&sector=1410&on=2026-01-01"
    before = client.get(url).content
    BindingEntry.objects.filter(answer_set=old).update(json='{"identifier":"old text"}')
    cache.clear()
    assert b"old text" in client.get(url).content  # the set in use is the one read
    monkeypatch.setattr(renderer, "fingerprint", lambda: "new code")
    # Nor is a page the other code put in the (shared) cache served.
    assert client.get(url).content == before
    assert precomputed_answer(country_id=pe.pk, sector_code="1410", on=on) is None
    assert binding_fragments(country_code="PE", sector_code="1410", on=on) is None
    assert client.get(url).content == before
    assert answers.build().built
    assert list(AnswerSet.objects.values_list("renderer", flat=True)) == ["new code"]
    assert precomputed_answer(country_id=pe.pk, sector_code="1410", on=on).count == 1
    cache.clear()
    assert client.get(url).content == before


def test_the_renderer_fingerprint_is_of_the_code_templates_and_catalogs(tmp_path, monkeypatch):
    sources = renderer.sources()
    names = {path.name for path in sources}
    assert {"selectors.py", "answers.py", "_binding_section.html", "_register_rows.html"} <= names
    assert renderer.APP.parent / "commission" / "models.py" in sources  # partners' order, names
    # The compiled catalogs the explanations are worded from.
    catalogs = [*Path(settings.LOCALE_PATHS[0]).rglob("*.mo"), *renderer.APP.rglob("*.mo")]
    assert set(catalogs) <= set(sources)
    template = tmp_path / "_binding_section.html"
    monkeypatch.setattr(renderer, "sources", lambda: [template])
    fingerprints = set()
    for text in ("<p>{{ b.reason }}</p>", "<p>{{ b.reason }}.</p>", "<p>{{ b.reason }}</p>"):
        template.write_text(text)
        renderer.fingerprint.cache_clear()
        fingerprints.add(renderer.fingerprint())
    renderer.fingerprint.cache_clear()
    assert len(fingerprints) == 2


def test_an_unfinished_set_never_answers_and_a_stale_claim_is_taken_over():
    pe = TradingPartnerFactory(code="PE")
    SectorFactory(isic_code="1410")
    CriterionVersionFactory(criterion=CriterionFactory(code="FOA-001"))
    epoch, serial = answers._state()
    claim = AnswerSet.objects.create(epoch=epoch, serial=serial, renderer=renderer.fingerprint())
    BindingAnswer.objects.create(
        answer_set=claim,
        country_id=pe.pk,
        sector_code="1410",
        effective_from=dt.date(2000, 1, 1),
        effective_until=dt.date(9999, 12, 31),
        count=0,
        bindings="[]",
        listed="[]",
    )
    on = dt.date(2026, 1, 1)
    assert precomputed_answer(country_id=pe.pk, sector_code="1410", on=on) is None
    assert answers.build().reason == "being built"  # another builder holds a fresh claim
    AnswerSet.objects.filter(pk=claim.pk).update(
        started_at=timezone.now() - answers.STALE - dt.timedelta(minutes=1)
    )
    result = answers.build()
    assert result.built
    assert precomputed_answer(country_id=pe.pk, sector_code="1410", on=on).count == 1
    assert answers.build().reason == "already built"


def test_a_build_that_sees_the_register_change_keeps_nothing(monkeypatch):
    TradingPartnerFactory(code="PE")
    SectorFactory(isic_code="1410")
    CriterionVersionFactory(criterion=CriterionFactory(code="FOA-001"))
    load = answers._load

    def load_during_a_write():
        data = load()
        CriterionVersionFactory(criterion=CriterionFactory(code="FOA-002"))
        return data

    monkeypatch.setattr(answers, "_load", load_during_a_write)
    result = answers.build()
    assert not result.built
    assert result.reason == "register changed while it was read"
    assert not AnswerSet.objects.exists()
    assert not BindingAnswer.objects.exists()


def test_the_selector_reads_a_precomputed_page_in_constant_queries():
    pe = TradingPartnerFactory(code="PE")
    SectorFactory(isic_code="1410")

    def queries(first, n):
        for i in range(first, first + n):
            version = MeasureVersionFactory(
                criterion=MeasureFactory(code=f"OSH-{i + 1:03d}", governs=f"q-{i % 4}"),
                threshold=100 + i,
            )
            SourceFactory(version=version)
        answers.build()
        with CaptureQueriesContext(connection) as ctx:
            page = criteria_binding_page(country=pe, sector="1410", on=dt.date(2026, 1, 1))
            [b.reason for b in page.bindings]
        return len(ctx.captured_queries), page.count

    small, count_small = queries(0, 3)
    large, count_large = queries(3, 40)
    assert (count_small, count_large) == (3, 4)  # four quantities: the strictest of each binds
    assert small == large


def test_the_command_builds_once_per_state(capsys):
    TradingPartnerFactory(code="PE")
    SectorFactory(isic_code="1410")
    CriterionVersionFactory(criterion=CriterionFactory(code="FOA-001"))
    call_command("criteria_answers")
    assert "Precomputed" in capsys.readouterr().out
    call_command("criteria_answers")
    assert "already precomputed" in capsys.readouterr().out


def test_register_writes_queue_a_build(django_capture_on_commit_callbacks, monkeypatch):
    from criteria import tasks

    queued = []
    monkeypatch.setattr(tasks.answers_refresh, "delay", lambda: queued.append(True))
    member = CommissionMemberFactory()
    criterion = CriterionFactory(code="FOA-001", governs="access")
    from criteria.services import rule_resolution_record

    with django_capture_on_commit_callbacks(execute=True):
        rule_resolution_record(
            governs="access",
            binding_criterion=criterion,
            reason_en="It protects more.",
            effective_from=timezone.localdate() + dt.timedelta(days=1),
            actor=member.person.user,
        )
    assert queued == [True]


def _masked(body: bytes) -> bytes:
    """The body without the CSRF token, which is masked afresh for every response."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


@pytest.mark.parametrize("language", ["en", "es"])
def test_pages_and_api_read_off_precomputed_answers_say_the_same(client, language):
    """The API's JSON and the portal's page, byte for byte, whether the bindings come
    rendered from the precomputed answers or are rendered for the request."""
    from django.core.cache import cache

    partners, _sectors = _random_register(11)
    answers.build()
    client.cookies["django_language"] = language
    urls = [
        f"/api/criteria/binding/?country={c}&sector={s}&on={d}&page={n}"
        for c in ("PE", "MX")
        for s in ("1410", "0116", "C")
        for d in ("2019-12-31", "2021-07-01", "2023-04-01")
        for n in (1, 2)
    ]
    urls += [u.replace("/api/criteria/", "/criteria/") for u in urls]
    urls += [u.replace("/api/criteria/binding/", "/criteria/") for u in urls if "/api/" in u]
    urls += [
        "/api/criteria/binding/?country=ZZ&sector=1410",
        "/api/criteria/?country=PE&sector=1410&on=2021-07-01",
        "/criteria/binding/?country=ZZ",
        "/criteria/binding/?country=PE&sector=1410&on=2021-07-01&page=99",
        "/criteria/binding/?country=PE&sector=1410&on=2021-7-1",
        "/criteria/binding/?country=PE&sector=1410&on=2021-07-01&page=x",
        "/criteria/binding/?country=PE&sector=1410&on=2021-07-01&extra=1",
        "/criteria/?country=PE&sector=1410&on=2021-07-01&page=99",
        "/criteria/?country=PE&sector=1410&on=2021-07-01&right=FOA",
        "/criteria/?country=PE&sector=1410",
        f"/criteria/?country=PE&sector=1410&on={timezone.localdate().isoformat()}",
    ]
    shown = 0
    for url in urls:
        cache.clear()
        fast = client.get(url)
        cache.clear()
        with override_settings(CRITERIA_PRECOMPUTED_ANSWERS=False):
            slow = client.get(url)
        assert (fast.status_code, _masked(fast.content)) == (
            slow.status_code,
            _masked(slow.content),
        ), url
        if "/api/" in url and fast.status_code == 200:
            # Put together from stored text, and written as the rest of the API is.
            assert fast.content == JSONRenderer().render(fast.json()), url
        shown += sum(fast.content.count(m) for m in (b'class="binding"', b'"identifier"', b"<tr>"))
    assert shown > 100
    # And the precomputed text was what the first answers were put together from.
    from django.test import RequestFactory

    from criteria import views

    factory = RequestFactory()
    question = "country=PE&sector=1410&on=2021-07-01"
    on = dt.date(2021, 7, 1)
    assert views._register_fast(factory.get(f"/criteria/?{question}"), "List", on) is not None
    assert views._binding_fast(factory.get(f"/criteria/binding/?{question}"), "Bind", on)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_prepared_statements_are_prepared_again_in_a_new_session():
    """On PostgreSQL the query that reads a precomputed answer is prepared once per database
    session: a new session (after the connection is closed) prepares it again."""
    from criteria.selectors import binding_fragments

    pe = TradingPartnerFactory(code="PE")
    SectorFactory(isic_code="1410")
    SourceFactory(version=MeasureVersionFactory(criterion=MeasureFactory(code="OSH-001")))
    answers.build()
    on = timezone.localdate()

    def read():
        with CaptureQueriesContext(connection) as ctx:
            page = binding_fragments(country_code=pe.code, sector_code="1410", on=on)
        return page.count, [q["sql"].split()[0] for q in ctx.captured_queries]

    connection.close()  # a session of its own, whatever earlier tests prepared
    assert read() == (1, ["PREPARE", "EXECUTE"])
    assert read() == (1, ["EXECUTE"])
    connection.close()
    assert read() == (1, ["PREPARE", "EXECUTE"])
    with override_settings(CRITERIA_PREPARED_STATEMENTS=False):
        assert read() == (1, ["SELECT"])


@pytest.mark.django_db(transaction=True)
def test_parts_kept_in_the_process_are_of_the_current_state_only():
    from django.db import transaction

    from criteria.cache import memo

    built = []

    def build():
        built.append(True)
        return len(built)

    assert memo(("part",), build) == 1
    assert memo(("part",), build) == 1
    RightFactory(code="ZZ")  # a register write moves the state on
    assert memo(("part",), build) == 2
    with transaction.atomic():  # the state could count writes later rolled back
        assert memo(("part",), build) == 3
    assert memo(("part",), build) == 2


@pytest.mark.parametrize(
    ("url", "seen"),
    [
        # `seen`: asked first, so that the state is seen and the page's parts are rendered.
        ("/criteria/binding/?country=PE&sector=1410&on={on}", "&page=1"),
        ("/api/criteria/binding/?country=PE&sector=1410&on={on}", "&page=2"),
        ("/criteria/?country=PE&sector=1410&on={on}", "&page=1"),
    ],
    ids=["page", "api", "list"],
)
def test_a_plain_question_is_one_query_and_never_served_from_an_older_state(client, url, seen):
    """A question not asked before is read with its register state in one query (no state
    read first); a repeated one is confirmed by one state read; a page cached for a state the
    register has since left is not served."""
    from unittest import mock

    from django.core.cache import cache

    from criteria import cache as register_cache

    TradingPartnerFactory(code="PE")
    SectorFactory(isic_code="1410")
    SourceFactory(version=MeasureVersionFactory(criterion=MeasureFactory(code="OSH-001")))
    answers.build()
    cache.clear()

    def get(on, query=""):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url.format(on=on) + query)
        assert response.status_code == 200
        sql = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith("PREPARE")]
        return re.sub(r'value="[^"]{64}"', "", response.content.decode()), sql

    today = timezone.localdate().isoformat()
    # Inside the test's transaction nothing would be cached: let it be, as outside one.
    with mock.patch.object(register_cache, "_may_cache", return_value=True):
        get(today, seen)
        first, sql = get(today)
        assert "OSH-001" in first
        [query] = sql  # the answer with its state (on PostgreSQL, the prepared statement)
        assert "criteria_bindinganswer" in query or query.startswith("EXECUTE criteria_slice")
        again, sql = get(today)
        assert again == first
        [query] = sql
        assert "criteria_registerstate" in query
        assert "answer" not in query
        # A new criterion binding everywhere: the register moves on; the precomputed answers
        # are of the state before, so the question is answered from the register.
        CriterionVersionFactory(
            criterion=CriterionFactory(code="FOA-009"),
            applies_to_all_countries=True,
            applies_to_all_sectors=True,
        )
        later, _sql = get(today)
        assert "FOA-009" in later
        assert "OSH-001" in later
