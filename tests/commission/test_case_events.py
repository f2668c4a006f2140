import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from commission.models import CaseEvent
from commission.services import case_event_record
from tests.factories.commission import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_case_event_record_writes_subject_actor_and_transition():
    org = OrganizationFactory()
    user = UserFactory()
    event = case_event_record(
        subject=org,
        verb="respondent_linked",
        actor=user,
        from_status="",
        to_status="active",
        reason="demo",
        data={"k": 1},
        is_public=True,
        docket_number="BLC-2026-0001",
    )
    event.refresh_from_db()
    assert event.subject == org
    assert event.actor == user
    assert (event.verb, event.to_status, event.docket_number) == (
        "respondent_linked",
        "active",
        "BLC-2026-0001",
    )
    assert list(CaseEvent.objects.for_subject(org)) == [event]
    assert list(CaseEvent.objects.public()) == [event]


def test_system_events_have_no_actor():
    event = case_event_record(subject=OrganizationFactory(), verb="clock_started")
    assert event.actor is None


def _save(event):
    event.reason = "rewritten"
    event.save()


@pytest.mark.parametrize(
    "change",
    [
        _save,
        lambda e: e.delete(),
        lambda e: CaseEvent.objects.filter(pk=e.pk).update(reason="rewritten"),
        lambda e: CaseEvent.objects.filter(pk=e.pk).delete(),
    ],
    ids=["save", "delete", "queryset-update", "queryset-delete"],
)
def test_case_events_refuse_change_through_the_orm(change):
    event = case_event_record(subject=OrganizationFactory(), verb="filed")
    with pytest.raises(ValidationError):
        change(event)
    assert CaseEvent.objects.get(pk=event.pk).reason == ""


@pytest.mark.parametrize(
    "sql", ["UPDATE commission_caseevent SET reason = 'x'", "DELETE FROM commission_caseevent"]
)
def test_database_trigger_refuses_raw_update_and_delete(sql):
    case_event_record(subject=OrganizationFactory(), verb="filed")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert CaseEvent.objects.filter(reason="").count() == 1
