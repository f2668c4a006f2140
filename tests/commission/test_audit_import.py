"""A legacy import appends a batch of events to the audit chain through one service, linked and
hashed like any other event; no other door writes a batch."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from commission import audit
from commission.models import CaseEvent
from commission.services import case_event_record, case_events_import
from tests.factories.commission import OrganizationFactory

pytestmark = pytest.mark.django_db


def _event(org, verb="respondent_linked", days_ago=400):
    return CaseEvent(
        subject_type=ContentType.objects.get_for_model(org),
        subject_id=str(org.pk),
        verb=verb,
        occurred_at=timezone.now() - dt.timedelta(days=days_ago),
        is_public=True,
        data={"n": days_ago},
    )


def test_an_import_links_its_batch_after_the_chain():
    org = OrganizationFactory()
    before = case_event_record(subject=org, verb="respondent_linked")
    with audit.legacy_import():
        imported = case_events_import(events=[_event(org, days_ago=d) for d in (300, 200, 100)])
    after = case_event_record(subject=org, verb="respondent_linked")
    assert [e.sequence for e in imported] == [2, 3, 4]
    assert imported[0].previous_hash == before.content_hash
    assert after.previous_hash == imported[-1].content_hash
    assert all(e.imported for e in CaseEvent.objects.filter(sequence__in=[2, 3, 4]))
    assert audit.chain_verify() is None


def test_an_import_outside_the_import_mode_is_refused():
    org = OrganizationFactory()
    with pytest.raises(ValidationError, match="legacy_import"):
        case_events_import(events=[_event(org)])
    with audit.legacy_import(), pytest.raises(ValidationError, match="one by one"):
        CaseEvent.objects.bulk_create([_event(org)])
    assert not CaseEvent.objects.exists()


def test_an_imported_verb_off_the_list_is_refused_and_nothing_is_written():
    org = OrganizationFactory()
    with audit.legacy_import(), pytest.raises(ValidationError, match="not an event"):
        case_events_import(events=[_event(org), _event(org, verb="withdrawn")])
    assert not CaseEvent.objects.exists()
