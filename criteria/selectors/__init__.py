"""Reads of the criteria register. Other apps rely on `criterion_version_in_force` (the version
a decision cites) and `criteria_binding` (which criteria bind a country and sector on a date,
and why); any past date reproduces what was in force then, in a constant number of queries.
"""

from .binding import (
    BINDING_PAGE_SIZE,
    Competitor,
    criteria_binding,
    criteria_binding_page,
)
from .diff import criterion_version_diff
from .export import CSV_COLUMNS, register_export, source_as_dict, version_as_dict, version_as_row
from .register import (
    criterion_history,
    criterion_register,
    criterion_version_in_force,
    criterion_version_with_history,
    in_force_q,
    register_state,
    right_list,
    round_list,
    round_proposals,
    today,
    versions_in_force,
)

__all__ = [
    "BINDING_PAGE_SIZE",
    "CSV_COLUMNS",
    "Competitor",
    "criteria_binding",
    "criteria_binding_page",
    "criterion_history",
    "criterion_register",
    "criterion_version_diff",
    "criterion_version_in_force",
    "criterion_version_with_history",
    "in_force_q",
    "register_export",
    "register_state",
    "right_list",
    "round_list",
    "round_proposals",
    "source_as_dict",
    "today",
    "version_as_dict",
    "version_as_row",
    "versions_in_force",
]
