"""Reads of the criteria register, by concern; every public name is importable from here.

Two selectors are the contract other apps rely on:

* `criterion_version_in_force(criterion=, on=)` — the exact version a decision must cite;
* `criteria_binding(country=, sector=, on=)` — which criteria bind a country and sector on a
  date, each with the explanation of why (which source won, which lost, and by how much).

Both are answered from `effective_from`/`effective_until`, so any past date reproduces exactly
what was in force then, and both run a constant number of queries whatever the size of the
register.
"""

from .binding import (
    BINDING_PAGE_SIZE,
    Binding,
    Competitor,
    criteria_binding,
    criteria_binding_page,
)
from .diff import FieldChange, criterion_version_diff
from .export import CSV_COLUMNS, register_export, source_as_dict, version_as_dict, version_as_row
from .register import (
    criterion_get,
    criterion_history,
    criterion_register,
    criterion_version_get,
    criterion_version_in_force,
    criterion_version_with_history,
    in_force_q,
    register_state,
    right_list,
    round_get,
    round_list,
    round_proposals,
    today,
    versions_in_force,
)

__all__ = [
    "BINDING_PAGE_SIZE",
    "CSV_COLUMNS",
    "Binding",
    "Competitor",
    "FieldChange",
    "criteria_binding",
    "criteria_binding_page",
    "criterion_get",
    "criterion_history",
    "criterion_register",
    "criterion_version_diff",
    "criterion_version_get",
    "criterion_version_in_force",
    "criterion_version_with_history",
    "in_force_q",
    "register_export",
    "register_state",
    "right_list",
    "round_get",
    "round_list",
    "round_proposals",
    "source_as_dict",
    "today",
    "version_as_dict",
    "version_as_row",
    "versions_in_force",
]
