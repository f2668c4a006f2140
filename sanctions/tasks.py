"""Celery tasks of the sanctions app. They take ids only and are safe to run twice."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="sanctions.tasks.lift_determination_render", acks_late=True, ignore_result=True)
def lift_determination_render(render_id: int) -> str:
    """Render a lift determination's opinion PDF and, when the whole render succeeded, record
    the determination. A render already claimed, done or failed is left alone."""
    return services.lift_render_run(render_id=render_id).status
