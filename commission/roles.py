"""The commission's roles as Django groups, and the model permissions each carries.

Later apps add their permissions here; `roles_sync()` (run after every migrate) creates the
groups and grants exactly what is listed. Object-level access (a court to a case, a team to
its investigation) is granted per object with django-guardian by the services that create
those objects.
"""

from django.utils.translation import gettext_lazy as _

MEMBERS = "Commission members"
STAFF = "Commission staff"
TEAM = "Investigative team members"
COURT = "Court users"
FILERS = "Filers"

ROLE_LABELS = {
    MEMBERS: _("Commission members (worker representatives and jurists)"),
    STAFF: _("Commission staff and inspectorate"),
    TEAM: _("Investigative team members"),
    COURT: _("Court users"),
    FILERS: _("Filers (organizations' delegates and workers)"),
}

# "app_label.codename"; a name ending in ".*" means every permission of that app.
# Permissions that do not exist yet (an app not migrated) are skipped.
_CORE_VIEW = [
    "commission.view_tradingpartner",
    "commission.view_sector",
    "commission.view_organization",
    "commission.view_supplyrelationship",
    "commission.view_caseevent",
    "commission.view_clock",
    "commission.view_clocknotice",
    "commission.view_commissionholiday",
]
# The criteria register: everyone with a role reads it; members and staff write it, always
# through criteria.services (which enforce the ratchet whatever the door).
_CRITERIA_VIEW = [
    f"criteria.view_{m}"
    for m in (
        "right",
        "criterion",
        "criterionversion",
        "source",
        "ruleresolution",
        "deliberationround",
        "roundreport",
        "proposal",
        "vote",
    )
]
_CRITERIA_WRITE = [
    "criteria.add_right",
    "criteria.change_right",
    "criteria.add_criterionversion",
    "criteria.add_deliberationround",
    "criteria.change_deliberationround",
    "criteria.add_roundreport",
    "criteria.add_proposal",
    "criteria.change_proposal",
]
# Complaints and petitions: staff run intake (and alone see workers' identities); members
# read cases by pseudonym and record hearings and outcomes through complaints.services.
_COMPLAINTS_VIEW = [
    f"complaints.view_{m}"
    for m in (
        "case",
        "complaint",
        "petition",
        "complainant",
        "respondent",
        "allegation",
        "evidence",
        "compliancestatement",
        "courtreview",
    )
]
_COMPLAINTS_STAFF = [
    "complaints.view_worker_identity",
    "complaints.record_paper_filing",
    "complaints.assign_case",
    "complaints.check_intake",
    "complaints.record_case_outcome",
    "complaints.record_court_review",
]
# Hearings and decisions: the commission (staff and members) selects panels; staff schedule
# hearings and keep their record; members draft, adopt and issue decisions; everyone reads
# the register of issued opinions (it is public). All through hearings.services.
_HEARINGS_VIEW = [
    f"hearings.view_{m}"
    for m in (
        "panel",
        "panelseat",
        "hearing",
        "hearingparticipant",
        "submission",
        "hearingrecorditem",
        "governmentconsultation",
        "decision",
        "allegationfinding",
        "factfinding",
        "criterionapplication",
        "opinion",
        "corrigendum",
    )
]
_HEARINGS_STAFF = [
    "hearings.select_panel",
    "hearings.schedule_hearing",
    "hearings.record_hearing",
    "hearings.view_memberinterest",
    "hearings.view_conflictdeclaration",
    "hearings.view_opinionrender",
    "hearings.retry_render",
    "hearings.correct_opinion",
    # A court's orders on a case: recorded by staff, never changed (hearings.court).
    "hearings.view_courtorder",
    "hearings.record_court_order",
]
_HEARINGS_MEMBERS = [
    "hearings.select_panel",
    "hearings.draft_decision",
    "hearings.adopt_decision",
    "hearings.correct_opinion",
    "hearings.view_memberinterest",
    "hearings.view_conflictdeclaration",
]
# Investigations: team members hold object permissions on their team's investigations only
# (granted by investigations.services through the team's group); nobody holds a global
# change permission. Staff and members read every investigation's record — never an
# interviewee's identity or statement, which needs an explicit per-interview grant.
_INVESTIGATIONS_VIEW = [
    f"investigations.view_{m}"
    for m in (
        "investigation",
        "teamdetermination",
        "memberposition",
        "sitevisit",
        "interview",
        "interviewexcerpt",
        "disclosuredemand",
        "finding",
        "remedialorder",
        "remedialstep",
        "capacitymeasure",
        "verificationvisit",
        "commissionreview",
        "protocolmandate",
    )
]
_INVESTIGATIONS_STAFF = [
    "investigations.assign_team",
    "investigations.review_investigation",
    "investigations.view_confidentialaccess",
]
_INVESTIGATIONS_MEMBERS = [
    "investigations.review_investigation",
    "investigations.mandate_protocol",
]
# Sanctions: everyone with a role reads them (the register is public anyway); staff give
# notice of lift hearings, record them and record waivers (the acts of Congress and the
# president); the commission's members issue the determinations that lift a step. A
# verification report is filed by a member of an investigative team (checked by the service).
_SANCTIONS_VIEW = [
    f"sanctions.view_{m}"
    for m in (
        "sanctionspecification",
        "sanctionbenchmark",
        "sanctionorder",
        "benchmarkverification",
        "liftnotice",
        "lifthearing",
        "liftdetermination",
        "sanctionwaiver",
    )
]
_SANCTIONS_STAFF = [
    "sanctions.publish_lift_notice",
    "sanctions.record_lift_hearing",
    "sanctions.record_waiver",
]
_SANCTIONS_MEMBERS = ["sanctions.determine_lift"]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    STAFF: [
        "commission.add_tradingpartner",
        "commission.change_tradingpartner",
        "commission.view_tradingpartner",
        "commission.add_sector",
        "commission.change_sector",
        "commission.view_sector",
        "commission.add_organization",
        "commission.change_organization",
        "commission.view_organization",
        "commission.add_supplyrelationship",
        "commission.change_supplyrelationship",
        "commission.view_supplyrelationship",
        "commission.add_person",
        "commission.change_person",
        "commission.view_person",
        "commission.view_commissionmember",
        "commission.view_staffmember",
        "commission.add_investigativeteam",
        "commission.change_investigativeteam",
        "commission.view_investigativeteam",
        "commission.add_teammembership",
        "commission.change_teammembership",
        "commission.view_teammembership",
        "commission.view_courtuser",
        # API tokens: issued and revoked by staff only (commission.services).
        "commission.add_apitoken",
        "commission.change_apitoken",
        "commission.view_apitoken",
        "commission.add_organizationmembership",
        "commission.change_organizationmembership",
        "commission.view_organizationmembership",
        "commission.view_caseevent",
        "commission.view_heartbeat",
        # Reads of confidential data: staff read the log, nobody writes it but the doors.
        "commission.view_confidentialread",
        # Webhooks: staff see every subscription and delivery, turn subscriptions off and on.
        "commission.view_webhooksubscription",
        "commission.change_webhooksubscription",
        "commission.view_webhookdelivery",
        # Statutory clocks are read-only for everyone; staff keep the holiday calendar and
        # read the notifications sent.
        "commission.view_clock",
        "commission.view_clocknotice",
        "commission.view_notification",
        "commission.view_commissionholiday",
        "commission.add_commissionholiday",
        "commission.delete_commissionholiday",
        *_CRITERIA_VIEW,
        *_CRITERIA_WRITE,
        *_COMPLAINTS_VIEW,
        *_COMPLAINTS_STAFF,
        *_HEARINGS_VIEW,
        *_HEARINGS_STAFF,
        *_INVESTIGATIONS_VIEW,
        *_INVESTIGATIONS_STAFF,
        *_SANCTIONS_VIEW,
        *_SANCTIONS_STAFF,
    ],
    MEMBERS: [
        *_CORE_VIEW,
        "commission.view_commissionmember",
        "commission.view_person",
        *_CRITERIA_VIEW,
        *_CRITERIA_WRITE,
        "criteria.add_ruleresolution",
        *_COMPLAINTS_VIEW,
        "complaints.record_case_outcome",
        *_HEARINGS_VIEW,
        *_HEARINGS_MEMBERS,
        *_INVESTIGATIONS_VIEW,
        *_INVESTIGATIONS_MEMBERS,
        *_SANCTIONS_VIEW,
        *_SANCTIONS_MEMBERS,
    ],
    TEAM: [
        *_CORE_VIEW,
        "commission.view_investigativeteam",
        "commission.view_teammembership",
        *_CRITERIA_VIEW,
        "criteria.add_roundreport",
        "criteria.add_proposal",
        *_COMPLAINTS_VIEW,
    ],
    COURT: [
        *_CORE_VIEW,
        *_CRITERIA_VIEW,
        "complaints.view_case",
        "complaints.view_courtreview",
        *_HEARINGS_VIEW,
        "sanctions.view_sanctionspecification",
        "sanctions.view_sanctionbenchmark",
    ],
    FILERS: [],
}
