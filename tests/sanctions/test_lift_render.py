"""The lift determination's opinion PDF is rendered by a Celery task, not in the request: the
request checks every rule and is answered at once; the task records the determination only
when the whole render succeeded, is safe to run twice, and a failed render leaves the sanction
as it was until staff retry it."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commission.models import CaseEvent
from sanctions import opinion, selectors, services
from sanctions.models import LiftDetermination, LiftRender

from .test_services import _step_ready


def _boom(**kwargs):
    raise OSError("disk full")


def test_the_request_does_not_render_and_the_task_issues_the_determination(
    issued, team, staff, member, at, monkeypatch, django_capture_on_commit_callbacks
):
    order, benchmark = _step_ready(issued, team, staff, at)
    calls = []
    real = opinion.determination_pdf

    def counted(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(opinion, "determination_pdf", counted)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        render = services.sanction_lift_step(
            order=order, benchmark=benchmark, reasoning="Verified and heard.", actor=member
        )
    # Answered without rendering: the determination waits for its PDF.
    assert calls == []
    assert render.status == LiftRender.Status.QUEUED
    assert not LiftDetermination.objects.exists()
    assert selectors.magnitude_in_force(order=order) == Decimal("35.00")
    assert len(queued) == 1
    # The task (eager here), run from the callback the request queued on commit.
    queued[0]()
    render.refresh_from_db()
    assert render.status == LiftRender.Status.DONE
    assert len(calls) == 1
    determination = render.determination
    assert determination.pdf.read().startswith(b"%PDF")
    assert determination.reasoning == "Verified and heard."
    assert determination.determined_by == member
    assert selectors.magnitude_in_force(order=order) == Decimal("14.00")
    # Safe to run twice: nothing more is rendered or recorded.
    from sanctions.tasks import lift_determination_render

    assert lift_determination_render.delay(render.pk).get() == "done"
    assert len(calls) == 1
    assert LiftDetermination.objects.count() == 1
    assert CaseEvent.objects.filter(verb="sanction_step_lifted").count() == 1


def test_a_second_request_while_rendering_is_refused(issued, team, staff, member, at):
    order, benchmark = _step_ready(issued, team, staff, at)
    services.sanction_lift_step(order=order, benchmark=benchmark, reasoning="x", actor=member)
    with pytest.raises(ValidationError, match="already being issued"):
        services.sanction_lift_step(order=order, benchmark=benchmark, reasoning="y", actor=member)


def test_a_failed_render_changes_nothing_until_it_is_retried(
    issued, team, staff, member, at, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.OPINION_RENDER_MAX_ATTEMPTS = 1
    order, benchmark = _step_ready(issued, team, staff, at)
    monkeypatch.setattr(opinion, "determination_pdf", _boom)
    with django_capture_on_commit_callbacks(execute=True):
        render = services.sanction_lift_step(
            order=order, benchmark=benchmark, reasoning="Verified and heard.", actor=member
        )
    render.refresh_from_db()
    assert render.status == LiftRender.Status.FAILED
    assert "disk full" in render.error
    assert not LiftDetermination.objects.exists()
    assert selectors.magnitude_in_force(order=order) == Decimal("35.00")
    assert CaseEvent.objects.filter(verb="sanction_lift_render_failed").count() == 1
    with pytest.raises(PermissionDenied):
        services.lift_render_retry(render=render, actor=staff)
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        services.lift_render_retry(render=render, actor=member)
    render.refresh_from_db()
    assert render.status == LiftRender.Status.DONE
    assert render.attempts == 2
    assert selectors.magnitude_in_force(order=order) == Decimal("14.00")
    with pytest.raises(ValidationError, match="Only a failed render"):
        services.lift_render_retry(render=render, actor=member)


def test_failures_are_retried_automatically(
    issued, team, staff, member, at, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.OPINION_RENDER_MAX_ATTEMPTS = 3
    order, benchmark = _step_ready(issued, team, staff, at)
    real = opinion.determination_pdf
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] < 3:
            raise OSError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(opinion, "determination_pdf", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        render = services.sanction_lift_step(
            order=order, benchmark=benchmark, reasoning="Verified.", actor=member
        )
    render.refresh_from_db()
    assert render.status == LiftRender.Status.DONE, render.error
    assert render.attempts == 3
    assert LiftDetermination.objects.filter(order=order).count() == 1


def test_the_rules_are_checked_again_when_the_render_runs(issued, team, staff, member, at):
    """A render queued for a full lifting is refused when it runs if, meanwhile, the sanction
    was waived: nothing is recorded, the failure says why, and it is not retried."""
    order, benchmark = _step_ready(issued, team, staff, at)
    render = services.sanction_lift_step(
        order=order, benchmark=benchmark, reasoning="x", actor=member
    )
    services.sanction_waive(
        order=order,
        national_security_grounds="G",
        house_vote="H",
        senate_vote="S",
        president_signature="P",
        actor=staff,
    )
    render = services.lift_render_run(render_id=render.pk)
    assert render.status == LiftRender.Status.FAILED
    assert "no longer in force" in render.error
    assert not LiftDetermination.objects.exists()
