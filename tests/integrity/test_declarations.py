"""The declarations themselves: exactly these models are guarded, by exactly these rules
(removing or weakening any one declaration fails here, and its attacks in the matrix stop
being generated), and the guards are where the declarations say, on every door below the ORM
that the matrix does not walk through row by row."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.models import Q

from commission import integrity

pytestmark = pytest.mark.django_db

ALL = integrity.ALL
CLOCK_ARITHMETIC = [
    "subject_type_id",
    "subject_id",
    "docket_number",
    "kind",
    "legal_basis",
    "legal_source",
    "trigger_event",
    "trigger_at",
    "days",
    "counting_rule",
    "time_zone",
    "nominal_last_day",
    "last_day",
    "moved_over",
    "due_at",
    "started_at",
]
ISSUED_PART = {"frozen": ALL, "no_delete": True}
# The rules checked on INSERT: a table closed to new rows once the parent its foreign key names
# is closed, and a requirement a new row must meet.
INSERT = {
    "complaints.Case": ["complaints.Case.status:requires:issued_decision"],
    "criteria.CriterionVersion_countries": [
        "criteria.CriterionVersion_countries:insert_closed:criterionversion"
    ],
    "criteria.CriterionVersion_sectors": [
        "criteria.CriterionVersion_sectors:insert_closed:criterionversion"
    ],
    "hearings.AllegationFinding": ["hearings.AllegationFinding:insert_closed:decision"],
    "hearings.FactFinding": ["hearings.FactFinding:insert_closed:finding"],
    "hearings.CriterionApplication": ["hearings.CriterionApplication:insert_closed:finding"],
    "sanctions.SanctionSpecification": ["sanctions.SanctionSpecification:insert_closed:decision"],
    "sanctions.SanctionSpecification_findings": [
        "sanctions.SanctionSpecification_findings:insert_closed:sanctionspecification"
    ],
    "hearings.FindingCitation": ["hearings.FindingCitation:insert_closed:decision"],
    "investigations.Finding_site_visits": [
        "investigations.Finding_site_visits:insert_closed:finding"
    ],
    "investigations.Finding_excerpts": ["investigations.Finding_excerpts:insert_closed:finding"],
    "investigations.Finding_demands": ["investigations.Finding_demands:insert_closed:finding"],
    "sanctions.SanctionBenchmark": ["sanctions.SanctionBenchmark:insert_closed:sanction"],
}
APPEND_ONLY = {"frozen": ALL, "no_delete": True}
EXPECTED = {
    "commission.CaseEvent": {"frozen": ALL, "no_delete": True},
    "commission.Clock": {
        "frozen": CLOCK_ARITHMETIC,
        "transition": True,
        "set_once": [
            "met_at",
            "met_by_event_id",
            "missed_at",
            "miss_recorded_at",
            "completed_at",
            "completed_by_event_id",
            "closed_at",
        ],
        "never_cleared": ["next_action_at"],
        "no_delete": True,
    },
    "commission.ClockNotice": {"frozen": ALL, "no_delete": True},
    "commission.ConfidentialRead": APPEND_ONLY,
    "hearings.CourtOrder": APPEND_ONLY,
    "complaints.Case": {
        "frozen": ["kind", "docket_number", "received_at", "received_via", "recorded_at"],
        "transition": True,
        "requires": ["status:requires:issued_decision"],
        "no_delete": True,
    },
    "criteria.Criterion": {
        "frozen": ["code", "kind", "governs", "created_at"],
        "no_delete": True,
    },
    "criteria.CriterionVersion": {
        "frozen": ALL,
        "but": ["effective_until"],
        "set_once": ["effective_until"],
        "requires": ["effective_until:requires:next_version"],
        "no_delete": True,
    },
    "criteria.CriterionVersion_countries": {"frozen": ALL, "no_delete": True},
    "criteria.CriterionVersion_sectors": {"frozen": ALL, "no_delete": True},
    "criteria.Source": {"frozen": ALL, "no_delete": True},
    "hearings.Decision": {"frozen": ALL, "transition": True, "no_delete": True},
    "hearings.AllegationFinding": ISSUED_PART,
    "hearings.FactFinding": ISSUED_PART,
    "hearings.CriterionApplication": ISSUED_PART,
    "sanctions.SanctionSpecification": ISSUED_PART,
    "sanctions.SanctionSpecification_findings": ISSUED_PART,
    "sanctions.SanctionBenchmark": ISSUED_PART,
    "hearings.Opinion": {"frozen": ALL, "no_delete": True},
    "hearings.FindingCitation": ISSUED_PART,
    "investigations.Investigation": {
        "frozen": ALL,
        "but": ["status", "team_id", "concluded_at"],
        "transition": True,
        "set_once": ["concluded_at"],
        "no_delete": True,
    },
    "investigations.TeamDetermination": APPEND_ONLY,
    "investigations.MemberPosition": APPEND_ONLY,
    "investigations.SiteVisit": APPEND_ONLY,
    "investigations.Interview": {
        "frozen": ALL,
        "but": ["interviewee_name", "interviewee_contact", "statement"],
        "no_delete": True,
    },
    "investigations.InterviewExcerpt": APPEND_ONLY,
    "investigations.InterviewFile": {"frozen": ALL, "but": ["original_name"], "no_delete": True},
    "investigations.ConfidentialAccess": APPEND_ONLY,
    "investigations.DisclosureDemand": {
        "frozen": ALL,
        "but": [
            "status",
            "disclosed_at",
            "response_summary",
            "penalty",
            "penalty_amount",
            "penalty_currency",
        ],
        "transition": True,
        "set_once": ["disclosed_at", "penalty_amount"],
        "no_delete": True,
    },
    "investigations.Finding": {"frozen": ALL, "transition": True, "no_delete": True},
    "investigations.Finding_site_visits": APPEND_ONLY,
    "investigations.Finding_excerpts": APPEND_ONLY,
    "investigations.Finding_demands": APPEND_ONLY,
    "investigations.RemedialOrder": {
        "frozen": ALL,
        "but": ["status", "verified_at", "failed_at", "failure_reason", "complaint_id"],
        "transition": True,
        "set_once": ["verified_at", "failed_at", "complaint_id"],
        "no_delete": True,
    },
    "investigations.RemedialOrder_findings": APPEND_ONLY,
    "investigations.RemedialStep": APPEND_ONLY,
    "investigations.CapacityMeasure": APPEND_ONLY,
    "investigations.VerificationVisit": APPEND_ONLY,
    "investigations.CommissionReview": APPEND_ONLY,
    "investigations.ProtocolMandate": APPEND_ONLY,
    "sanctions.SanctionOrder": {"frozen": ALL, "no_delete": True},
    "sanctions.BenchmarkVerification": {"frozen": ALL, "no_delete": True},
    "sanctions.LiftNotice": {"frozen": ALL, "no_delete": True},
    "sanctions.LiftHearing": {"frozen": ALL, "no_delete": True},
    "sanctions.LiftDetermination": {"frozen": ALL, "no_delete": True},
    "sanctions.SanctionWaiver": {"frozen": ALL, "no_delete": True},
}


def _expected_rules(label: str, spec: dict) -> set[str]:
    model = apps.get_model(label)
    if spec["frozen"] == ALL:
        frozen = [
            f.attname for f in model._meta.concrete_fields if f.attname not in spec.get("but", [])
        ]
    else:
        frozen = spec["frozen"]
    rules = {f"{label}.{name}:frozen" for name in frozen}
    if spec.get("transition"):
        rules.add(f"{label}.status:transition")
    rules |= {f"{label}.{name}:set_once" for name in spec.get("set_once", [])}
    rules |= {f"{label}.{name}:never_cleared" for name in spec.get("never_cleared", [])}
    rules |= {f"{label}.{name}" for name in spec.get("requires", [])}
    if spec.get("no_delete"):
        rules.add(f"{label}:no_delete")
    return rules


def test_exactly_these_models_are_guarded():
    assert set(integrity.registry()) == set(EXPECTED)


@pytest.mark.parametrize("label", sorted(EXPECTED))
def test_each_declaration_gives_exactly_its_rules(label):
    declaration = integrity.registry()[label]
    model = apps.get_model(label)
    assert set(integrity.rules(model, declaration)) == _expected_rules(label, EXPECTED[label])


@pytest.mark.parametrize("label", sorted(EXPECTED))
def test_each_declaration_gives_exactly_its_insert_rules(label):
    declaration = integrity.registry()[label]
    model = apps.get_model(label)
    assert integrity.insert_rules(model, declaration) == INSERT.get(label, [])


def test_the_closed_tables_close_when_their_parent_does():
    """What closes each table: an issued decision, and a criterion version once a later one
    ends it (its countries and sectors are written by `criterion_revise` right after it)."""
    from criteria.models import CriterionVersion
    from hearings.models import AllegationFinding, Decision
    from sanctions.models import SanctionSpecification

    assert Decision.integrity.closed() == Q(status="issued")
    assert AllegationFinding.integrity.closed() == Q(decision__status="issued")
    assert SanctionSpecification.integrity.closed() == Q(decision__status="issued")
    assert CriterionVersion.integrity.closed() == Q(effective_until__isnull=False)
    findings = integrity.registry()["sanctions.SanctionSpecification_findings"]
    assert findings.frozen_when == Q(sanctionspecification__decision__status="issued")
    assert findings.no_delete == Q(sanctionspecification__decision__status="issued")


def test_status_transitions_are_the_models_own_tables():
    from commission.models import Clock
    from complaints.models import Case
    from hearings.models import Decision

    assert Clock.integrity.pairs() == {
        ("pending", "met"),
        ("pending", "missed"),
        ("pending", "closed"),
    }
    assert Decision.integrity.pairs() == {
        (a, b) for a, tos in Decision.TRANSITIONS.items() for b in tos
    }
    assert ("issued", "draft") not in Decision.integrity.pairs()
    from investigations.models import DisclosureDemand, Finding, RemedialOrder

    assert RemedialOrder.integrity.pairs() == {
        ("open", "verified_complied"),
        ("open", "failed"),
    }
    assert DisclosureDemand.integrity.pairs() == {
        ("issued", "disclosed"),
        ("issued", "not_disclosed"),
    }
    assert Finding.integrity.pairs() == {("draft", "determined")}
    assert Case.integrity.pairs() == {
        (a, b) for kind in Case.TRANSITIONS.values() for a, tos in kind.items() for b in tos
    }


def _event():
    from commission.services import case_event_record
    from tests.factories.commission import TradingPartnerFactory

    return case_event_record(subject=TradingPartnerFactory(), verb="assigned")


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall() if cursor.description else None


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_sqlite_connections_fire_delete_guards_on_replace():
    """INSERT OR REPLACE deletes the row it replaces: with recursive triggers on, the DELETE
    guard sees that delete, even with the INSERT guard against reused keys gone."""
    assert _raw("PRAGMA recursive_triggers") == [(1,)]
    event = _event()
    with transaction.atomic():
        _raw('DROP TRIGGER "commission_caseevent__guard_replace"')
        with pytest.raises(DatabaseError, match=re.escape("commission.CaseEvent:no_delete")):
            _replace(event)
        transaction.set_rollback(True)
    assert _raw("SELECT count(*) FROM sqlite_master WHERE name LIKE '%%guard_replace'") != [(0,)]


def _replace(event):
    with transaction.atomic():
        _raw(
            "INSERT OR REPLACE INTO commission_caseevent SELECT * FROM commission_caseevent "
            "WHERE id = %s",
            [event.pk],
        )


def test_installing_again_re_declares_the_guards():
    """`InstallGuards` drops what it installs and installs it from the declaration as it stands
    (what a later migration that adds a column runs): dropped, the row is writable; installed
    again, it is refused again."""
    state = MigrationLoader(connection).project_state()
    event = _event()
    update = "UPDATE commission_caseevent SET verb = %s WHERE id = %s"
    with transaction.atomic():
        for sql in integrity._statements(
            "commission.CaseEvent", state.apps, connection, reverse=True
        ):
            _raw(sql)
        _raw(update, ["forged", event.pk])
        for sql in integrity._statements(
            "commission.CaseEvent", state.apps, connection, reverse=False
        ):
            _raw(sql)
        with pytest.raises(DatabaseError, match=re.escape("commission.CaseEvent.verb:frozen")):
            with transaction.atomic():
                _raw(update, ["forged again", event.pk])
        transaction.set_rollback(True)


def _app_role():
    if connection.vendor != "postgresql" or not settings.DATABASE_APP_ROLE:
        pytest.skip("needs PostgreSQL with an application role (DATABASE_OWNER_URL)")
    return connection.ops.quote_name(settings.DATABASE_APP_ROLE)


@pytest.mark.postgres
def test_the_application_role_is_no_superuser_and_owns_nothing():
    _app_role()
    role = settings.DATABASE_APP_ROLE
    assert _raw("SELECT rolsuper, rolcreatedb FROM pg_roles WHERE rolname = %s", [role]) == [
        (False, False)
    ]
    owned = _raw(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = %s",
        [role],
    )
    assert owned == [(0,)]


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("statement", "refusal"),
    [
        ("SET session_replication_role = replica", "permission denied"),
        ("TRUNCATE commission_caseevent CASCADE", "permission denied"),
        ("TRUNCATE commission_clock", "permission denied"),
        ("ALTER TABLE commission_clock DISABLE TRIGGER ALL", "must be owner"),
        (
            'DROP TRIGGER "commission_clock__guard" ON commission_clock',
            "must be owner",
        ),
        ("CREATE TABLE commission_shadow (id int)", "permission denied"),
    ],
)
def test_the_application_role_cannot_lift_a_guard(statement, refusal):
    role = _app_role()
    with transaction.atomic():
        _raw(f"SET LOCAL ROLE {role}")
        with pytest.raises(DatabaseError, match=refusal), transaction.atomic():
            _raw(statement)
        transaction.set_rollback(True)


@pytest.mark.postgres
def test_the_application_role_reads_and_writes_what_the_services_write():
    role = _app_role()
    event = _event()
    with transaction.atomic():
        _raw(f"SET LOCAL ROLE {role}")
        assert _raw("SELECT verb FROM commission_caseevent WHERE id = %s", [event.pk]) == [
            ("assigned",)
        ]
        _event()
        transaction.set_rollback(True)


def test_a_refreshed_row_is_checked_against_what_it_now_holds(monkeypatch):
    """`save()` compares with the values last read from the database, `refresh_from_db()`
    included: a clock missed since it was read is refused `met` by the model itself."""
    import datetime as dt

    from django.core.exceptions import ValidationError

    from commission.models import Clock
    from tests.factories.commission import CaseProtocol, case_with_clocks

    CaseProtocol.install(monkeypatch, with_recipients=False)
    _case, clocks = case_with_clocks(trigger_at=dt.datetime(2026, 3, 2, 14, 10, tzinfo=dt.UTC))
    read = Clock.objects.get(pk=clocks["hearing_by"].pk)
    other = Clock.objects.get(pk=read.pk)
    other.status, other.missed_at, other.miss_recorded_at = "missed", other.due_at, other.due_at
    other.save(update_fields=["status", "missed_at", "miss_recorded_at"])
    read.refresh_from_db()
    read.status = "met"
    with pytest.raises(ValidationError, match=re.escape("commission.Clock.status:transition")):
        read.save(update_fields=["status"])
