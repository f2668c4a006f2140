"""The legacy import (`manage.py import_cases`, complaints.importing): past cases come in
through the filing services in the recorded import mode, with their clocks computed from the
recorded dates, past deadlines missed on the day they were missed and no stale notice sent;
a bad row is reported by its line and saves nothing; a re-run duplicates nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from commission import audit
from commission.importing import clocks_settle_imported
from commission.models import CaseEvent, Clock, ClockNotice, Notification
from commission.services import clock_sweep
from complaints import services
from complaints.importing import cases_import
from complaints.models import Case, Complainant, ImportBatch, ImportedCase
from tests.factories.complaints import file_case

pytestmark = pytest.mark.django_db
LIMA = ZoneInfo("America/Lima")
NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=LIMA)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "examples"


def _complaint(world, reference: str, **overrides) -> dict:
    record = {
        "legacy_reference": reference,
        "kind": "complaint",
        "language": "es",
        "received_at": "2025-06-02T10:00:00-05:00",
        "received_via": "paper",
        "remedies_sought": "Reinstatement.",
        "complainants": [
            {"kind": "organization", "organization": world.union.name},
            {"kind": "worker", "name": "María Quispe Huamán", "contact": "+51 999 111 222"},
        ],
        "respondents": [{"kind": "employer", "organization": world.employer.name, "country": "PE"}],
        "allegations": [
            {
                "summary": "Pregnancy dismissals",
                "facts": "Dismissed after announcing their pregnancies.",
                "place": "Ate, Lima",
                "period_start": "2025-03-01",
                "criteria": [world.criteria[0].code],
            }
        ],
        "events": [],
    }
    record.update(overrides)
    return record


def _write_json(tmp_path: Path, records: list) -> Path:
    path = tmp_path / "cases.json"
    # One object per line after the opening bracket: case n starts on line n + 1.
    body = ",\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    path.write_text("[\n" + body + "\n]\n", encoding="utf-8")
    return path


def _import(path: Path, world) -> object:
    with time_machine.travel(NOW, tick=False):
        return cases_import(path=path, actor=world.staff)


@pytest.fixture
def mixed_file(world, tmp_path):
    good_late = _complaint(
        world,
        "OLD-1",
        events=[
            {"type": "hearing_scheduled", "scheduled_for": "2025-09-01T09:00:00-05:00"},
            {"type": "hearing_held", "at": "2025-09-01T09:00:00-05:00"},
        ],
    )
    unknown_org = _complaint(
        world,
        "OLD-2",
        complainants=[{"kind": "organization", "organization": "No Such Union"}],
    )
    # Read fine, refused by a service half-way: the hearing precedes the filing.
    refused_by_service = _complaint(
        world,
        "OLD-3",
        events=[{"type": "hearing_held", "at": "2025-05-01T09:00:00-05:00"}],
    )
    petition_on_time = {
        **_complaint(world, "OLD-4", kind="petition"),
        "complainants": [{"kind": "organization", "organization": world.hro.name}],
        "received_at": "2025-07-01",
        "events": [
            {"type": "hearing_scheduled", "scheduled_for": "2025-08-01T09:00:00-05:00"},
            {"type": "hearing_held", "at": "2025-08-01T09:00:00-05:00"},
            {
                "type": "petition_denied",
                "at": "2025-09-01T16:00:00-05:00",
                "reasoning": "The record does not establish the breach.",
                "reference": "OP-2025-1",
            },
        ],
    }
    future = _complaint(world, "OLD-5", received_at="2027-01-01T10:00:00-05:00")
    naive = _complaint(world, "OLD-6", received_at="2025-06-02T10:00:00")
    return _write_json(
        tmp_path, [good_late, unknown_org, refused_by_service, petition_on_time, future, naive]
    )


def test_good_rows_come_in_and_bad_rows_are_reported_by_line_with_nothing_saved(world, mixed_file):
    summary = _import(mixed_file, world)

    assert summary.rows == 6
    assert summary.imported == 2
    assert summary.already_imported == 0
    refused = {r.line: (r.reference, " ".join(r.messages)) for r in summary.refused}
    assert set(refused) == {3, 4, 6, 7}
    assert refused[3][0] == "OLD-2"
    assert "No Such Union" in refused[3][1]
    assert "cannot precede the filing" in refused[4][1]
    assert "future" in refused[6][1]
    assert "time zone" in refused[7][1]
    # Nothing of a refused row: no case, no reference, and its docket numbers given back.
    assert set(ImportedCase.objects.values_list("legacy_reference", flat=True)) == {
        "OLD-1",
        "OLD-4",
    }
    assert Case.objects.count() == 2
    assert sorted(Case.objects.values_list("docket_number", flat=True)) == [
        "C-2025-00001",
        "P-2025-00001",
    ]
    # A worker's name is never quoted back in a report.
    assert all("Quispe" not in str(r) for r in summary.refused)


def test_an_imported_case_keeps_its_recorded_dates_and_says_it_was_imported(world, mixed_file):
    _import(mixed_file, world)
    case = ImportedCase.objects.get(legacy_reference="OLD-1").case
    assert case.received_at == dt.datetime(2025, 6, 2, 10, 0, tzinfo=LIMA)
    assert case.received_via == Case.Channel.PAPER
    assert case.status == Case.Status.HEARD
    assert case.recorded_at == NOW
    assert case.acknowledged_at is None
    worker = case.complainants.get(kind=Complainant.Kind.WORKER)
    assert worker.name == "María Quispe Huamán"
    events = CaseEvent.objects.for_subject(case)
    assert all(e.imported for e in events)
    filed = events.get(verb="filed")
    assert filed.occurred_at == case.received_at
    assert events.get(verb="clock_started", data__kind="hearing_by").occurred_at == (
        case.received_at
    )
    assert events.get(verb="hearing_held").occurred_at == dt.datetime(2025, 9, 1, 9, 0, tzinfo=LIMA)
    imported = events.get(verb="case_imported")
    assert imported.data == {
        "batch": ImportBatch.objects.get().pk,
        "legacy_reference": "OLD-1",
        "line": 2,
    }
    assert not imported.is_public
    # Not a new filing: nobody is acknowledged, no investigation is opened.
    assert mail.outbox == []


def test_clocks_are_computed_from_the_recorded_dates_and_past_deadlines_missed_on_the_day(
    world, mixed_file
):
    _import(mixed_file, world)
    late = ImportedCase.objects.get(legacy_reference="OLD-1").case
    clocks = {c.kind: c for c in Clock.objects.filter(subject_id=str(late.pk))}
    hearing, decision = clocks["hearing_by"], clocks["decision_by"]
    assert hearing.trigger_at == late.received_at
    # 2 June 2025 + 60 days: Friday 1 August 2025 — the hearing was held a month later.
    assert hearing.last_day == dt.date(2025, 8, 1)
    assert hearing.status == Clock.Status.MISSED
    assert hearing.missed_at == hearing.due_at
    assert hearing.completed_at == dt.datetime(2025, 9, 1, 9, 0, tzinfo=LIMA)
    assert decision.status == Clock.Status.MISSED
    assert decision.missed_at == decision.due_at
    assert decision.miss_recorded_at == NOW
    misses = CaseEvent.objects.for_subject(late).filter(verb="clock_missed")
    assert sorted(e.occurred_at for e in misses) == sorted([hearing.due_at, decision.due_at])
    assert all(e.is_public for e in misses)

    on_time = ImportedCase.objects.get(legacy_reference="OLD-4").case
    assert on_time.status == Case.Status.DENIED
    assert on_time.outcome_at == dt.datetime(2025, 9, 1, 16, 0, tzinfo=LIMA)
    statuses = dict(Clock.objects.filter(subject_id=str(on_time.pk)).values_list("kind", "status"))
    assert statuses == {"hearing_by": Clock.Status.MET, "decision_by": Clock.Status.MET}


def test_no_stale_notice_is_sent_then_or_later_only_the_current_state(world, mixed_file):
    _import(mixed_file, world)
    assert Notification.objects.count() == 0
    notices = ClockNotice.objects.all()
    assert notices.exists()
    assert set(notices.values_list("outcome", flat=True)) == {ClockNotice.Outcome.SUPERSEDED}
    assert set(notices.values_list("recipient_count", flat=True)) == {0}
    # The sweep that runs right after the import has nothing of the past to send.
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        report = clock_sweep()
    assert report.notifications == 0
    assert Notification.objects.count() == 0
    # The next morning: the one undecided complaint's daily escalation (its current state),
    # not the reminders, risk checks and misses of 2025.
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        report = clock_sweep()
    assert report.by_kind == {"overdue": 1}
    assert {n.notice.kind for n in Notification.objects.all()} == {"overdue"}


def test_a_rerun_duplicates_nothing(world, mixed_file):
    _import(mixed_file, world)
    events = CaseEvent.objects.count()
    again = _import(mixed_file, world)
    assert again.imported == 0
    assert again.already_imported == 2
    assert len(again.refused) == 4
    assert Case.objects.count() == 2
    assert ImportBatch.objects.count() == 2
    # Only the second batch's own start and finish were added to the record.
    assert CaseEvent.objects.count() == events + 2


def test_the_audit_chain_records_the_batch_and_verifies_after_the_import(world, mixed_file):
    _import(mixed_file, world)
    batch = ImportBatch.objects.get()
    assert (batch.imported, batch.already_imported, batch.refused) == (2, 0, 4)
    batch_events = CaseEvent.objects.for_subject(batch).order_by("sequence")
    assert [e.verb for e in batch_events] == ["import_batch_started", "import_batch_finished"]
    assert batch_events[0].data["file"] == "cases.json"
    assert len(batch_events[0].data["sha256"]) == 64
    assert batch_events[1].data["refused_lines"] == [3, 4, 6, 7]
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "audit chain intact" in out.getvalue()
    assert audit.chain_verify() is None


def test_the_example_files_import(world, tmp_path):
    """docs/examples: the JSON and the CSV of docs/import.md, against the world's records
    (the demo's names)."""
    from tests.factories.criteria import CriterionVersionFactory

    codes = {"ND-001", "FL-001", "CB-001"}
    for code in codes:
        CriterionVersionFactory(criterion__code=code, effective_from=dt.date(2020, 1, 1))
    for name in ("legacy-cases.json", "legacy-cases.csv"):
        shutil.copy(DOCS / name, tmp_path / name)
        summary = _import(tmp_path / name, world)
        assert summary.refused == [], [str(r) for r in summary.refused]
        assert summary.imported == 2
    by_reference = {i.legacy_reference: i.case for i in ImportedCase.objects.select_related("case")}
    assert by_reference["OLD-2021-0007"].status == Case.Status.HEARD
    assert by_reference["OLD-2021-0007"].compliance_statements.count() == 1
    assert by_reference["OLD-2020-0031"].status == Case.Status.DENIED
    assert by_reference["OLD-2022-0102"].status == Case.Status.HEARD
    csv_petition = by_reference["OLD-2022-0140"]
    assert csv_petition.received_via == Case.Channel.EMAIL
    assert csv_petition.respondents.get().sector == world.sector
    assert csv_petition.allegations.get().proposed_standard
    assert ImportedCase.objects.get(legacy_reference="OLD-2022-0140").source_line == 3


def test_csv_bad_rows_are_reported_by_their_line_even_across_quoted_newlines(world, tmp_path):
    path = tmp_path / "cases.csv"
    columns = [
        "legacy_reference", "kind", "received_at", "remedies_sought",
        "complainant_organizations", "respondent_kind", "respondent_organization",
        "respondent_country", "allegation_summary", "allegation_facts", "allegation_place",
        "allegation_period_start", "allegation_criteria",
    ]  # fmt: skip
    good = {
        "legacy_reference": "CSV-1",
        "kind": "complaint",
        "received_at": "2025-06-02T10:00:00-05:00",
        "remedies_sought": "Reinstatement.",
        "complainant_organizations": world.union.name,
        "respondent_kind": "employer",
        "respondent_organization": world.employer.name,
        "respondent_country": "PE",
        "allegation_summary": "Dismissals",
        "allegation_facts": "Two lines\nof facts.",
        "allegation_place": "Lima",
        "allegation_period_start": "2025-01-01",
        "allegation_criteria": world.criteria[0].code,
    }
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerow(good)  # lines 2-3
    writer.writerow({**good, "legacy_reference": "CSV-2", "allegation_period_start": "soon"})
    writer.writerow({**good, "legacy_reference": "CSV-3", "kind": "grievance"})  # lines 6-7
    writer.writerow({**good, "legacy_reference": "CSV-4"})
    path.write_text(buffer.getvalue(), encoding="utf-8")

    summary = _import(path, world)
    assert summary.imported == 2
    assert [(r.line, r.reference) for r in summary.refused] == [(4, "CSV-2"), (6, "CSV-3")]
    assert "is not a date" in " ".join(summary.refused[0].messages)
    assert "complaint or a petition" in " ".join(summary.refused[1].messages)
    assert ImportedCase.objects.get(legacy_reference="CSV-4").source_line == 8


def test_a_complaints_past_decision_is_refused_not_half_imported(world, tmp_path):
    path = _write_json(
        tmp_path,
        [_complaint(world, "OLD-D", events=[{"type": "decided", "at": "2025-08-01"}])],
    )
    summary = _import(path, world)
    assert summary.imported == 0
    message = " ".join(summary.refused[0].messages)
    assert "issued decision" in message
    # It says what to do with the row.
    assert "Leave this row out of the file" in message
    assert not Case.objects.exists()


def test_a_csv_decided_at_column_is_refused_with_the_reason_not_dropped(world, tmp_path):
    path = tmp_path / "cases.csv"
    row = {
        "legacy_reference": "CSV-D",
        "kind": "complaint",
        "received_at": "2025-06-02T10:00:00-05:00",
        "remedies_sought": "Reinstatement.",
        "complainant_organizations": world.union.name,
        "respondent_kind": "employer",
        "respondent_organization": world.employer.name,
        "respondent_country": "PE",
        "allegation_summary": "Dismissals",
        "allegation_facts": "Facts.",
        "allegation_place": "Lima",
        "allegation_period_start": "2025-01-01",
        "allegation_criteria": world.criteria[0].code,
        "decided_at": "2025-08-01",
    }
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    writer.writerow({**row, "legacy_reference": "CSV-U", "decided_at": ""})
    path.write_text(buffer.getvalue(), encoding="utf-8")

    summary = _import(path, world)
    assert summary.imported == 1
    assert [(r.line, r.reference) for r in summary.refused] == [(2, "CSV-D")]
    assert "decided in the earlier records" in " ".join(summary.refused[0].messages)
    assert not ImportedCase.objects.filter(legacy_reference="CSV-D").exists()


def test_the_command_prints_the_summary_and_fails_on_refused_rows(world, mixed_file):
    out, err = io.StringIO(), io.StringIO()
    with time_machine.travel(NOW, tick=False), pytest.raises(CommandError, match="4 row"):
        call_command("import_cases", str(mixed_file), user="intake", stdout=out, stderr=err)
    text = out.getvalue()
    assert "refused line 3 (OLD-2)" in text
    assert "imported:          2" in text
    assert "6/6 rows" in err.getvalue()
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False), pytest.raises(CommandError):
        call_command("import_cases", str(mixed_file), user="intake", stdout=out, stderr=err)
    assert "imported before:   2" in out.getvalue()


def test_only_staff_who_record_paper_filings_and_outcomes_may_import(world, mixed_file):
    with pytest.raises(CommandError, match="may not import"):
        call_command("import_cases", str(mixed_file), user="union.delegate", no_progress=True)
    world.staff.groups.clear()
    world.staff.user_permissions.add(Permission.objects.get(codename="record_paper_filing"))
    with pytest.raises(CommandError, match="may not import"):
        call_command("import_cases", str(mixed_file), user="intake", no_progress=True)
    assert not ImportBatch.objects.exists()
    assert not Case.objects.exists()


def test_broken_json_is_refused_before_anything_is_written(world, tmp_path):
    path = tmp_path / "cases.json"
    path.write_text('[\n{"legacy_reference": "X"},\n{"legacy_reference": \n', encoding="utf-8")
    with pytest.raises(CommandError, match="line 3"):
        call_command("import_cases", str(path), user="intake", no_progress=True)
    assert not ImportBatch.objects.exists()


def test_past_dates_enter_only_in_the_import_mode(world):
    """Outside `audit.legacy_import()`: a portal filing cannot carry a receipt time, a denial
    is dated when recorded, and the core will not settle a case's clocks as imported."""
    with pytest.raises(ValidationError, match="server receives it"):
        services.case_file(
            filing=services.FilingInput(
                kind="complaint", language="es", complainants=[], respondents=[],
                allegations=[], remedies_sought="x",
            ),
            actor=world.staff,
            received_at=NOW - dt.timedelta(days=400),
        )  # fmt: skip
    petition = file_case(world, kind=Case.Kind.PETITION)
    with pytest.raises(ValidationError, match="dated when it is recorded"):
        services.petition_deny(
            petition=petition,
            reasoning="No.",
            actor=world.staff,
            denied_at=NOW - dt.timedelta(days=400),
        )
    with pytest.raises(ValidationError, match="Only a legacy import"), transaction.atomic():
        clocks_settle_imported(subject=petition)


def test_a_json_object_with_cases_is_read_with_the_line_each_case_starts_on():
    from complaints.importing import RowError, rows_read

    text = '{\n  "source": "registry 2019",\n  "cases": [\n    {"legacy_reference": "A"},\n\n    {"legacy_reference": "B"}\n  ]\n}\n'
    assert [(line, r["legacy_reference"]) for line, r in rows_read(text, fmt="json")] == [
        (4, "A"),
        (6, "B"),
    ]
    assert list(rows_read("[]", fmt="json")) == []
    with pytest.raises(RowError, match="array of cases"):
        list(rows_read('{"records": []}', fmt="json"))
