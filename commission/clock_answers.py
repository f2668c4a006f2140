"""What the clock sweep asks of higher apps, declared here and filled in their
`AppConfig.ready` (commission is the bottom layer and never imports them).

A clock's subject answers for itself where it can (`clock_recipients`, `clock_milestone_reached`
on the model, commission/services/clocks.py). What only a higher app knows — who sits on a case's
panel, whether the panel's draft decision is ready — comes from sources registered here:

* `recipients_source_register(audience=..., source=...)`: `source(subject=, audience=)`
  returns the users of that audience ("panel", "chair") for the subject;
* `milestone_source_register(milestone=..., source=...)`: `source(subject=, milestone=)`
  returns True (reached), False (not reached) or None (not this source's question).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db.models import Model


class RecipientsSource(Protocol):
    def __call__(self, *, subject: Model, audience: str) -> Iterable[User]: ...


class MilestoneSource(Protocol):
    def __call__(self, *, subject: Model, milestone: str) -> bool | None: ...


_recipients: defaultdict[str, list[RecipientsSource]] = defaultdict(list)
_milestones: defaultdict[str, list[MilestoneSource]] = defaultdict(list)


def recipients_source_register(*, audience: str, source: RecipientsSource) -> Callable[[], None]:
    """Register `source` for `audience` (once); returns the function that unregisters it."""
    if source not in _recipients[audience]:
        _recipients[audience].append(source)
    return lambda: _recipients[audience].remove(source)


def milestone_source_register(*, milestone: str, source: MilestoneSource) -> Callable[[], None]:
    """Register `source` for `milestone` (once); returns the function that unregisters it."""
    if source not in _milestones[milestone]:
        _milestones[milestone].append(source)
    return lambda: _milestones[milestone].remove(source)


def recipients_from_sources(*, subject: Model, audience: str) -> list[User]:
    """Every registered source's users for the audience, in registration order."""
    users: list[User] = []
    for source in _recipients[audience]:
        users.extend(source(subject=subject, audience=audience) or [])
    return users


def milestone_from_sources(*, subject: Model, milestone: str) -> bool:
    """Whether any registered source says the milestone is reached (False with none)."""
    return any(
        source(subject=subject, milestone=milestone) is True for source in _milestones[milestone]
    )
