"""The scale generator fills an empty commission that keeps every declared invariant: the
audit chain verifies, every status is reached by allowed transitions, and the same seed gives
the same commission."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count

from commission import audit
from commission.models import CaseEvent, Clock
from complaints.models import Allegation, Case, DocketCounter
from hearings.models import AllegationFinding, Decision, Opinion
from hearings.scale import commission_generate

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


def _snapshot():
    return (
        list(Case.objects.order_by("docket_number").values_list("docket_number", "status")),
        list(Clock.objects.order_by("docket_number", "kind").values_list("status", "due_at")),
        list(Opinion.objects.order_by("reference").values_list("reference", "sha256")),
        list(CaseEvent.objects.order_by("sequence").values_list("verb", "occurred_at")),
    )


def test_fifty_cases_keep_every_invariant():
    report = commission_generate(cases=50, seed=3, now=NOW, batch=20)
    assert report.cases == Case.objects.count() == 50
    assert audit.chain_verify() is None
    call_command("verify_audit")  # exits non-zero on a break
    assert CaseEvent.objects.filter(imported=False).count() == 0
    # Every decided case has its issued decision, a finding per allegation and its opinion.
    decided = Case.objects.filter(status__in=["decided", "denied"])
    assert decided.exists()
    for case in decided:
        decision = Decision.objects.get(case=case)
        assert decision.status == Decision.Status.ISSUED
        assert decision.issued_at == case.outcome_at
        assert AllegationFinding.objects.filter(decision=decision).count() == (
            Allegation.objects.filter(case=case).count()
        )
        assert Opinion.objects.get(decision=decision).reference == f"{case.docket_number}/OP"
    # Clocks in more than one state, two per case.
    assert Clock.objects.values("status").distinct().count() >= 2
    assert set(
        Clock.objects.values("subject_id").annotate(n=Count("id")).values_list("n", flat=True)
    ) == {2}
    # The docket counters continue after the generated numbers.
    last = Case.objects.filter(kind="complaint").order_by("-received_at").first()
    prefix, year, number = last.docket_number.split("-")
    assert DocketCounter.objects.get(prefix=prefix, year=int(year)).last_number >= int(number)


def _generated(seed):
    """The commission a seed gives, then rolled back (append-only tables are never emptied)."""
    with transaction.atomic():
        commission_generate(cases=30, seed=seed, now=NOW)
        snapshot = _snapshot()
        transaction.set_rollback(True)
    assert not Case.objects.exists()
    return snapshot


def test_the_same_seed_gives_the_same_commission():
    first = _generated(7)
    assert _generated(7) == first
    assert _generated(8) != first


def test_the_generator_refuses_a_commission_that_holds_cases():
    commission_generate(cases=5, seed=1, now=NOW)
    with pytest.raises(CommandError, match="already holds cases"):
        call_command("generate_commission", "--cases", "5")
    assert Case.objects.count() == 5
