"""Who acts when no person does.

Background work (beat, Celery tasks, the clock sweep, an escalation the sweep triggers) acts as
the explicit `SYSTEM` actor, never as a missing argument: a service that admits it says so by
comparing with `SYSTEM`, so leaving `actor` out can never skip a permission check by accident.
"""

from __future__ import annotations


class SystemActor:
    """The commission's own background work. It holds no permission of its own: each service
    that may be run by background work admits it explicitly."""

    is_authenticated = False
    is_anonymous = False
    pk = None

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return False

    def __repr__(self) -> str:
        return "SYSTEM"

    def __str__(self) -> str:
        return "the commission (background work)"


SYSTEM = SystemActor()
