import pytest
from django.core.management import call_command

from commission.models import CaseEvent
from hearings import signing
from hearings.models import Decision, Hearing, Opinion, Submission


@pytest.fixture
def demo_key(settings, tmp_path):
    settings.OPINION_SIGNING_DEMO_DIR = str(tmp_path / "demo-signing")
    signing._signer.cache_clear()
    yield
    signing._signer.cache_clear()


@pytest.mark.django_db
def test_the_demo_hears_on_day_50_decides_on_day_85_and_loads_twice(demo_key):
    call_command("load_demo")
    decision = Decision.objects.get(case__intake_reference="DEMO-2026-HEARING-DECISION")
    case = decision.case
    hearing = Hearing.objects.get(case=case)
    received = case.received_at.astimezone(hearing.held_at.tzinfo).date()
    assert (hearing.held_at.date() - received).days == 50
    assert (decision.issued_at.date() - received).days == 85
    assert decision.status == Decision.Status.ISSUED
    assert {f.determination for f in decision.findings.all()} == {"violation"}
    assert decision.findings.count() == 3
    labels = set(
        Submission.objects.filter(hearing=hearing).values_list("participant__role", flat=True)
    )
    assert labels == {"complainant"}
    orgs = set(
        Submission.objects.filter(hearing=hearing).values_list(
            "participant__organization__kind", flat=True
        )
    )
    assert orgs == {"labor_organization", "human_rights_organization"}
    opinion = Opinion.objects.get(decision=decision)
    assert opinion.signed
    assert signing.signature_check(opinion.file.read()).by_commission_key
    counts = (Opinion.objects.count(), CaseEvent.objects.count(), Submission.objects.count())
    call_command("load_demo")
    assert (
        Opinion.objects.count(),
        CaseEvent.objects.count(),
        Submission.objects.count(),
    ) == counts
