"""The sweep: reminders, escalations and misses, each exactly once, also after an outage and
when two sweeps run at the same time."""

import datetime as dt
import threading
from collections import Counter
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from commission import roles
from commission.models import CaseEvent, Clock, ClockNotice, Notification
from commission.selectors import clock_notices, notifications_for_user
from commission.services import (
    case_event_record,
    clock_meet,
    clock_sweep,
    notification_email_send,
    notification_mark_read,
)
from commission.tasks import clock_sweep as clock_sweep_task
from tests.factories.commission import (
    CaseProtocol,
    CommissionMemberFactory,
    PersonFactory,
    UserFactory,
    case_with_clocks,
)

LIMA = ZoneInfo("America/Lima")
FILED = dt.datetime(2026, 3, 2, 14, 10, tzinfo=LIMA)
# Hearing: last day Thursday 30 April 2026 (day 60 = 1 May, Labor Day).
# Decision: last day Friday 29 May 2026 (day 90 = Sunday 31 May).
HEARING_DUE = dt.datetime(2026, 4, 30, 23, 59, 59, 999999, tzinfo=LIMA)
DECISION_DUE = dt.datetime(2026, 5, 29, 23, 59, 59, 999999, tzinfo=LIMA)


def lima(*args):
    return dt.datetime(*args, tzinfo=LIMA)


def midnight(month, day):
    return lima(2026, month, day)


@pytest.fixture
def protocol(monkeypatch):
    return CaseProtocol.install(monkeypatch)


@pytest.fixture
def eager_celery():
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = previous


@pytest.fixture
def people(db):
    staff = UserFactory(username="intake", email="intake@commission.example")
    staff.groups.add(Group.objects.get_or_create(name=roles.STAFF)[0])
    chair_user = UserFactory(username="chairperson", email="chair@commission.example")
    CommissionMemberFactory(person=PersonFactory(user=chair_user), is_chair=True)
    panel = UserFactory(username="panelist", email="panel@commission.example")
    party = UserFactory(username="union-delegate", email="")
    return {"staff": staff, "chair": chair_user, "panel": panel, "party": party}


@pytest.fixture
def case(protocol, people):
    with time_machine.travel(FILED + dt.timedelta(minutes=1), tick=False):
        subject, clocks = case_with_clocks(trigger_at=FILED)
    protocol.recipients[subject.pk] = {
        "staff": [people["staff"]],
        "panel": [people["panel"]],
        "chair": [people["chair"]],
        "parties": [people["party"]],
    }
    return subject, clocks


@pytest.fixture
def sweep_at(django_capture_on_commit_callbacks, eager_celery):
    def run(when):
        with time_machine.travel(when, tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                return clock_sweep()

    return run


def notices(clock):
    return [(n.kind, n.offset, n.outcome, n.is_late) for n in clock_notices(clock=clock)]


# --- What is sent, and when ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_clock_left_alone_sends_every_notice_once_and_on_time(case, sweep_at):
    _subject, clocks = case
    hearing = clocks["hearing_by"]
    # The sweep runs a minute after every local midnight and a minute after every deadline.
    day = midnight(3, 3)
    while day < midnight(5, 5):
        sweep_at(day + dt.timedelta(minutes=1))
        sweep_at(day + dt.timedelta(hours=23, minutes=59, seconds=59, microseconds=999999))
        sweep_at(day + dt.timedelta(days=1, seconds=30))
        day += dt.timedelta(days=1)
    assert notices(hearing) == [
        ("reminder", 30, "sent", False),
        ("reminder", 14, "sent", False),
        ("at_risk", 45, "sent", False),
        ("reminder", 7, "sent", False),
        ("reminder", 2, "sent", False),
        ("reminder", 1, "sent", False),
        ("reminder", 0, "sent", False),
        ("missed", 0, "sent", False),
        ("overdue", 1, "sent", False),
        ("overdue", 2, "sent", False),
        ("overdue", 3, "sent", False),
        ("overdue", 4, "sent", False),
    ]
    scheduled = {(n.kind, n.offset): n.scheduled_at for n in clock_notices(clock=hearing)}
    assert scheduled[("reminder", 30)] == midnight(3, 31)
    assert scheduled[("reminder", 0)] == midnight(4, 30)
    assert scheduled[("at_risk", 45)] == lima(2026, 4, 16, 23, 59, 59, 999999)  # end of day 45
    assert scheduled[("missed", 0)] == HEARING_DUE
    assert scheduled[("overdue", 1)] == midnight(5, 2)
    hearing.refresh_from_db()
    assert hearing.status == "missed"
    assert hearing.missed_at == HEARING_DUE
    assert hearing.days_overdue == 5  # the last sweep ran on 5 May, five days past 30 April


@pytest.mark.django_db
def test_recipients_by_notice_kind(case, people, sweep_at):
    _subject, _clocks = case
    sweep_at(midnight(3, 31) + dt.timedelta(minutes=1))  # 30-day reminder of the hearing
    reminder = Notification.objects.filter(notice__kind="reminder")
    assert {n.recipient for n in reminder} == {people["staff"], people["panel"]}
    assert {n.audience for n in reminder} == {"staff", "panel"}
    sweep_at(lima(2026, 4, 17, 0, 0, 30))  # day 45 ended with no hearing scheduled
    risk = Notification.objects.filter(notice__kind="at_risk")
    assert {n.recipient for n in risk} == {people["chair"], people["staff"]}
    sweep_at(lima(2026, 5, 1, 0, 0, 30))
    missed = Notification.objects.filter(notice__kind="missed")
    assert {n.recipient for n in missed} == set(people.values())
    assert missed.get(recipient=people["party"]).email_status == "none"  # in-app only


@pytest.mark.django_db
def test_no_escalation_when_the_milestone_was_reached(case, protocol, sweep_at):
    subject, clocks = case
    protocol.milestones[subject.pk] = {"hearing_scheduled"}
    sweep_at(lima(2026, 4, 17, 0, 0, 30))
    risk = ClockNotice.objects.get(clock=clocks["hearing_by"], kind="at_risk")
    assert risk.outcome == "not_needed"
    assert not risk.notifications.exists()
    sweep_at(lima(2026, 4, 17, 0, 5))
    assert ClockNotice.objects.filter(kind="at_risk").count() == 1


@pytest.mark.django_db
def test_fallback_recipients_are_the_staff_group_and_the_sitting_chair(
    monkeypatch, people, sweep_at
):
    CaseProtocol.install(monkeypatch, with_recipients=False)
    with time_machine.travel(FILED + dt.timedelta(minutes=1), tick=False):
        case_with_clocks(trigger_at=FILED)
    sweep_at(lima(2026, 5, 1, 0, 0, 30))
    missed = Notification.objects.filter(notice__kind="missed")
    assert {n.recipient for n in missed} == {people["staff"], people["chair"]}


@pytest.mark.django_db
def test_a_subject_that_names_no_chair_still_escalates_to_the_sitting_chair(
    case, protocol, people, sweep_at
):
    subject, _ = case
    protocol.recipients[subject.pk] = {"staff": [], "chair": [], "panel": [], "parties": []}
    sweep_at(lima(2026, 4, 17, 0, 0, 30))
    risk = Notification.objects.filter(notice__kind="at_risk")
    assert {n.recipient for n in risk} == {people["chair"], people["staff"]}
    assert "no hearing scheduled by the end of day 45" in risk.first().subject_line


@pytest.mark.django_db
def test_a_failing_subject_protocol_does_not_silence_the_sweep(monkeypatch, case, people, sweep_at):
    from commission.models import Organization

    def broken(org, *args):
        raise RuntimeError("bug in another app")

    monkeypatch.setattr(Organization, "clock_recipients", broken, raising=False)
    monkeypatch.setattr(Organization, "clock_milestone_reached", broken, raising=False)
    with time_machine.travel(FILED + dt.timedelta(minutes=1), tick=False):
        case_with_clocks(trigger_at=FILED)
    report = sweep_at(lima(2026, 4, 17, 0, 0, 30))
    assert report.misses == 0
    assert report.notices == 2 * 3
    risk = Notification.objects.filter(notice__kind="at_risk")
    assert {n.recipient for n in risk} == {people["chair"], people["staff"]}


@pytest.mark.django_db
def test_the_management_command_runs_one_sweep(case, eager_celery):
    out = StringIO()
    with time_machine.travel(lima(2026, 5, 1, 0, 1), tick=False):
        call_command("clock_sweep", stdout=out)
        call_command("clock_sweep", stdout=out)
    first, second = out.getvalue().splitlines()
    assert "misses 1" in first
    assert "notices 0" in second


@pytest.mark.django_db
def test_a_miss_is_recorded_on_its_date_told_to_the_parties_and_public(case, people, sweep_at):
    subject, clocks = case
    sweep_at(lima(2026, 5, 1, 0, 0, 30))
    hearing = Clock.objects.get(pk=clocks["hearing_by"].pk)
    assert hearing.status == "missed"
    assert hearing.missed_at == HEARING_DUE
    assert hearing.miss_recorded_at == lima(2026, 5, 1, 0, 0, 30)
    event = CaseEvent.objects.for_subject(subject).get(verb="clock_missed")
    assert event.is_public
    assert event.occurred_at == HEARING_DUE
    assert event.docket_number == f"CASE-{subject.pk}"
    party_note = Notification.objects.get(recipient=people["party"], notice__kind="missed")
    assert "MISSED" in party_note.subject_line
    assert "public docket" in party_note.body
    assert "Plazo INCUMPLIDO" in party_note.localized("es")[0]
    assert "Fundamento legal: La Comisión celebrará una audiencia" in party_note.localized("es")[1]
    assert "Legal basis: The commission shall hold a hearing" in party_note.body


@pytest.mark.django_db
def test_daily_escalation_repeats_until_the_step_happens(case, people, sweep_at):
    subject, clocks = case
    for day in range(1, 5):
        sweep_at(midnight(5, day) + dt.timedelta(minutes=1))
    hearing = Clock.objects.get(pk=clocks["hearing_by"].pk)
    assert [n.offset for n in hearing.notices.filter(kind="overdue")] == [1, 2, 3]
    to_chair = Notification.objects.filter(recipient=people["chair"], notice__kind="overdue")
    assert to_chair.count() == 3
    held = lima(2026, 5, 4, 15, 0)
    with time_machine.travel(held, tick=False):
        clock_meet(
            subject=subject,
            kind="hearing_by",
            at=held,
            event=case_event_record(subject=subject, verb="hearing_held"),
        )
    for day in range(5, 9):
        sweep_at(midnight(5, day) + dt.timedelta(minutes=1))
    hearing.refresh_from_db()
    assert hearing.notices.filter(kind="overdue").count() == 3  # stopped
    assert hearing.status == "missed"
    assert hearing.completed_at == held
    assert hearing.days_overdue == 4
    assert hearing.next_action_at is None


@pytest.mark.django_db
def test_a_met_clock_sends_nothing_more(case, sweep_at):
    subject, clocks = case
    held = lima(2026, 4, 2, 10, 0)
    with time_machine.travel(held, tick=False):
        clock_meet(
            subject=subject,
            kind="hearing_by",
            at=held,
            event=case_event_record(subject=subject, verb="hearing_held"),
        )
    sweep_at(lima(2026, 5, 10, 0, 1))
    hearing = Clock.objects.get(pk=clocks["hearing_by"].pk)
    assert (hearing.status, hearing.next_action_at) == ("met", None)
    assert notices(hearing) == []


# --- Email and in-app notifications -------------------------------------------------------


@pytest.mark.django_db
def test_emails_go_out_once_per_notification(case, people, sweep_at):
    sweep_at(midnight(3, 31) + dt.timedelta(minutes=1))
    assert sorted(m.to[0] for m in mail.outbox) == [
        "intake@commission.example",
        "panel@commission.example",
    ]
    message = mail.outbox[0]
    assert message.subject.startswith(f"[CASE-{case[0].pk}] Hearing held by: 30 days left")
    assert "How the date was computed" in message.body
    assert "— ES —" in message.body  # the Spanish version follows
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"sent"}
    for notification in Notification.objects.all():
        assert notification_email_send(notification_id=notification.pk) is False
    sweep_at(midnight(3, 31) + dt.timedelta(minutes=2))
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_in_app_notifications_are_read_through_the_selector(case, people, sweep_at):
    sweep_at(midnight(3, 31) + dt.timedelta(minutes=1))
    inbox = list(notifications_for_user(user=people["staff"], unread_only=True))
    assert len(inbox) == 1
    notification_mark_read(notification=inbox[0], user=people["staff"])
    assert not notifications_for_user(user=people["staff"], unread_only=True).exists()
    assert notifications_for_user(user=people["staff"]).count() == 1


@pytest.mark.django_db
def test_admin_lists_notifications_read_only(client, case, people, sweep_at):
    sweep_at(midnight(3, 31) + dt.timedelta(minutes=1))
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert "30 days left" in client.get("/admin/commission/notification/").content.decode()
    assert client.get("/admin/commission/notification/add/").status_code == 403


# --- Exactly once -------------------------------------------------------------------------


@pytest.mark.django_db
def test_running_the_sweep_twice_sends_nothing_twice(case, sweep_at):
    first = sweep_at(lima(2026, 5, 1, 0, 0, 30))
    second = sweep_at(lima(2026, 5, 1, 0, 0, 30))
    third = sweep_at(lima(2026, 5, 1, 0, 0, 45))
    assert first.notices > 0
    assert first.misses == 1
    assert (second.notices, second.misses, second.notifications) == (0, 0, 0)
    assert (third.notices, third.misses) == (0, 0)
    keys = Counter(ClockNotice.objects.values_list("clock_id", "kind", "offset"))
    assert max(keys.values()) == 1
    emails = Counter((m.to[0], m.subject) for m in mail.outbox)
    assert max(emails.values()) == 1


@pytest.mark.django_db
def test_after_a_72_hour_outage_everything_due_is_caught_up_once(case, people, sweep_at):
    _subject, clocks = case
    hearing, decision = clocks["hearing_by"], clocks["decision_by"]
    # Normal operation until noon on 28 April...
    sweep_at(lima(2026, 4, 28, 12, 0))
    before = set(ClockNotice.objects.values_list("pk", flat=True))
    mail.outbox.clear()
    # ...then neither beat nor the worker runs for 72 hours. During the outage: the hearing's
    # 1-day and same-day reminders, its deadline (end of 30 April), the decision's 30-day
    # reminder (start of 29 April).
    report = sweep_at(lima(2026, 5, 1, 12, 0))
    new = ClockNotice.objects.exclude(pk__in=before)
    assert sorted((n.clock.kind, n.kind, n.offset, n.outcome, n.is_late) for n in new) == [
        ("decision_by", "reminder", 30, "sent", True),
        ("hearing_by", "missed", 0, "sent", True),
        # Reminders of a deadline that passed during the outage are claimed, once, and not
        # sent: the miss notice tells the current state.
        ("hearing_by", "reminder", 0, "superseded", True),
        ("hearing_by", "reminder", 1, "superseded", True),
    ]
    assert report.misses == 1
    hearing.refresh_from_db()
    assert hearing.missed_at == HEARING_DUE  # dated when it happened, not when swept
    assert hearing.miss_recorded_at == lima(2026, 5, 1, 12, 0)
    assert CaseEvent.objects.get(verb="clock_missed").occurred_at == HEARING_DUE
    late_reminder = Notification.objects.filter(notice__kind="reminder").first()
    assert "This notice is late" in late_reminder.body
    # Sent on 1 May, the decision's reminder says what is left then (to 29 May), not "30".
    assert "28 days left" in late_reminder.subject_line
    assert not Notification.objects.filter(subject_line__contains="due today").exists()
    sent_once = Counter((m.to[0], m.subject) for m in mail.outbox)
    assert sent_once
    assert max(sent_once.values()) == 1
    # Running again changes nothing; the daily escalation resumes on time.
    assert sweep_at(lima(2026, 5, 1, 12, 1)).notices == 0
    sweep_at(lima(2026, 5, 2, 0, 1))
    overdue = ClockNotice.objects.get(clock=hearing, kind="overdue")
    assert (overdue.offset, overdue.is_late) == (1, False)
    assert decision.notices.count() == 1


@pytest.mark.django_db
def test_an_outage_across_several_daily_escalations_sends_todays_once(case, people, sweep_at):
    """After an outage the chair hears once how many days the step is overdue, and daily
    from then on; the escalations of the days gone by are not sent one by one."""
    _subject, clocks = case
    sweep_at(lima(2026, 5, 1, 0, 1))  # miss recorded on time
    sweep_at(lima(2026, 5, 2, 0, 1))  # overdue day 1
    report = sweep_at(lima(2026, 5, 5, 0, 1))  # 72 hours later: days 2, 3, 4 fell due
    overdue = list(
        ClockNotice.objects.filter(clock=clocks["hearing_by"], kind="overdue").order_by("offset")
    )
    assert [(n.offset, n.outcome, n.is_late) for n in overdue] == [
        (1, "sent", False),
        (4, "sent", False),
    ]
    assert report.notices == 1
    chair_mail = [m for m in mail.outbox if m.to == ["chair@commission.example"]]
    assert "STILL OVERDUE" in chair_mail[-1].subject
    assert "4 days past the deadline" in chair_mail[-1].subject
    assert len([m for m in chair_mail if "STILL OVERDUE" in m.subject]) == 2  # days 1 and 4
    clock = Clock.objects.get(pk=clocks["hearing_by"].pk)
    assert clock.days_overdue == 5
    assert clock.next_action_at == midnight(5, 6)
    sweep_at(lima(2026, 5, 6, 0, 1))
    assert [n.offset for n in clock.notices.filter(kind="overdue").order_by("offset")] == [1, 4, 5]


@pytest.mark.django_db
def test_a_clock_missed_ten_years_ago_costs_one_miss_and_one_escalation(protocol, people, sweep_at):
    """A case received ten years ago and entered now: one miss, dated when it happened, and
    one escalation for today — not one for each of the 3,600-odd days since."""
    now = lima(2036, 5, 22, 10, 0)
    with time_machine.travel(now, tick=False):
        _subject, clocks = case_with_clocks(trigger_at=FILED)
    report = sweep_at(now + dt.timedelta(seconds=5))
    assert report.misses == 2  # the hearing and the decision
    hearing = Clock.objects.get(pk=clocks["hearing_by"].pk)
    assert hearing.missed_at == HEARING_DUE
    assert CaseEvent.objects.filter(verb="clock_missed").count() == 2
    overdue = hearing.notices.filter(kind="overdue")
    days = (dt.date(2036, 5, 22) - dt.date(2026, 4, 30)).days
    assert [n.offset for n in overdue] == [days - 1]
    assert hearing.days_overdue == days
    assert report.by_kind["overdue"] == 2
    assert report.notices < 25
    assert hearing.next_action_at == midnight(5, 23).replace(year=2036)
    assert sweep_at(now + dt.timedelta(seconds=10)).notices == 0
    nxt = sweep_at(lima(2036, 5, 23, 0, 1))
    assert nxt.notices == 2  # the next day's escalation of each clock


@pytest.mark.django_db
def test_backdated_filing_catches_up_in_one_sweep(protocol, people, sweep_at):
    # A case received 80 days ago and entered now: its clocks start from the receipt.
    now = lima(2026, 5, 22, 10, 0)
    with time_machine.travel(now, tick=False):
        _subject, clocks = case_with_clocks(trigger_at=FILED)
    report = sweep_at(now + dt.timedelta(seconds=5))
    assert report.misses == 1  # the hearing was due 30 April
    hearing = Clock.objects.get(pk=clocks["hearing_by"].pk)
    assert hearing.missed_at == HEARING_DUE
    assert hearing.days_overdue == 22
    decision = Clock.objects.get(pk=clocks["decision_by"].pk)
    assert decision.status == "pending"
    # The reminders that fell due before the filing was entered collapse into the latest,
    # which states the days left now (7, to 29 May).
    assert [(k, o, out) for k, o, out, _ in notices(decision)] == [
        ("reminder", 30, "superseded"),
        ("reminder", 14, "superseded"),
        ("at_risk", 80, "sent"),  # day 80 ended 21 May with no draft decision
        ("reminder", 7, "sent"),
    ]
    sent = Notification.objects.filter(notice__clock=decision, notice__kind="reminder")
    assert sent.exists()
    assert all("7 days left" in n.subject_line for n in sent)
    # The hearing's reminders give way to its miss notice.
    assert {out for k, _o, out, _ in notices(hearing) if k == "reminder"} == {"superseded"}
    assert sweep_at(now + dt.timedelta(seconds=10)).notices == 0


@pytest.mark.django_db
def test_the_sweep_uses_a_constant_number_of_queries(protocol, people):
    def file_cases(n):
        with time_machine.travel(FILED + dt.timedelta(minutes=1), tick=False):
            for _ in range(n):
                subject, _ = case_with_clocks(trigger_at=FILED)
                protocol.recipients[subject.pk] = {"staff": [people["staff"]]}

    def count_queries(when):
        with time_machine.travel(when, tick=False), CaptureQueriesContext(connection) as ctx:
            report = clock_sweep()  # emails are queued on commit, not sent here
        return report, len(ctx.captured_queries)

    file_cases(3)
    small, small_queries = count_queries(lima(2026, 3, 31, 0, 1))
    file_cases(30)
    large, large_queries = count_queries(lima(2026, 3, 31, 0, 2))
    assert (small.notices, large.notices) == (3, 30)
    assert large.notifications == 30
    assert small_queries == large_queries


@pytest.mark.django_db
def test_the_celery_task_runs_the_sweep(case, eager_celery, django_capture_on_commit_callbacks):
    with time_machine.travel(lima(2026, 5, 1, 0, 1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            result = clock_sweep_task.apply().get()
    assert result["misses"] == 1
    assert Clock.objects.get(pk=case[1]["hearing_by"].pk).status == "missed"


@override_settings(CLOCK_REMINDER_OFFSETS_DAYS=[3])
@pytest.mark.django_db
def test_reminder_offsets_are_configurable(case, sweep_at):
    sweep_at(lima(2026, 4, 27, 0, 1))
    assert notices(case[1]["hearing_by"]) == [
        ("at_risk", 45, "sent", True),
        ("reminder", 3, "sent", False),
    ]


# --- Two sweeps at the same time (PostgreSQL) ---------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_send_nothing_twice(monkeypatch, eager_celery):
    CaseProtocol.install(monkeypatch, with_recipients=False)
    staff = UserFactory(username="intake", email="intake@commission.example")
    staff.groups.add(Group.objects.get_or_create(name=roles.STAFF)[0])
    with time_machine.travel(FILED + dt.timedelta(minutes=1), tick=False):
        for _ in range(60):
            case_with_clocks(trigger_at=FILED)
    now = lima(2026, 5, 1, 0, 1)  # every hearing missed, decisions' 30-day reminders due
    barrier = threading.Barrier(4)
    reports, errors = [], []

    def sweep():
        try:
            barrier.wait()
            with time_machine.travel(now, tick=False):
                reports.append(clock_sweep(batch_size=7))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    keys = Counter(ClockNotice.objects.values_list("clock_id", "kind", "offset"))
    assert max(keys.values()) == 1
    # Each hearing: 6 reminders and the day-45 check (all sent late) and the miss;
    # each decision: its 30-day reminder (29 April).
    assert sum(r.notices for r in reports) == len(keys) == 60 * 8 + 60 * 1
    assert sum(r.misses for r in reports) == Clock.objects.filter(status="missed").count() == 60
    pairs = Counter(Notification.objects.values_list("notice_id", "recipient_id"))
    assert max(pairs.values()) == 1
    assert len(mail.outbox) == Notification.objects.filter(email_status="sent").count()
    # The one staff member receives every notice sent, each exactly once: per case the
    # hearing's day-45 check and its miss (its reminders give way to the miss notice) and the
    # decision's reminder.
    assert Notification.objects.filter(email_status="sent").count() == 60 * 3
    assert ClockNotice.objects.filter(kind="reminder", outcome="superseded").count() == 60 * 6


# --- Notices that tell the truth after an outage ------------------------------------------


@pytest.mark.django_db
def test_reminders_due_together_collapse_into_one_notice_with_the_current_state(
    case, people, sweep_at
):
    """Beat and the worker never ran from the filing until 9 days before the hearing's last
    day: the 30- and 14-day reminders fell due meanwhile. One notice goes out, saying 9 days."""
    _subject, clocks = case
    hearing = clocks["hearing_by"]
    mail.outbox.clear()
    sweep_at(lima(2026, 4, 21, 9, 0))  # the hearing's last day is 30 April: 9 days left
    reminders = [
        (n.offset, n.outcome)
        for n in ClockNotice.objects.filter(clock=hearing, kind="reminder").order_by("-offset")
    ]
    assert reminders == [(30, "superseded"), (14, "sent")]
    sent = Notification.objects.filter(notice__clock=hearing, notice__kind="reminder")
    assert sent.exists()
    assert all("9 days left" in n.subject_line for n in sent)
    assert not any("30 days" in m.subject or "14 days" in m.subject for m in mail.outbox)
    # One email per recipient for that clock's reminders, however many fell due.
    per_recipient = Counter(
        m.to[0] for m in mail.outbox if "Hearing held by" in m.subject and "left" in m.subject
    )
    assert per_recipient
    assert max(per_recipient.values()) == 1
    # Nothing is sent twice: the next sweep claims nothing new until the 7-day reminder.
    assert sweep_at(lima(2026, 4, 21, 9, 1)).notices == 0


@pytest.mark.django_db
def test_after_a_20_day_outage_a_reminder_states_the_days_actually_left(case, people, sweep_at):
    """Normal operation until the 30-day reminder of the decision (29 April), then nothing
    runs for 20 days: the 14- and 7-day reminders fell due. The one reminder sent says how
    many days are left on the day it is sent; the hearing's miss is delivered once."""
    _subject, clocks = case
    decision, hearing = clocks["decision_by"], clocks["hearing_by"]
    sweep_at(lima(2026, 4, 29, 0, 1))
    assert decision.notices.filter(kind="reminder", offset=30, outcome="sent").exists()
    mail.outbox.clear()
    sweep_at(lima(2026, 5, 19, 0, 1))  # 20 days later; the decision's last day is 29 May
    decision_reminders = Notification.objects.filter(
        notice__clock=decision, notice__kind="reminder", created_at__gte=lima(2026, 5, 19)
    )
    assert decision_reminders.exists()
    assert {n.notice.offset for n in decision_reminders} == {14}
    assert all("10 days left" in n.subject_line for n in decision_reminders)
    assert all("This notice is late" in n.body for n in decision_reminders)
    # 29 May - 7 days = 22 May: that reminder is still ahead, and is not claimed.
    assert not ClockNotice.objects.filter(clock=decision, kind="reminder", offset=7).exists()
    # The hearing's miss (30 April) is delivered once, with no stale "due today" before it.
    assert ClockNotice.objects.filter(clock=hearing, kind="missed", outcome="sent").count() == 1
    assert not any("due today" in m.subject for m in mail.outbox)
    missed_mails = Counter(m.to[0] for m in mail.outbox if "MISSED" in m.subject)
    assert missed_mails
    assert max(missed_mails.values()) == 1
    assert sweep_at(lima(2026, 5, 19, 0, 2)).notices == 0
