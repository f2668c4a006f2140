"""Writes of investigations. Every rule of the commission's investigative teams lives here;
the portal workspace, the REST API, the admin, the demo and the tasks all call these functions.

* Actors: every function takes a required `actor` — the user acting, or
  `commission.actors.SYSTEM` for the system itself (a task, the sweep's escalation, the demo
  loader); `None` is refused. Team work needs the object permission `change_investigation` on
  the investigation, which `investigation_open` grants to the team's group (django-guardian);
  team determinations need a staff member of the team (staff prevail).
* Confidential records: an interview's identity and statement are read only through
  `interview_confidential_read`, which needs the explicit object grant
  `view_interview_confidential` and logs every read (`ConfidentialAccess`).
* Clocks: disclosure demands (`disclosure_due`) and remedial steps (`remedial_order_due`) run
  on the commission's clocks, swept exactly once with reminders and misses like the statutory
  ones. A missed step of an order not verified as complied fails the order and files a
  complaint through `complaints.services.case_file`, exactly once (`remedial_order_escalate`).
* Every state change writes a case event on the investigation in the same transaction.
"""

from __future__ import annotations

from ._common import (
    DISCLOSURE_LEGAL_BASIS,
    DISCLOSURE_LEGAL_SOURCE,
    PERM_ASSIGN,
    PERM_CHANGE,
    PERM_CONFIDENTIAL,
    PERM_MANDATE,
    PERM_REVIEW,
    PERM_TEAMS,
    PERM_VIEW,
    REMEDIAL_LEGAL_BASIS,
    REMEDIAL_LEGAL_SOURCE,
    _authenticated,
    _event,
    _lock,
    _not_future,
    _require_member,
    _require_perm,
    _require_team_staff,
    _text,
    _transition,
    membership_of,
)
from .demands import (
    AGENCY_SCOPES,
    EMPLOYER_SCOPES,
    demand_issue,
    demand_record_disclosure,
    demand_record_penalty,
)
from .escalation import (
    RESPONDENT_KIND,
    _day_end,
    _remedial_order_escalate,
    _step_clocks,
    _team_complainant,
    findings_report,
    remedial_order_escalate,
    remedial_orders_escalate_due,
)
from .findings import (
    PositionInput,
    determination_record,
    finding_determine,
    finding_draft,
)
from .interviews import (
    INTERVIEW_FILES,
    ConfidentialInterview,
    InterviewFileContent,
    _sealed_address,
    _sealed_store,
    can_read_confidential,
    can_view,
    can_write,
    interview_access_grant,
    interview_access_revoke,
    interview_confidential_read,
    interview_excerpt_add,
    interview_fields_reencrypt,
    interview_file_add,
    interview_file_read,
    interview_record,
    site_visit_record,
)
from .opening import (
    _grant_team,
    _number_allocate,
    _require_open,
    _revoke_team,
    investigation_assign_team,
    investigation_conclude,
    investigation_open,
    investigation_open_for_complaint,
    investigation_open_sample,
    team_for_complaint,
)
from .remedial import (
    CapacityInput,
    StepInput,
    remedial_order_issue,
    verification_record,
)
from .review import (
    member_token_issue,
    protocol_mandate,
    review_record,
)
from .teams import (
    _team_has_staff,
    team_create,
    team_group,
    team_group_sync,
    team_member_add,
    team_member_remove,
)

__all__ = [
    "AGENCY_SCOPES",
    "DISCLOSURE_LEGAL_BASIS",
    "DISCLOSURE_LEGAL_SOURCE",
    "EMPLOYER_SCOPES",
    "INTERVIEW_FILES",
    "PERM_ASSIGN",
    "PERM_CHANGE",
    "PERM_CONFIDENTIAL",
    "PERM_MANDATE",
    "PERM_REVIEW",
    "PERM_TEAMS",
    "PERM_VIEW",
    "REMEDIAL_LEGAL_BASIS",
    "REMEDIAL_LEGAL_SOURCE",
    "RESPONDENT_KIND",
    "CapacityInput",
    "ConfidentialInterview",
    "InterviewFileContent",
    "PositionInput",
    "StepInput",
    "_authenticated",
    "_day_end",
    "_event",
    "_grant_team",
    "_lock",
    "_not_future",
    "_number_allocate",
    "_remedial_order_escalate",
    "_require_member",
    "_require_open",
    "_require_perm",
    "_require_team_staff",
    "_revoke_team",
    "_sealed_address",
    "_sealed_store",
    "_step_clocks",
    "_team_complainant",
    "_team_has_staff",
    "_text",
    "_transition",
    "can_read_confidential",
    "can_view",
    "can_write",
    "demand_issue",
    "demand_record_disclosure",
    "demand_record_penalty",
    "determination_record",
    "finding_determine",
    "finding_draft",
    "findings_report",
    "interview_access_grant",
    "interview_access_revoke",
    "interview_confidential_read",
    "interview_excerpt_add",
    "interview_fields_reencrypt",
    "interview_file_add",
    "interview_file_read",
    "interview_record",
    "investigation_assign_team",
    "investigation_conclude",
    "investigation_open",
    "investigation_open_for_complaint",
    "investigation_open_sample",
    "member_token_issue",
    "membership_of",
    "protocol_mandate",
    "remedial_order_escalate",
    "remedial_order_issue",
    "remedial_orders_escalate_due",
    "review_record",
    "site_visit_record",
    "team_create",
    "team_for_complaint",
    "team_group",
    "team_group_sync",
    "team_member_add",
    "team_member_remove",
    "verification_record",
]
