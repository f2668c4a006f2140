"""Writes of complaints and petitions. Every rule of the first door into a binding case lives
here, and the portal, the admin, the API, the demo and the tasks all call these functions.

* `case_file` is the only way a case comes into being: it records the receipt instant (the
  server's, or — for paper and email — the one staff record, never in the future), allocates
  the docket number, writes the parties, allegations and evidence, starts the statutory clocks
  and records the public "filed" event, all in one transaction.
* Statuses move only through `_common._transition` (the core's `status_transition`), which checks `Case.TRANSITIONS`. There is no
  service that withdraws, closes or dismisses a case: a case ends only with a reasoned outcome
  (`complaint_decide`, `petition_deny`, `petition_file_complaint`). A withdrawal request or a
  government's statement that the respondent now complies is recorded and changes nothing.
* Nothing moves a receipt instant or a clock: neither field has a writer here.
"""

from __future__ import annotations

from ._common import (
    DOCKET_PREFIX,
    MAX_ALLEGATIONS,
    PERM_ASSIGN,
    PERM_CHECK_INTAKE,
    PERM_COURT,
    PERM_OUTCOME,
    PERM_RECORD_PAPER,
    STAFF_CHANNELS,
    AllegationInput,
    ComplainantInput,
    FilingInput,
    RespondentInput,
    _code_hash,
    _docket_allocate,
    _docket_increment,
    _is_authenticated,
    _lock,
    _pk,
    _required_text,
    _transition,
    access_code_matches,
    connection_returns_ids,
    pseudonym_letter,
)
from .drafts import (
    _queue_scan,
    evidence_add,
    evidence_remove,
    evidence_scan_run,
    filing_draft_issue_resume_code,
    filing_draft_resume,
    filing_draft_save,
    filing_draft_start,
    filing_draft_submit,
    filing_drafts_purge,
)
from .filing import (
    _is_delegate,
    _queue_acknowledgment,
    _validate_filing,
    case_file,
)
from .notices import (
    _refresh,
    acknowledgment_send,
    confidential_fields_reencrypt,
    receipt_render,
)
from .outcomes import (
    _record_outcome,
    case_hearing_record_held,
    case_hearing_schedule,
    complaint_decide,
    compliance_statement_record,
    court_order_record,
    court_review_file,
    petition_deny,
    petition_file_complaint,
)
from .staff import (
    case_assign,
    case_unassign,
    case_withdrawal_request_record,
    intake_check_record,
    respondent_link,
)

__all__ = [
    "DOCKET_PREFIX",
    "MAX_ALLEGATIONS",
    "PERM_ASSIGN",
    "PERM_CHECK_INTAKE",
    "PERM_COURT",
    "PERM_OUTCOME",
    "PERM_RECORD_PAPER",
    "STAFF_CHANNELS",
    "AllegationInput",
    "ComplainantInput",
    "FilingInput",
    "RespondentInput",
    "_code_hash",
    "_docket_allocate",
    "_docket_increment",
    "_is_authenticated",
    "_is_delegate",
    "_lock",
    "_pk",
    "_queue_acknowledgment",
    "_queue_scan",
    "_record_outcome",
    "_refresh",
    "_required_text",
    "_transition",
    "_validate_filing",
    "access_code_matches",
    "acknowledgment_send",
    "case_assign",
    "case_file",
    "case_hearing_record_held",
    "case_hearing_schedule",
    "case_unassign",
    "case_withdrawal_request_record",
    "complaint_decide",
    "compliance_statement_record",
    "confidential_fields_reencrypt",
    "connection_returns_ids",
    "court_order_record",
    "court_review_file",
    "evidence_add",
    "evidence_remove",
    "evidence_scan_run",
    "filing_draft_issue_resume_code",
    "filing_draft_resume",
    "filing_draft_save",
    "filing_draft_start",
    "filing_draft_submit",
    "filing_drafts_purge",
    "intake_check_record",
    "petition_deny",
    "petition_file_complaint",
    "pseudonym_letter",
    "receipt_render",
    "respondent_link",
]
