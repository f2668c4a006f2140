"""Window clocks (written arguments after a hearing, public notice periods): the parties may act
until the due instant. A window is never met or missed: the sweep closes it, once, publicly,
and sends no notice about it; the timeliness statistics leave it out."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import translation

from commission import roles
from commission.models import CaseEvent, Clock, ClockNotice, Notification
from commission.selectors import timeliness_statistics
from commission.services import (
    case_event_record,
    clock_meet,
    clock_plan,
    clock_start,
    clock_sweep,
)
from tests.factories.commission import (
    CaseProtocol,
    CommissionMemberFactory,
    PersonFactory,
    UserFactory,
    case_with_clocks,
)

LIMA = ZoneInfo("America/Lima")
FILED = dt.datetime(2026, 3, 2, 14, 10, tzinfo=LIMA)
# A 30-day window from FILED: day 30 = Wednesday 1 April 2026.
WINDOW_LAST_DAY = dt.date(2026, 4, 1)
WINDOW_DUE = dt.datetime(2026, 4, 1, 23, 59, 59, 999999, tzinfo=LIMA)


def lima(*args):
    return dt.datetime(*args, tzinfo=LIMA)


@pytest.fixture
def protocol(monkeypatch):
    return CaseProtocol.install(monkeypatch)


@pytest.fixture
def people(db):
    staff = UserFactory(username="intake", email="intake@commission.example")
    staff.groups.add(Group.objects.get_or_create(name=roles.STAFF)[0])
    chair = UserFactory(username="chairperson", email="chair@commission.example")
    CommissionMemberFactory(person=PersonFactory(user=chair), is_chair=True)
    panel = UserFactory(username="panelist", email="panel@commission.example")
    party = UserFactory(username="union-delegate", email="union@example.org")
    return {"staff": staff, "chair": chair, "panel": panel, "party": party}


def _window_start(case, kind=Clock.Kind.PUBLIC_NOTICE, days=30):
    with time_machine.travel(FILED + dt.timedelta(hours=1), tick=False), transaction.atomic():
        return clock_start(
            subject=case,
            kind=kind,
            trigger_at=FILED,
            days=days,
            legal_basis="The parties may comment until the period ends.",
            trigger_event="notice_published",
        )


@pytest.fixture
def case(protocol, people):
    with time_machine.travel(FILED + dt.timedelta(minutes=1), tick=False):
        subject, _clocks = case_with_clocks(trigger_at=FILED)
    protocol.recipients[subject.pk] = {
        "staff": [people["staff"]],
        "panel": [people["panel"]],
        "chair": [people["chair"]],
        "parties": [people["party"]],
    }
    return subject


@pytest.fixture
def window(case):
    return _window_start(case)


def sweep(when, **kwargs):
    with time_machine.travel(when, tick=False):
        return clock_sweep(**kwargs)


def window_events(case, verb):
    return CaseEvent.objects.for_subject(case).filter(verb=verb, data__kind="public_notice")


@pytest.mark.django_db
def test_window_kinds_are_the_written_arguments_and_public_notice_clocks(case, window):
    assert Clock.WINDOW_KINDS == {"written_arguments_close", "public_notice"}
    assert window.is_window
    hearing = Clock.objects.get(subject_id=str(case.pk), kind="hearing_by")
    assert not hearing.is_window
    # Its one action is closing; it has no reminder, risk check, miss or escalation.
    assert window.next_action_at == WINDOW_DUE
    assert clock_plan(window) == []
    assert window.last_day == WINDOW_LAST_DAY


@pytest.mark.django_db
def test_a_window_closes_at_its_due_instant_and_is_not_missed(case, window):
    # Every day of the window, including the reminder days of an obligation: nothing.
    for day in range(1, 31):  # up to Wednesday 1 April, 12:00
        report = sweep(lima(2026, 3, 2, 12, 0) + dt.timedelta(days=day))
        assert report.windows_closed == 0
    sweep(WINDOW_DUE)  # the last instant of the window: still open
    window.refresh_from_db()
    assert window.status == Clock.Status.PENDING
    assert not ClockNotice.objects.filter(clock=window).exists()

    report = sweep(WINDOW_DUE + dt.timedelta(seconds=30))
    assert report.windows_closed == 1
    assert report.misses == 0
    window.refresh_from_db()
    assert window.status == Clock.Status.CLOSED
    assert window.closed_at == WINDOW_DUE
    assert window.missed_at is None
    assert window.miss_recorded_at is None
    assert window.days_overdue is None
    assert window.next_action_at is None
    closed = list(window_events(case, "clock_window_closed"))
    assert len(closed) == 1
    assert closed[0].occurred_at == WINDOW_DUE
    assert closed[0].is_public
    assert (closed[0].from_status, closed[0].to_status) == ("pending", "closed")
    assert not window_events(case, "clock_missed").exists()


@pytest.mark.django_db
def test_a_window_sends_no_notice_at_all(case, window, people):
    for when in (lima(2026, 3, 3, 0, 1), lima(2026, 4, 1, 0, 1), WINDOW_DUE, lima(2026, 4, 2, 1)):
        sweep(when)
    sweep(lima(2026, 4, 10, 12, 0))  # days after: no daily escalation either
    assert not ClockNotice.objects.filter(clock=window).exists()
    assert not Notification.objects.filter(notice__clock=window).exists()
    assert not [m for m in mail.outbox if "Public notice" in m.subject]
    assert not Notification.objects.filter(recipient=people["party"]).exists()


@pytest.mark.django_db
def test_sweeping_twice_closes_a_window_once(case, window):
    after = WINDOW_DUE + dt.timedelta(minutes=1)
    first, second = sweep(after), sweep(after)
    third = sweep(after + dt.timedelta(days=3))
    assert (first.windows_closed, second.windows_closed, third.windows_closed) == (1, 0, 0)
    assert window_events(case, "clock_window_closed").count() == 1


@pytest.mark.django_db
def test_after_an_outage_a_window_closes_dated_at_its_due_instant(case, window):
    report = sweep(lima(2026, 4, 20, 9, 0))  # nineteen days late
    assert report.windows_closed == 1
    window.refresh_from_db()
    assert window.closed_at == WINDOW_DUE
    assert window_events(case, "clock_window_closed").get().occurred_at == WINDOW_DUE
    assert not ClockNotice.objects.filter(clock=window).exists()


@pytest.mark.django_db
def test_a_window_closes_in_the_same_batch_as_obligations(case, window):
    """A batch with obligations and windows: the hearing clock is missed and told, the
    window is closed and told to nobody."""
    report = sweep(lima(2026, 5, 1, 0, 1), batch_size=2)
    assert report.windows_closed == 1
    assert report.misses == 1
    assert Clock.objects.get(pk=window.pk).status == Clock.Status.CLOSED
    hearing = Clock.objects.get(subject_id=str(case.pk), kind="hearing_by")
    assert hearing.status == Clock.Status.MISSED
    assert ClockNotice.objects.filter(clock=hearing, kind="missed").exists()
    assert not ClockNotice.objects.filter(clock=window).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(Clock.WINDOW_KINDS))
@pytest.mark.parametrize("when", [lima(2026, 3, 20, 10), lima(2026, 4, 5, 10)])
def test_clock_meet_is_refused_for_a_window(case, kind, when):
    window = _window_start(case, kind=kind)
    with time_machine.travel(when, tick=False):
        event = case_event_record(subject=case, verb="hearing_held")
        with pytest.raises(ValidationError, match="is a window, not a step"):
            clock_meet(subject=case, kind=kind, at=when, event=event)
    window.refresh_from_db()
    assert window.status == Clock.Status.PENDING
    assert window.met_at is None
    assert window.missed_at is None
    assert not CaseEvent.objects.for_subject(case).filter(verb__startswith="clock_met").exists()


@pytest.mark.django_db
def test_clock_meet_refusal_is_translated(case, window):
    when = lima(2026, 3, 20, 10)
    with time_machine.travel(when, tick=False), translation.override("es"):
        event = case_event_record(subject=case, verb="hearing_held")
        with pytest.raises(ValidationError, match="es un plazo abierto a las partes"):
            clock_meet(subject=case, kind="public_notice", at=when, event=event)


@pytest.mark.django_db
def test_timeliness_statistics_leave_windows_out(case, window):
    written = _window_start(case, kind=Clock.Kind.WRITTEN_ARGUMENTS_CLOSE, days=20)
    when = lima(2026, 3, 30, 10)
    with time_machine.travel(when, tick=False):
        clock_meet(
            subject=case,
            kind="hearing_by",
            at=when,
            event=case_event_record(subject=case, verb="hearing_held"),
        )
    sweep(lima(2026, 4, 5, 12))
    assert Clock.objects.get(pk=window.pk).status == Clock.Status.CLOSED
    assert Clock.objects.get(pk=written.pk).status == Clock.Status.CLOSED
    with time_machine.travel(lima(2026, 4, 5, 12), tick=False):
        rows = timeliness_statistics()
        assert {(r.month, r.kind, r.met, r.missed) for r in rows} == {
            ("2026-04", "hearing_by", 1, 0)
        }
        assert timeliness_statistics(kind="public_notice") == []
        assert timeliness_statistics(kind="written_arguments_close") == []


@pytest.mark.django_db
def test_the_timeliness_page_says_windows_are_not_counted(client, case, window):
    sweep(lima(2026, 4, 5, 12))
    body = client.get("/timeliness/").content.decode()
    assert "not deadlines of the commission" in body
    assert "Public notice period ends" not in body
    # (A request in Spanish leaves Spanish active in the thread: restore the language after.)
    with translation.override(translation.get_language()):
        spanish = client.get("/timeliness/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "no son plazos de la comisión" in spanish


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        {"status": "missed", "missed_at": WINDOW_DUE},
        {"status": "met", "met_at": lima(2026, 3, 10, 10)},
        {"status": "closed", "closed_at": lima(2026, 3, 10, 10)},  # only at its due instant
    ],
)
def test_the_database_refuses_to_meet_or_miss_a_window(case, window, change):
    with pytest.raises(IntegrityError), transaction.atomic():
        Clock.objects.filter(pk=window.pk).update(**change)


@pytest.mark.django_db
def test_the_database_refuses_to_close_an_obligation(case):
    hearing = Clock.objects.get(subject_id=str(case.pk), kind="hearing_by")
    with pytest.raises(IntegrityError), transaction.atomic():
        Clock.objects.filter(pk=hearing.pk).update(status="closed", closed_at=hearing.due_at)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        {"due_at": lima(2026, 5, 30, 23, 59)},
        {"days": 60},
        {"last_day": dt.date(2026, 5, 1)},
        {"kind": "decision_by"},
    ],
)
def test_a_closed_window_is_still_never_moved(case, window, change):
    sweep(WINDOW_DUE + dt.timedelta(minutes=1))
    # Below the model's own refusals (commission.integrity): the database's.
    with pytest.raises(DatabaseError), transaction.atomic():
        Clock._base_manager.filter(pk=window.pk).update(**change)
    with pytest.raises(DatabaseError), transaction.atomic():
        Clock._base_manager.filter(pk=window.pk)._raw_delete(using="default")
    window.refresh_from_db()
    assert window.last_day == WINDOW_LAST_DAY
    assert window.status == Clock.Status.CLOSED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_close_each_window_once(monkeypatch):
    CaseProtocol.install(monkeypatch, with_recipients=False)
    cases = []
    with time_machine.travel(FILED + dt.timedelta(minutes=1), tick=False):
        for _ in range(20):
            cases.append(case_with_clocks(trigger_at=FILED)[0])
    for subject in cases:
        _window_start(subject)
    barrier = threading.Barrier(4)
    reports, errors = [], []

    def run():
        try:
            barrier.wait()
            reports.append(sweep(WINDOW_DUE + dt.timedelta(minutes=1), batch_size=3))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(r.windows_closed for r in reports) == 20
    assert Clock.objects.filter(status="closed", closed_at=WINDOW_DUE).count() == 20
    assert CaseEvent.objects.filter(verb="clock_window_closed").count() == 20
    assert not ClockNotice.objects.filter(clock__kind="public_notice").exists()
