"""What the hearings app asks of the app above it (sanctions) without importing it.

The sanctions app owns the sanctions a decision orders (their specification, benchmarks,
orders, verification and lifting). A decision still needs them: it may not be issued while a
finding of violation has no sanction, its opinion sets them out, and issuing it puts them in
force. The sanctions app fills these registries in its `AppConfig.ready`; hearings calls them.
With nothing registered, a decision has no sanction part (and no issuing rule about one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

# decision -> the reasons it may not be adopted or issued yet (empty: none).
_issuing_checks: list[Callable[[Any], list[str]]] = []
# decision, issued_at, actor -> None, in the transaction that issues the decision.
_issued_handlers: list[Callable[[Any, dt.datetime, Any], None]] = []
# (decision, redactions) -> the sanction rows its opinion shows.
_opinion_sections: list[Callable[[Any, Any], list[dict[str, Any]]]] = []


def issuing_check_register(check: Callable[[Any], list[str]]) -> Callable[[Any], list[str]]:
    if check not in _issuing_checks:
        _issuing_checks.append(check)
    return check


def issued_handler_register(
    handler: Callable[[Any, dt.datetime, Any], None],
) -> Callable[[Any, dt.datetime, Any], None]:
    if handler not in _issued_handlers:
        _issued_handlers.append(handler)
    return handler


def opinion_sanctions_register(
    rows: Callable[[Any, Any], list[dict[str, Any]]],
) -> Callable[[Any, Any], list[dict[str, Any]]]:
    if rows not in _opinion_sections:
        _opinion_sections.append(rows)
    return rows


def issuing_problems(decision: Any) -> list[str]:
    problems: list[str] = []
    for check in _issuing_checks:
        problems += check(decision)
    return problems


def decision_issued(decision: Any, issued_at: dt.datetime, actor: Any) -> None:
    for handler in _issued_handlers:
        handler(decision, issued_at, actor)


def opinion_sanctions(decision: Any, redactions: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for section in _opinion_sections:
        rows += section(decision, redactions)
    return rows


def has_issuing_checks() -> bool:
    return bool(_issuing_checks)
