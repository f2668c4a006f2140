"""Celery tasks of the hearings app. They take ids only and are safe to run twice."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="hearings.tasks.opinion_render", acks_late=True, ignore_result=True)
def opinion_render(render_id: int) -> str:
    """Render a reasoned opinion (or corrigendum) and, when the whole render succeeded,
    register it and complete the issue. A job already claimed, done or failed is left alone."""
    return services.opinion_render_run(render_id=render_id).status


@shared_task(name="hearings.tasks.opinion_render_sweep", ignore_result=True)
def opinion_render_sweep() -> dict[str, int]:
    """Requeue renders whose worker died and queued renders whose message was lost."""
    return services.opinion_render_sweep()
