"""Celery tasks of the criteria app. They take no arguments and are safe to run twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(
    name="criteria.tasks.answers_refresh",
    acks_late=True,
    ignore_result=True,
    # A large register takes minutes (5,000 criteria × 10 versions: about two on SQLite).
    soft_time_limit=30 * 60,
    time_limit=31 * 60,
)
def answers_refresh() -> str:
    """Precompute the selector's answers for the register's current state, unless built.
    Past the soft limit the unfinished set is deleted; the next run starts again."""
    from .answers import build

    return build().reason
