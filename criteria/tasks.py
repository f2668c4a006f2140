"""Celery tasks of the criteria app. They take no arguments and are safe to run twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="criteria.tasks.answers_refresh", acks_late=True, ignore_result=True)
def answers_refresh() -> str:
    """Precompute the selector's answers for the register's current state, unless built."""
    from .answers import build

    return build().reason
