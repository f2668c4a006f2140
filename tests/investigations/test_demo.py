"""The Peru team's targeted investigation in the demo: interviews, findings on pregnancy
dismissals, union recognition and prison labor, an order, a failed verification and the
complaint the team filed — loaded twice without duplicates."""

import pytest
from django.core.management import call_command

from commission.models import Clock
from complaints.models import Case
from investigations.models import (
    ConfidentialAccess,
    Finding,
    Interview,
    Investigation,
    RemedialOrder,
)


@pytest.fixture
def demo_key(settings, tmp_path):
    from hearings import signing

    settings.OPINION_SIGNING_DEMO_DIR = str(tmp_path / "demo-signing")
    signing._signer.cache_clear()
    yield
    signing._signer.cache_clear()


@pytest.mark.django_db
def test_peru_team_investigation_and_its_complaint(demo_key, django_capture_on_commit_callbacks):
    # As in `make run`, the tasks queued when each app's data commits run (here at once).
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo")
    investigation = Investigation.objects.get(
        complaint__intake_reference="DEMO-2026-UNION-COMPLAINT", kind="targeted"
    )
    assert investigation.team.name == "Lima Garment Sector Team"
    assert Interview.objects.filter(investigation=investigation).count() == 2
    codes = set(investigation.findings.values_list("criterion_version__criterion__code", flat=True))
    assert codes == {"ND-001", "CB-001", "FL-001"}
    assert set(investigation.findings.values_list("status", flat=True)) == {
        Finding.Status.DETERMINED
    }
    order = RemedialOrder.objects.get(investigation=investigation)
    assert order.status == RemedialOrder.Status.FAILED
    assert order.verifications.get().outcome == "not_complied"
    complaint = order.complaint
    assert complaint.received_via == Case.Channel.INVESTIGATION
    assert set(
        Clock.objects.filter(
            subject_id=str(complaint.pk), kind__in=["hearing_by", "decision_by"]
        ).values_list("kind", flat=True)
    ) == {"hearing_by", "decision_by"}
    counts = (
        Investigation.objects.count(),
        Interview.objects.count(),
        Finding.objects.count(),
        RemedialOrder.objects.count(),
        Case.objects.count(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo")
    assert counts == (
        Investigation.objects.count(),
        Interview.objects.count(),
        Finding.objects.count(),
        RemedialOrder.objects.count(),
        Case.objects.count(),
    )
    assert ConfidentialAccess.objects.count() == 0
