"""Statutory clocks: started at filing, never changed, met only by the event itself."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.test import override_settings
from django.utils import timezone, translation

from commission import services
from commission.models import CaseEvent, Clock
from commission.selectors import (
    clocks_for_subject,
    clocks_for_subjects,
    timeliness_statistics,
)
from commission.services import (
    case_event_record,
    clock_meet,
    clock_start,
    clocks_start_statutory,
)
from tests.factories.commission import (
    CaseProtocol,
    OrganizationFactory,
    UserFactory,
    case_with_clocks,
)

pytestmark = pytest.mark.django_db

LIMA = ZoneInfo("America/Lima")
FILED = dt.datetime(2026, 3, 2, 14, 10, tzinfo=LIMA)


@pytest.fixture(autouse=True)
def protocol(monkeypatch):
    return CaseProtocol.install(monkeypatch)


@pytest.fixture
def filed_case():
    with time_machine.travel(FILED + dt.timedelta(minutes=1), tick=False):
        return case_with_clocks(trigger_at=FILED)


def _event(case, verb="hearing_held", at=None):
    return case_event_record(subject=case, verb=verb, occurred_at=at)


def test_filing_starts_hearing_and_decision_clocks_with_their_legal_basis(filed_case):
    case, clocks = filed_case
    hearing, decision = clocks["hearing_by"], clocks["decision_by"]
    assert (hearing.kind, hearing.days, hearing.status) == ("hearing_by", 60, "pending")
    assert (decision.kind, decision.days) == ("decision_by", 90)
    assert hearing.last_day == dt.date(2026, 4, 30)  # day 60 = 1 May, Labor Day
    assert decision.last_day == dt.date(2026, 5, 29)  # day 90 = Sunday 31 May
    assert hearing.due_at == dt.datetime(2026, 4, 30, 23, 59, 59, 999999, tzinfo=LIMA)
    assert "60 days" in hearing.legal_basis
    assert "90 days" in decision.legal_basis
    assert hearing.legal_source
    assert hearing.docket_number == f"CASE-{case.pk}"
    assert hearing.trigger_at == FILED
    assert hearing.time_zone == "America/Lima"
    events = CaseEvent.objects.for_subject(case).filter(verb="clock_started")
    assert events.count() == 2
    assert all(e.is_public for e in events)
    assert list(clocks_for_subject(subject=case)) == [hearing, decision]


def _file_then_fail():
    with transaction.atomic():
        case = OrganizationFactory()
        clocks_start_statutory(subject=case, trigger_at=FILED)
        raise RuntimeError("the filing fails after the clocks started")


def test_clocks_are_part_of_the_filing_transaction():
    with time_machine.travel(FILED + dt.timedelta(minutes=1), tick=False):
        with pytest.raises(RuntimeError):
            _file_then_fail()
    assert not Clock.objects.exists()
    assert not CaseEvent.objects.filter(verb="clock_started").exists()


@pytest.mark.django_db(transaction=True)
def test_starting_clocks_outside_a_transaction_is_refused():
    case = OrganizationFactory()
    with pytest.raises(transaction.TransactionManagementError):
        clocks_start_statutory(subject=case, trigger_at=FILED)


def test_a_clock_is_never_started_twice(filed_case):
    case, _ = filed_case
    with pytest.raises(ValidationError, match="never restarted"), transaction.atomic():
        clocks_start_statutory(subject=case, trigger_at=FILED + dt.timedelta(days=30))
    assert Clock.objects.count() == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"trigger_at": dt.datetime(2026, 3, 2, 14, 10)}, "time zone"),  # noqa: DTZ001
        ({"trigger_at": FILED + dt.timedelta(days=1)}, "future"),
        ({"days": 0}, "at least one day"),
        ({"legal_basis": "  "}, "legal basis"),
        ({"kind": "extension"}, "Unknown clock kind"),
    ],
)
def test_clock_start_refuses(kwargs, message):
    params = {
        "kind": Clock.Kind.DISCLOSURE_DUE,
        "trigger_at": FILED,
        "days": 30,
        "legal_basis": "Mandatory disclosure within 30 days of the demand.",
        "trigger_event": "order_issued",
    }
    params.update(kwargs)
    with time_machine.travel(FILED + dt.timedelta(hours=1), tick=False), transaction.atomic():
        case = OrganizationFactory()
        with pytest.raises(ValidationError, match=message):
            clock_start(subject=case, **params)


def test_other_kinds_of_clock_use_the_same_rule():
    with time_machine.travel(FILED + dt.timedelta(hours=1), tick=False), transaction.atomic():
        case = OrganizationFactory()
        clock = clock_start(
            subject=case,
            kind=Clock.Kind.PUBLIC_NOTICE,
            trigger_at=FILED,
            days=30,
            legal_basis="Public notice before a sanction is lifted.",
            trigger_event="notice_published",
        )
    assert clock.last_day == dt.date(2026, 4, 1)  # day 30 = Wednesday 1 April 2026


NEW_YORK = ZoneInfo("America/New_York")
US_CALENDAR = {"TIME_ZONE": "America/New_York", "COMMISSION_HOLIDAY_COUNTRY": "US"}


@pytest.mark.parametrize(
    ("filed_at", "tz_settings", "kind", "last_day", "utc_offset_hours"),
    [
        # 23:59 and 00:01 local time: the local date counts, not the UTC one.
        (dt.datetime(2026, 3, 5, 23, 59, tzinfo=LIMA), {}, "hearing_by", dt.date(2026, 5, 4), -5),
        (dt.datetime(2026, 3, 6, 0, 1, tzinfo=LIMA), {}, "hearing_by", dt.date(2026, 5, 5), -5),
        # Daylight saving: filed in winter time, due in summer time, and the repeated hour.
        (
            dt.datetime(2026, 1, 15, 10, 0, tzinfo=NEW_YORK),
            US_CALENDAR,
            "hearing_by",
            dt.date(2026, 3, 16),
            -4,
        ),
        (
            dt.datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK),
            US_CALENDAR,
            "hearing_by",
            dt.date(2026, 12, 31),
            -5,
        ),
        # Leap day.
        (
            dt.datetime(2027, 12, 31, 23, 59, tzinfo=LIMA),
            {},
            "hearing_by",
            dt.date(2028, 2, 29),
            -5,
        ),
        # Day 60 on a Saturday, day 90 on a Sunday, day 60 on Labor Day.
        (dt.datetime(2026, 3, 10, 9, 0, tzinfo=LIMA), {}, "hearing_by", dt.date(2026, 5, 8), -5),
        (dt.datetime(2026, 3, 2, 14, 10, tzinfo=LIMA), {}, "decision_by", dt.date(2026, 5, 29), -5),
        (dt.datetime(2026, 3, 2, 14, 10, tzinfo=LIMA), {}, "hearing_by", dt.date(2026, 4, 30), -5),
        # Across the year end, and moved back across it by New Year's Day.
        (dt.datetime(2026, 11, 15, 9, 0, tzinfo=LIMA), {}, "hearing_by", dt.date(2027, 1, 14), -5),
        (dt.datetime(2026, 11, 2, 9, 0, tzinfo=LIMA), {}, "hearing_by", dt.date(2026, 12, 31), -5),
        (dt.datetime(2026, 11, 2, 9, 0, tzinfo=LIMA), {}, "decision_by", dt.date(2027, 1, 29), -5),
    ],
)
def test_filing_now_at_each_edge(filed_at, tz_settings, kind, last_day, utc_offset_hours):
    """Travel to the filing instant and file "now", as the portal does."""
    with override_settings(**tz_settings), time_machine.travel(filed_at, tick=False):
        _, clocks = case_with_clocks(trigger_at=timezone.now())
        clock = Clock.objects.get(pk=clocks[kind].pk)
        tz = ZoneInfo(clock.time_zone)
    assert (
        clock.trigger_at.timestamp() == filed_at.timestamp()
    )  # (PEP 495: fold=1 compares unequal)
    assert clock.last_day == last_day
    local_due = clock.due_at.astimezone(tz)
    assert (local_due.date(), local_due.time()) == (last_day, dt.time.max)
    assert local_due.utcoffset() == dt.timedelta(hours=utc_offset_hours)


# --- Nobody can edit a clock --------------------------------------------------------------


def test_model_refuses_to_move_a_clock(filed_case):
    hearing = filed_case[1]["hearing_by"]
    hearing.due_at += dt.timedelta(days=30)
    with pytest.raises(ValidationError, match="no extension"):
        hearing.save(update_fields=["due_at"])
    with pytest.raises(ValidationError):
        hearing.save()
    with pytest.raises(ValidationError):
        hearing.delete()


@pytest.mark.parametrize(
    "change",
    [
        {"due_at": dt.datetime(2026, 6, 30, 23, 59, tzinfo=LIMA)},
        {"days": 120},
        {"last_day": dt.date(2026, 6, 30)},
        {"trigger_at": dt.datetime(2026, 4, 2, 9, 0, tzinfo=LIMA)},
        {"kind": "decision_by"},
    ],
)
def test_database_refuses_to_move_a_clock(filed_case, change):
    hearing = filed_case[1]["hearing_by"]
    # Below the model's own refusals (commission.integrity): the database's.
    with pytest.raises(DatabaseError), transaction.atomic():
        Clock._base_manager.filter(pk=hearing.pk).update(**change)
    hearing.refresh_from_db()
    assert hearing.last_day == dt.date(2026, 4, 30)


def test_database_refuses_to_delete_a_clock(filed_case):
    with pytest.raises(DatabaseError), transaction.atomic():
        Clock._base_manager.filter(pk=filed_case[1]["hearing_by"].pk)._raw_delete(using="default")
    assert Clock.objects.count() == 2


def test_no_service_extends_tolls_or_pauses_a_clock():
    names = {n for n in dir(services) if n.startswith("clock")}
    assert not {n for n in names if any(w in n for w in ("extend", "toll", "pause", "move"))}
    field_names = {f.name for f in Clock._meta.get_fields()}
    assert not {n for n in field_names if any(w in n for w in ("extend", "toll", "pause"))}


def test_admin_shows_a_clock_read_only_with_its_arithmetic(client, filed_case):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    hearing = filed_case[1]["hearing_by"]
    url = f"/admin/commission/clock/{hearing.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "day 60 is Friday 1 May 2026" in body
    assert 'name="due_at"' not in body  # no input: read-only
    response = client.post(url, {"due_at_0": "2026-06-30", "due_at_1": "23:59:59"})
    assert response.status_code == 403
    assert client.get("/admin/commission/clock/add/").status_code == 403
    assert client.post(f"/admin/commission/clock/{hearing.pk}/delete/").status_code == 403
    hearing.refresh_from_db()
    assert hearing.last_day == dt.date(2026, 4, 30)


def test_api_exposes_clocks_read_only_with_the_explanation(client, filed_case):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    hearing = filed_case[1]["hearing_by"]
    listing = client.get("/api/v1/clocks/", {"kind": "hearing_by"})
    assert listing.status_code == 200
    row = listing.json()["results"][0]
    assert row["last_day"] == "2026-04-30"
    assert row["status"] == "pending"
    assert "day 60 is Friday 1 May 2026" in row["explanation"]
    assert "Labor Day" in row["moved_reason"]
    spanish = client.get(f"/api/v1/clocks/{hearing.pk}/", HTTP_ACCEPT_LANGUAGE="es").json()
    assert "Día del Trabajo" in spanish["explanation"]
    assert spanish["legal_basis_text"].startswith("La Comisión celebrará una audiencia")
    assert spanish["legal_basis"].startswith("The commission shall hold a hearing")
    client.force_login(admin)
    url = f"/api/v1/clocks/{hearing.pk}/"
    assert client.patch(url, {"days": 120}, content_type="application/json").status_code == 405
    assert client.put(url, {}, content_type="application/json").status_code == 405
    assert client.delete(url).status_code == 405
    assert client.post("/api/v1/clocks/", {}, content_type="application/json").status_code == 405


# --- Met only by the event ----------------------------------------------------------------


def test_hearing_held_in_time_meets_the_hearing_clock(filed_case):
    case, clocks = filed_case
    held_at = dt.datetime(2026, 4, 30, 23, 0, tzinfo=LIMA)
    with time_machine.travel(held_at + dt.timedelta(minutes=5), tick=False):
        event = _event(case, at=held_at)
        clock = clock_meet(subject=case, kind="hearing_by", at=held_at, event=event)
    assert (clock.status, clock.met_at, clock.met_by_event) == ("met", held_at, event)
    assert clock.next_action_at is None
    assert CaseEvent.objects.for_subject(case).filter(verb="clock_met", is_public=True).exists()
    # The same event recorded twice changes nothing; another event is refused.
    with time_machine.travel(held_at + dt.timedelta(hours=1), tick=False):
        assert clock_meet(subject=case, kind="hearing_by", at=held_at, event=event).pk == clock.pk
        with pytest.raises(ValidationError, match="already been met"):
            clock_meet(subject=case, kind="hearing_by", at=held_at, event=_event(case))
    assert clocks["decision_by"].status == "pending"


def test_a_step_after_the_deadline_is_a_miss_with_a_late_completion(filed_case):
    case, _ = filed_case
    held_at = dt.datetime(2026, 5, 4, 10, 0, tzinfo=LIMA)  # due end of 30 April
    with time_machine.travel(held_at, tick=False):
        clock = clock_meet(subject=case, kind="hearing_by", at=held_at, event=_event(case))
    assert clock.status == "missed"
    assert clock.missed_at == clock.due_at
    assert clock.completed_at == held_at
    assert clock.days_overdue == 4
    verbs = list(CaseEvent.objects.for_subject(case).values_list("verb", flat=True))
    assert "clock_missed" in verbs
    assert "clock_completed_late" in verbs
    missed_event = CaseEvent.objects.for_subject(case).get(verb="clock_missed")
    assert missed_event.occurred_at == clock.due_at
    assert missed_event.is_public


def test_a_recorded_miss_stays_on_record_when_the_step_finally_happens(filed_case):
    case, clocks = filed_case
    with time_machine.travel(dt.datetime(2026, 5, 2, 9, 0, tzinfo=LIMA), tick=False):
        services.clock_sweep()
    hearing = Clock.objects.get(pk=clocks["hearing_by"].pk)
    assert hearing.status == "missed"
    held_at = dt.datetime(2026, 5, 6, 11, 0, tzinfo=LIMA)
    with time_machine.travel(held_at, tick=False):
        hearing = clock_meet(subject=case, kind="hearing_by", at=held_at, event=_event(case))
    assert hearing.status == "missed"
    assert hearing.completed_at == held_at
    assert hearing.missed_at == hearing.due_at
    assert hearing.days_overdue == 6


@pytest.mark.parametrize(
    ("at", "message"),
    [
        (dt.datetime(2026, 3, 1, 9, 0, tzinfo=LIMA), "cannot precede"),
        (dt.datetime(2026, 4, 20, 9, 0, tzinfo=LIMA), "future"),
        (dt.datetime(2026, 4, 1, 9, 0), "time zone"),  # noqa: DTZ001
    ],
)
def test_clock_meet_refuses(filed_case, at, message):
    case, _ = filed_case
    with time_machine.travel(dt.datetime(2026, 4, 10, 9, 0, tzinfo=LIMA), tick=False):
        with pytest.raises(ValidationError, match=message):
            clock_meet(subject=case, kind="hearing_by", at=at, event=_event(case))


def test_clock_meet_needs_a_recorded_event_and_an_existing_clock(filed_case):
    case, _ = filed_case
    at = dt.datetime(2026, 4, 1, 9, 0, tzinfo=LIMA)
    with time_machine.travel(at + dt.timedelta(hours=1), tick=False):
        with pytest.raises(ValidationError, match="case event"):
            clock_meet(subject=case, kind="hearing_by", at=at, event=None)
        with pytest.raises(ValidationError, match="no such clock"):
            clock_meet(
                subject=case, kind="remedial_order_due", at=at, event=_event(case, "decided")
            )


def test_explanation_in_both_languages(filed_case):
    hearing = filed_case[1]["decision_by"]
    with translation.override("en"):
        english = hearing.explain()
    with translation.override("es"):
        spanish = hearing.explain()
    assert "day 90 is Sunday 31 May 2026" in english
    assert "Friday 29 May 2026" in english
    assert "domingo 31 de mayo de 2026" in spanish
    assert "viernes 29 de mayo de 2026" in spanish


@override_settings(TIME_ZONE="America/New_York", COMMISSION_HOLIDAY_COUNTRY="US")
def test_clock_keeps_the_time_zone_it_was_computed_in():
    filed = dt.datetime(2026, 1, 15, 10, 0, tzinfo=ZoneInfo("America/New_York"))
    with time_machine.travel(filed + dt.timedelta(minutes=1), tick=False):
        _, clocks = case_with_clocks(trigger_at=filed)
    hearing = clocks["hearing_by"]
    hearing.refresh_from_db()
    assert hearing.time_zone == "America/New_York"
    assert hearing.last_day == dt.date(2026, 3, 16)
    assert hearing.due_at == dt.datetime(2026, 3, 17, 3, 59, 59, 999999, tzinfo=dt.UTC)


# --- Reading clocks -----------------------------------------------------------------------


def test_clocks_for_subjects_is_one_query(django_assert_num_queries):
    with time_machine.travel(FILED + dt.timedelta(minutes=1), tick=False):
        cases = [case_with_clocks(trigger_at=FILED)[0] for _ in range(5)]
    bare = OrganizationFactory()
    with django_assert_num_queries(1):
        result = clocks_for_subjects(subjects=[*cases, bare])
    assert set(result) == {c.pk for c in cases} | {bare.pk}
    assert all(len(result[c.pk]) == 2 for c in cases)
    assert result[bare.pk] == []
    assert [c.kind for c in result[cases[0].pk]] == ["hearing_by", "decision_by"]


def _met(case, kind, at):
    with time_machine.travel(at, tick=False):
        return clock_meet(subject=case, kind=kind, at=at, event=_event(case))


def test_timeliness_statistics_per_month_and_kind():
    with time_machine.travel(FILED + dt.timedelta(minutes=1), tick=False):
        a = case_with_clocks(trigger_at=FILED)[0]
        b = case_with_clocks(trigger_at=FILED)[0]
        c = case_with_clocks(trigger_at=FILED)[0]
    _met(a, "hearing_by", dt.datetime(2026, 4, 1, 10, 0, tzinfo=LIMA))  # 30 days used
    _met(b, "hearing_by", dt.datetime(2026, 4, 21, 10, 0, tzinfo=LIMA))  # 50 days used
    _met(c, "hearing_by", dt.datetime(2026, 5, 8, 10, 0, tzinfo=LIMA))  # missed: 67 days
    _met(a, "decision_by", dt.datetime(2026, 5, 20, 10, 0, tzinfo=LIMA))  # 79 days
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, 0, tzinfo=LIMA), tick=False):
        services.clock_sweep()  # b and c missed their decision (due 29 May)
        rows = {(r.month, r.kind): r for r in timeliness_statistics()}
    hearing = rows[("2026-04", "hearing_by")]
    assert (hearing.met, hearing.missed) == (2, 1)
    assert hearing.median_days_used == 50.0
    assert hearing.worst_days_used == 67
    decision = rows[("2026-05", "decision_by")]
    assert (decision.met, decision.missed) == (1, 2)
    assert decision.worst_days_used == 91  # still not done on 1 June, day 91
    assert decision.median_days_used == 91.0


def test_timeliness_page_and_json_endpoint_are_public(client, django_assert_max_num_queries):
    with time_machine.travel(FILED + dt.timedelta(minutes=1), tick=False):
        case = case_with_clocks(trigger_at=FILED)[0]
    _met(case, "hearing_by", dt.datetime(2026, 4, 10, 10, 0, tzinfo=LIMA))
    with time_machine.travel(dt.datetime(2026, 6, 2, 12, 0, tzinfo=LIMA), tick=False):
        services.clock_sweep()
        with django_assert_max_num_queries(4):
            page = client.get("/timeliness/")
        data = client.get("/api/v1/timeliness/").json()["results"]
        spanish = client.get("/timeliness/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    body = page.content.decode()
    assert page.status_code == 200
    assert f"CASE-{case.pk}" in body  # the missed decision is published
    assert "Final decision issued by" in body
    assert {(r["month"], r["kind"], r["met"], r["missed"]) for r in data} == {
        ("2026-04", "hearing_by", 1, 0),
        ("2026-05", "decision_by", 0, 1),
    }
    assert "Plazos incumplidos" in spanish
    assert client.get("/api/v1/timeliness/", {"kind": "nonsense"}).status_code == 400


def test_clock_api_lists_in_constant_queries(client, django_assert_max_num_queries):
    with time_machine.travel(FILED + dt.timedelta(minutes=1), tick=False):
        case_with_clocks(trigger_at=FILED)
        with django_assert_max_num_queries(2):
            first = client.get("/api/v1/clocks/")
        for _ in range(10):
            case_with_clocks(trigger_at=FILED)
        with django_assert_max_num_queries(2):
            second = client.get("/api/v1/clocks/")
    assert len(first.json()["results"]) == 2
    assert len(second.json()["results"]) == 22
