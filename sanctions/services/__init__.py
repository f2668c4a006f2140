"""Every write of the sanctions app (docs/adr/0060): specifying a decision's sanctions (with the
deterrence check), putting them in force when the decision issues, verifying benchmarks,
and lifting — notice, hearing, reasoned determination with its opinion PDF — or waiving.

Each rule lives here once; the admin's case steps, the staff admin, the team's workspace and
the REST API call these functions. Nothing here edits or deletes a record of a sanction in
force: every step is a new row (the models' integrity declarations refuse the rest).

By concern: `specification` (as part of a draft decision), `orders` (in force from the
decision's issue), `verification` (by an investigative team), `lifting` (notice, hearing,
determination and its render) and `waiver`. Callers import from `sanctions.services`; every
name they use is re-exported here.
"""

from __future__ import annotations

from ._common import (
    PERM_DETERMINE,
    PERM_DRAFT,
    PERM_HEARING,
    PERM_NOTICE,
    PERM_WAIVE,
)
from .lifting import (
    lift_hearing_record,
    lift_notice_publish,
    lift_problems,
    lift_render_retry,
    lift_render_run,
    sanction_lift_step,
)
from .orders import (
    _issued,
    sanction_orders_issue,
)
from .specification import (
    BenchmarkInput,
    decision_sanction_problems,
    deterrence_check,
    sanction_remove,
    sanction_specify,
)
from .verification import (
    benchmark_verify,
)
from .waiver import (
    sanction_waive,
)

__all__ = [
    "PERM_DETERMINE",
    "PERM_DRAFT",
    "PERM_HEARING",
    "PERM_NOTICE",
    "PERM_WAIVE",
    "BenchmarkInput",
    "_issued",
    "benchmark_verify",
    "decision_sanction_problems",
    "deterrence_check",
    "lift_hearing_record",
    "lift_notice_publish",
    "lift_problems",
    "lift_render_retry",
    "lift_render_run",
    "sanction_lift_step",
    "sanction_orders_issue",
    "sanction_remove",
    "sanction_specify",
    "sanction_waive",
]
