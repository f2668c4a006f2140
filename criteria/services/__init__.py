"""Writes of the criteria register: `register` (rights, criteria, versions, rule resolutions),
`rounds` (notices, reports, proposals, votes, decisions), `tally` (a vote's count); the ratchet
every door passes through is `criteria.ratchet`."""

from ..ratchet import criterion_retirement_check, criterion_revision_check
from ._access import member_sitting
from .register import (
    criterion_record_historical,
    criterion_revise,
    criterion_version_record_historical,
    right_create,
    rule_resolution_record,
)
from .rounds import (
    participant_role_recorded,
    proposal_decide,
    proposal_submit,
    proposal_vote,
    proposal_withdraw,
    report_file,
    round_close,
    round_convene,
    round_open_voting,
)
from .tally import proposal_tally

__all__ = [
    "criterion_record_historical",
    "criterion_revise",
    "criterion_retirement_check",
    "criterion_revision_check",
    "criterion_version_record_historical",
    "member_sitting",
    "participant_role_recorded",
    "proposal_decide",
    "proposal_submit",
    "proposal_tally",
    "proposal_vote",
    "proposal_withdraw",
    "report_file",
    "right_create",
    "round_close",
    "round_convene",
    "round_open_voting",
    "rule_resolution_record",
]
