import datetime as dt

import pytest

from commission.actors import SYSTEM
from commission.models import CaseEvent, Clock
from complaints import services as complaints_services
from complaints.models import Case
from hearings import opinion, selectors, services
from hearings.models import Decision, Opinion, OpinionRender
from tests.factories import hearings as f


@pytest.fixture
def ready(world, heard, at):
    at(f.day(70))
    decision = services.decision_open(case=heard.case, actor=SYSTEM)
    f.findings_complete(decision, world.criteria)
    f.sanctions_complete(decision, world.parties)
    at(f.day(85))
    return decision


def _boom(*args, **kwargs):
    raise RuntimeError("WeasyPrint exploded")


def test_a_failed_render_leaves_no_half_issued_decision(
    ready, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.OPINION_RENDER_MAX_ATTEMPTS = 1
    monkeypatch.setattr(opinion, "decision_pdf", _boom)
    with django_capture_on_commit_callbacks(execute=True):
        render = services.decision_issue(decision=ready, actor=SYSTEM)
    render.refresh_from_db()
    ready.refresh_from_db()
    assert render.status == OpinionRender.Status.FAILED
    assert "WeasyPrint exploded" in render.error
    assert render.attempts == 1
    assert ready.status == Decision.Status.ISSUING
    assert ready.issued_at is None
    assert not Opinion.objects.exists()
    case = Case.objects.get(pk=ready.case_id)
    assert case.status == Case.Status.HEARD
    assert selectors.case_clock(case=case, kind=Clock.Kind.DECISION_BY).status == "pending"
    assert CaseEvent.objects.filter(verb="opinion_render_failed").exists()
    # Staff retry once the cause is fixed.
    monkeypatch.undo()
    staff = f.staff_create()
    with django_capture_on_commit_callbacks(execute=True):
        services.opinion_render_retry(render=render, actor=staff)
    render.refresh_from_db()
    ready.refresh_from_db()
    assert render.status == OpinionRender.Status.DONE
    assert render.attempts == 2
    assert ready.status == Decision.Status.ISSUED
    assert CaseEvent.objects.filter(verb="opinion_render_retried").exists()


def test_failures_are_retried_automatically(
    ready, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.OPINION_RENDER_MAX_ATTEMPTS = 3
    calls = {"n": 0}
    real = opinion.decision_pdf

    def flaky(decision, **kwargs):
        calls["n"] += 1
        if calls["n"] < 3:
            raise OSError("disk full")
        return real(decision, **kwargs)

    monkeypatch.setattr(opinion, "decision_pdf", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        render = services.decision_issue(decision=ready, actor=SYSTEM)
    render.refresh_from_db()
    assert render.status == OpinionRender.Status.DONE, render.error
    assert render.attempts == 3
    assert Opinion.objects.filter(decision=ready).count() == 1


def test_a_failure_inside_the_issue_rolls_everything_back(
    ready, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.OPINION_RENDER_MAX_ATTEMPTS = 1

    def refuse(**kwargs):
        raise RuntimeError("complaints service down")

    monkeypatch.setattr(complaints_services, "complaint_decide", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        render = services.decision_issue(decision=ready, actor=SYSTEM)
    render.refresh_from_db()
    ready.refresh_from_db()
    assert render.status == OpinionRender.Status.FAILED
    assert not Opinion.objects.exists()
    assert ready.status == Decision.Status.ISSUING


def test_a_killed_render_is_reclaimed_by_the_sweep(ready, at, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        render = services.decision_issue(decision=ready, actor=SYSTEM)
    # A worker claimed it and died mid-render.
    assert services._claim(render.pk, f.day(85))
    render.refresh_from_db()
    assert render.status == OpinionRender.Status.RENDERING
    assert services.opinion_render_run(render_id=render.pk).status == "rendering"  # not re-run
    assert services.opinion_render_sweep(now=f.day(85) + dt.timedelta(seconds=30)) == {
        "reclaimed": 0,
        "resent": 0,
    }
    at(f.day(85) + dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        report = services.opinion_render_sweep()
    assert report["reclaimed"] == 1
    render.refresh_from_db()
    assert render.status == OpinionRender.Status.DONE
    ready.refresh_from_db()
    assert ready.status == Decision.Status.ISSUED


def test_running_the_task_twice_issues_once(ready, django_capture_on_commit_callbacks):
    from hearings.tasks import opinion_render

    with django_capture_on_commit_callbacks(execute=True):
        render = services.decision_issue(decision=ready, actor=SYSTEM)
    assert opinion_render(render.pk) == "done"
    assert opinion_render(render.pk) == "done"
    assert Opinion.objects.filter(decision=ready).count() == 1


# --- the issuing rules, checked again where the decision is issued -------------------------


def test_a_decision_set_to_issuing_by_hand_without_a_sanction_is_not_issued(
    world, heard, at, settings
):
    """`decision_issue` refuses a violation with no sanction; setting the row to `issuing`
    under the service does not get it past the render, which checks the same rules."""
    settings.OPINION_RENDER_MAX_ATTEMPTS = 1
    at(f.day(70))
    decision = services.decision_open(case=heard.case, actor=SYSTEM)
    f.findings_complete(decision, world.criteria, violation=True)
    at(f.day(85))
    Decision.objects.filter(pk=decision.pk).update(
        status=Decision.Status.ISSUING, adopted_at=f.day(85)
    )
    render = OpinionRender.objects.create(decision=decision)
    services.opinion_render_run(render_id=render.pk)
    render.refresh_from_db()
    decision.refresh_from_db()
    assert render.status == OpinionRender.Status.FAILED
    assert "no sanction is specified" in render.error
    assert decision.status == Decision.Status.ISSUING
    assert decision.issued_at is None
    assert not Opinion.objects.exists()
    assert Case.objects.get(pk=decision.case_id).status == Case.Status.HEARD
    assert not CaseEvent.objects.filter(verb="decision_issued").exists()


def test_a_panelist_with_a_conflict_at_the_moment_of_issue_stops_the_issue(
    world, ready, settings, django_capture_on_commit_callbacks
):
    """The seats are checked when the opinion is registered, not only when it was adopted:
    a tie to a party that reached the record meanwhile (here written under the services)
    stops the issue."""
    from hearings.models import MemberInterest

    settings.OPINION_RENDER_MAX_ATTEMPTS = 1
    with django_capture_on_commit_callbacks(execute=False):
        render = services.decision_issue(decision=ready, actor=SYSTEM)
    MemberInterest.objects.create(
        member=world.members.worker_us,
        organization=world.parties.buyer,
        nature=MemberInterest.Nature.FINANCIAL,
    )
    services.opinion_render_run(render_id=render.pk)
    render.refresh_from_db()
    ready.refresh_from_db()
    assert render.status == OpinionRender.Status.FAILED
    assert "Denise Carter cannot sit" in render.error
    assert ready.status == Decision.Status.ISSUING
    assert not Opinion.objects.exists()


def test_a_vacant_seat_filled_in_the_status_only_does_not_pass(
    world, ready, settings, django_capture_on_commit_callbacks
):
    from hearings.models import Panel, PanelSeat

    settings.OPINION_RENDER_MAX_ATTEMPTS = 1
    with django_capture_on_commit_callbacks(execute=False):
        render = services.decision_issue(decision=ready, actor=SYSTEM)
    PanelSeat.objects.filter(panel__case=ready.case, position=2).update(
        vacated_at=f.day(85), vacated_reason="Left."
    )
    assert Panel.objects.get(case=ready.case).status == Panel.Status.SEATED
    services.opinion_render_run(render_id=render.pk)
    render.refresh_from_db()
    assert render.status == OpinionRender.Status.FAILED
    assert "seat is vacant" in render.error
    assert not Opinion.objects.exists()
