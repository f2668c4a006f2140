import pytest
from django.core.management import call_command

from commission.models import CaseEvent
from hearings import signing
from sanctions import selectors
from sanctions.models import (
    BenchmarkVerification,
    LiftDetermination,
    LiftHearing,
    SanctionOrder,
)


@pytest.fixture
def demo_key(settings, tmp_path):
    settings.OPINION_SIGNING_DEMO_DIR = str(tmp_path / "demo-signing")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    signing._signer.cache_clear()
    yield
    signing._signer.cache_clear()


@pytest.mark.django_db
def test_the_peru_sanctions_one_step_lifted_another_pending(demo_key):
    call_command("load_demo")
    targets = set(SanctionOrder.objects.values_list("specification__target", flat=True))
    assert targets == {"firm", "global_corporation", "government_entity"}
    order = SanctionOrder.objects.get(specification__target="firm")
    assert (
        BenchmarkVerification.objects.filter(benchmark__sanction=order.specification).count() == 1
    )
    assert LiftHearing.objects.filter(notice__order=order).count() == 1
    determination = LiftDetermination.objects.get(order=order)
    assert not determination.full
    row = selectors.register_row(public_id=order.public_id)
    assert [s.lifted for s in row.steps] == [True, False]
    assert 0 < row.lifted_percent < 100
    events = CaseEvent.objects.count()
    call_command("load_demo")
    assert CaseEvent.objects.count() == events
