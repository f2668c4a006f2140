"""The audit log is a hash chain: events written only by the services, with verbs from a
closed list, dated when written (but for earlier facts and legacy imports), and any change
underneath is named by `verify_audit`."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from commission import audit, roles
from commission.models import CaseEvent, Notification
from commission.services import case_event_record
from commission.tasks import audit_verify
from tests.factories.commission import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _events(n=3):
    org = OrganizationFactory()
    return [
        case_event_record(subject=org, verb="respondent_linked", data={"n": i}, is_public=True)
        for i in range(n)
    ]


def test_events_form_a_chain():
    first, second, third = _events()
    assert (first.sequence, second.sequence, third.sequence) == (1, 2, 3)
    assert first.previous_hash == audit.GENESIS
    assert second.previous_hash == first.content_hash
    assert third.previous_hash == second.content_hash
    assert len({first.content_hash, second.content_hash, third.content_hash}) == 3
    assert audit.chain_verify() is None
    for event in CaseEvent.objects.all():
        assert audit.content_hash(event) == event.content_hash


def test_a_forged_backdated_event_through_the_orm_is_refused():
    """Must hold: `CaseEvent.objects.create(verb="withdrawn", is_public=True,
    occurred_at=<past>)` no longer puts a forged entry on the public docket."""
    org = OrganizationFactory()
    with pytest.raises(ValidationError, match="services only"):
        CaseEvent.objects.create(
            subject_type=ContentType.objects.get_for_model(org),
            subject_id=str(org.pk),
            verb="withdrawn",
            is_public=True,
            occurred_at=timezone.now() - dt.timedelta(days=200),
            sequence=1,
            previous_hash=audit.GENESIS,
            content_hash="0" * 64,
        )
    with pytest.raises(ValidationError, match="one by one"):
        CaseEvent.objects.bulk_create([CaseEvent(subject_type_id=1, subject_id="1", verb="x")])
    assert not CaseEvent.objects.exists()


def test_the_service_refuses_unknown_verbs_and_backdating():
    org = OrganizationFactory()
    with pytest.raises(ValidationError, match="not an event the record knows"):
        case_event_record(subject=org, verb="withdrawn", is_public=True)
    with pytest.raises(ValidationError, match="dated when it is written"):
        case_event_record(
            subject=org,
            verb="withdrawal_requested",
            is_public=True,
            occurred_at=timezone.now() - dt.timedelta(days=200),
        )
    with pytest.raises(ValidationError, match="future"):
        case_event_record(
            subject=org, verb="withdrawal_requested", occurred_at=timezone.now() + dt.timedelta(1)
        )
    assert not CaseEvent.objects.exists()
    # Within the allowed skew, and for a fact dated at its earlier instant, it is accepted.
    within = timezone.now() - dt.timedelta(seconds=settings.AUDIT_CLOCK_SKEW_SECONDS - 30)
    case_event_record(subject=org, verb="withdrawal_requested", occurred_at=within)
    missed = case_event_record(
        subject=org, verb="clock_missed", occurred_at=timezone.now() - dt.timedelta(days=30)
    )
    assert missed.recorded_at > missed.occurred_at
    assert audit.chain_verify() is None


def test_the_legacy_import_mode_may_date_events_in_the_past():
    """The hook a later import builds on: only inside `audit.legacy_import()` may an event
    carry an old date, and it says it was imported."""
    org = OrganizationFactory()
    long_ago = timezone.now() - dt.timedelta(days=3650)
    with audit.legacy_import():
        event = case_event_record(
            subject=org, verb="withdrawal_requested", occurred_at=long_ago, is_public=True
        )
    assert event.imported
    assert event.occurred_at == long_ago
    assert not audit.importing()
    with pytest.raises(ValidationError):
        case_event_record(subject=org, verb="withdrawal_requested", occurred_at=long_ago)
    assert audit.chain_verify() is None


def _without_triggers(sql: str, params: list) -> None:
    """An administrator with a shell: the append-only triggers out of the way, then SQL."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                " AND tbl_name = 'commission_caseevent'"
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER "{name}"')
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events
            cursor.execute("ALTER TABLE commission_caseevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ("UPDATE commission_caseevent SET reason = 'rewritten' WHERE id = %s", "content"),
        ("UPDATE commission_caseevent SET occurred_at = '2020-01-01' WHERE id = %s", "content"),
        ("DELETE FROM commission_caseevent WHERE id = %s", "removed or inserted"),
    ],
    ids=["reason", "date", "delete"],
)
def test_verify_audit_names_the_first_altered_link(sql, problem):
    _first, second, _third = _events()
    call_command("verify_audit")
    with transaction.atomic():
        _without_triggers(sql, [second.pk])
        with pytest.raises(CommandError, match=problem) as failure:
            call_command("verify_audit")
        assert "sequence 2" in str(failure.value)
        transaction.set_rollback(True)


def test_a_rehashed_event_breaks_the_next_link():
    """Recomputing the altered event's own hash does not help: the next event names it."""
    _first, second, third = _events()
    with transaction.atomic():
        _without_triggers(
            "UPDATE commission_caseevent SET reason = 'rewritten' WHERE id = %s", [second.pk]
        )
        altered = CaseEvent.objects.get(pk=second.pk)
        _without_triggers(
            "UPDATE commission_caseevent SET content_hash = %s WHERE id = %s",
            [audit.content_hash(altered), second.pk],
        )
        broken = audit.chain_verify()
        assert broken.event_id == third.pk
        assert "does not link" in broken.problem
        transaction.set_rollback(True)


def test_the_daily_check_tells_staff_of_a_break(django_capture_on_commit_callbacks):
    staff = UserFactory(username="staff.officer", email="staff@commission.example")
    staff.groups.add(Group.objects.get(name=roles.STAFF))
    assert settings.CELERY_BEAT_SCHEDULE["commission-audit-verify"] == {
        "task": "commission.tasks.audit_verify",
        "schedule": 24 * 3600,
    }
    _events()
    assert audit_verify() == "intact"
    assert not Notification.objects.exists()
    with transaction.atomic():
        _without_triggers(
            "UPDATE commission_caseevent SET is_public = %s WHERE sequence = 1", [False]
        )
        assert "sequence 1" in audit_verify()
        note = Notification.objects.get(recipient=staff)
        assert "altered" in note.subject_line
        assert "es" in note.translations
        transaction.set_rollback(True)
