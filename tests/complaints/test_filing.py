"""Filing: the receipt instant, the docket number, the parties and allegations, the clocks,
the acknowledgment and the receipt — and every refusal of `case_file`."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import timezone
from pypdf import PdfReader

from commission.models import CaseEvent, Clock
from commission.selectors import clocks_for_subject
from complaints import services
from complaints.models import Allegation, Case, Complainant, Respondent
from complaints.services import ComplainantInput, RespondentInput
from tests.factories.complaints import (
    WORKER_CONTACT,
    WORKER_EMAIL,
    WORKER_NAME,
    file_case,
    filing_input,
)

pytestmark = pytest.mark.django_db
LIMA = ZoneInfo("America/Lima")


def test_portal_filing_is_received_at_the_servers_time_and_starts_both_clocks(world):
    instant = dt.datetime(2026, 3, 2, 14, 10, tzinfo=LIMA)
    with time_machine.travel(instant, tick=False):
        case, code = services.case_file(actor=AnonymousUser(), filing=filing_input(world))
    assert case.received_at == instant
    assert case.received_via == Case.Channel.PORTAL
    assert re.fullmatch(r"C-2026-\d{5}", case.docket_number)
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", code)
    assert services.access_code_matches(stored_hash=case.access_code_hash, code=code)
    clocks = {c.kind: c for c in clocks_for_subject(subject=case)}
    assert set(clocks) == {"hearing_by", "decision_by"}
    assert clocks["hearing_by"].trigger_at == instant
    # 2 March + 60 days = Friday 1 May 2026, Labour Day in Peru -> Thursday 30 April.
    assert clocks["hearing_by"].last_day == dt.date(2026, 4, 30)
    assert clocks["decision_by"].last_day == dt.date(2026, 5, 29)
    assert clocks["hearing_by"].docket_number == case.docket_number
    filed = CaseEvent.objects.for_subject(case).get(verb="filed")
    assert filed.is_public
    assert filed.occurred_at == instant
    assert filed.docket_number == case.docket_number


def test_parties_allegations_and_criteria_are_recorded(world):
    case = file_case(world, organization=world.union, worker=True, received_days_ago=1)
    complainants = list(case.complainants.order_by("position"))
    assert [c.kind for c in complainants] == ["organization", "worker"]
    assert complainants[1].pseudonym == "B"
    assert complainants[1].identity_withheld
    assert complainants[1].public_label == "Worker B"
    assert complainants[0].public_label == world.union.name
    assert set(case.respondents.values_list("kind", flat=True)) == {
        "government",
        "government_agency",
        "employer",
        "sector",
        "global_corporation",
    }
    first, second = case.allegations.order_by("number")
    assert list(first.criteria.all()) == world.criteria[:1]
    assert not first.flagged_for_deliberation
    assert second.flagged_for_deliberation
    assert second.proposed_standard


def test_worker_identity_is_encrypted_at_rest(world):
    case = file_case(world, received_days_ago=1)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, contact FROM complaints_complainant WHERE case_id = %s AND kind = %s",
            [case.pk, "worker"],
        )
        name, contact = cursor.fetchone()
        cursor.execute("SELECT contact_email FROM complaints_case WHERE id = %s", [case.pk])
        (email,) = cursor.fetchone()
    for raw in (name, contact, email):
        assert raw.startswith("gAAAA")
    assert WORKER_NAME not in name
    assert WORKER_CONTACT not in contact
    assert WORKER_EMAIL not in email
    worker = Complainant.objects.get(case=case, kind="worker")
    assert worker.name == WORKER_NAME
    assert worker.contact == WORKER_CONTACT
    assert Case.objects.get(pk=case.pk).contact_email == WORKER_EMAIL


def test_docket_numbers_run_per_kind_and_year_of_receipt(world):
    first = file_case(world, received_days_ago=1)
    second = file_case(world, received_days_ago=1)
    petition = file_case(world, kind=Case.Kind.PETITION, received_days_ago=1)
    year = timezone.localtime(first.received_at).year
    assert first.docket_number == f"C-{year}-00001"
    assert second.docket_number == f"C-{year}-00002"
    assert petition.docket_number == f"P-{year}-00001"
    old = services.case_file(
        filing=filing_input(world),
        actor=world.staff,
        received_via="paper",
        received_at=dt.datetime(2025, 12, 31, 23, 30, tzinfo=LIMA),
    )[0]
    assert old.docket_number == "C-2025-00001"


def test_a_failed_filing_gives_its_docket_number_back(world, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("clock service down")

    monkeypatch.setattr(services.filing, "clocks_start_statutory", boom)
    with pytest.raises(RuntimeError):
        file_case(world, received_days_ago=1)
    assert not Case.objects.exists()
    monkeypatch.undo()
    case = file_case(world, received_days_ago=1)
    assert case.docket_number.endswith("-00001")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_filings_never_share_a_docket_number():
    from tests.factories.complaints import build_world

    world = build_world()
    results: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(12)

    def file_one():
        try:
            barrier.wait()
            case, _code = services.case_file(
                actor=AnonymousUser(), filing=filing_input(world, worker=True)
            )
            results.append(case.docket_number)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=file_one) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 12
    assert len(set(results)) == 12
    numbers = sorted(int(d.rsplit("-", 1)[1]) for d in results)
    assert numbers == list(range(1, 13))


def test_staff_record_a_paper_filing_received_in_the_past(world):
    received = timezone.now() - dt.timedelta(days=12, hours=3)
    case, code = services.case_file(
        filing=filing_input(world),
        actor=world.staff,
        received_via=Case.Channel.PAPER,
        received_at=received,
        intake_reference="REG-2026-0042",
    )
    assert case.received_at == received
    assert case.recorded_by == world.staff
    assert case.recorded_at > case.received_at
    assert code == ""  # staff have an account; a paper filer follows the case by other means
    assert clocks_for_subject(subject=case).get(kind="hearing_by").trigger_at == received


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"received_at": "future"}, "future"),
        ({"received_at": None}, "Record when"),
        ({"received_at": "naive"}, "time zone"),
    ],
)
def test_a_paper_filing_refuses_a_missing_future_or_naive_receipt_time(world, change, message):
    value = change["received_at"]
    if value == "future":
        value = timezone.now() + dt.timedelta(minutes=5)
    elif value == "naive":
        value = dt.datetime(2026, 1, 1, 10, 0)  # noqa: DTZ001 - the refusal under test
    with pytest.raises(ValidationError, match=message):
        services.case_file(
            filing=filing_input(world), actor=world.staff, received_via="paper", received_at=value
        )
    assert not Case.objects.exists()


def test_a_portal_filing_cannot_choose_its_receipt_time(world):
    with pytest.raises(ValidationError, match="when the server receives it"):
        services.case_file(
            actor=AnonymousUser(),
            filing=filing_input(world),
            received_at=timezone.now() - dt.timedelta(days=30),
        )


@pytest.mark.parametrize("actor", ["anonymous", "delegate", "member"])
def test_only_intake_staff_record_paper_filings(world, actor):
    from django.contrib.auth.models import AnonymousUser

    user = {
        "anonymous": AnonymousUser(),
        "delegate": world.delegate,
        "member": world.member,
    }[actor]
    with pytest.raises(PermissionDenied):
        services.case_file(
            filing=filing_input(world),
            actor=user,
            received_via="paper",
            received_at=timezone.now() - dt.timedelta(days=1),
        )


def test_the_same_paper_filing_cannot_be_recorded_twice(world):
    kwargs = {
        "actor": world.staff,
        "received_via": "paper",
        "received_at": timezone.now() - dt.timedelta(days=1),
        "intake_reference": "REG-7",
    }
    services.case_file(filing=filing_input(world), **kwargs)
    with pytest.raises(Exception, match=r"(?i)unique"):
        services.case_file(filing=filing_input(world), **kwargs)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"complainants": []}, "at least one complainant"),
        ({"respondents": []}, "at least one respondent"),
        ({"allegations": []}, "at least one allegation"),
        ({"remedies_sought": "  "}, "remedies"),
        ({"kind": "grievance"}, "complaint or a petition"),
        ({"language": "fr"}, "language"),
        (
            {"complainants": [ComplainantInput(kind="worker", name=" ")]},
            "worker complainant gives a name",
        ),
        (
            {"respondents": [RespondentInput(kind="employer")]},
            "chosen from the records or named",
        ),
        ({"respondents": [RespondentInput(kind="sector")]}, "sector respondent"),
        ({"respondents": [RespondentInput(kind="trade_partner", name_given="X")]}, "Unknown kind"),
    ],
)
def test_incomplete_filings_are_refused(world, overrides, message):
    with pytest.raises(ValidationError, match=message):
        services.case_file(actor=AnonymousUser(), filing=filing_input(world, **overrides))
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"period_start": dt.date(2999, 1, 1)}, "cannot start in the future"),
        ({"period_end": dt.date(2025, 1, 1)}, "ends before it starts"),
        ({"workers_affected": 0}, "at least 1"),
        ({"criteria": [], "proposed_standard": ""}, "cite at least one criterion"),
        ({"summary": ""}, "summary, the facts and the place"),
    ],
)
def test_allegations_are_checked(world, change, message):
    filing = filing_input(world)
    allegation = filing.allegations[0]
    for name, value in change.items():
        setattr(allegation, name, value)
    with pytest.raises(ValidationError, match=message):
        services.case_file(actor=AnonymousUser(), filing=filing)


def test_an_organization_files_through_the_portal_only_by_its_delegates(world):
    filing = filing_input(world, organization=world.union, worker=False)
    with pytest.raises(ValidationError, match="only as one of its delegates"):
        services.case_file(filing=filing, actor=world.hro_delegate)
    case, code = services.case_file(filing=filing, actor=world.delegate)
    assert case.filed_by == world.delegate
    assert code == ""


def test_there_is_no_effect_on_trade_field_or_test():
    from complaints import forms as portal_forms

    names = [
        f.name
        for model in (Case, Complainant, Respondent, Allegation)
        for f in model._meta.get_fields()
    ]
    form_fields = [
        name
        for form in (
            portal_forms.FilingKindForm,
            portal_forms.ComplainantsForm,
            portal_forms.RespondentsForm,
            portal_forms.AllegationForm,
            portal_forms.RemediesForm,
            portal_forms.ConfidentialityForm,
        )
        for name in form.base_fields
    ]
    assert not [n for n in names + form_fields if "trade" in n or "commerce" in n]


def test_receipt_pdf_lists_the_filing_and_the_statutory_arithmetic_without_worker_names(
    world, django_capture_on_commit_callbacks
):
    instant = dt.datetime(2026, 3, 2, 14, 10, tzinfo=LIMA)
    with (
        time_machine.travel(instant, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        case = file_case(world, language="en", organization=world.union)
    case.refresh_from_db()
    assert case.receipt_pdf
    assert len(case.receipt_sha256) == 64
    with case.receipt_pdf.open("rb") as handle:
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    text = " ".join(text.split())
    assert case.docket_number in text
    assert "Hearing held by" in text
    assert "Final decision issued by" in text
    assert "day 1 is 3 March 2026" in text
    assert "day 60 is Friday 1 May 2026" in text
    assert "Thursday 30 April 2026" in text
    assert "Worker B" in text
    assert world.union.name in text
    assert "Dismissal of pregnant workers" in text
    assert WORKER_NAME not in text
    assert WORKER_CONTACT not in text


def test_receipt_is_in_the_language_of_the_filing(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = file_case(world, language="es")
    case.refresh_from_db()
    with case.receipt_pdf.open("rb") as handle:
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages)
    assert "Recibo" in text
    assert "Trabajador(a) A" in " ".join(text.split())


def test_acknowledgment_email_is_sent_once_with_the_receipt_and_no_worker_name(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = file_case(world, language="en")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [WORKER_EMAIL]
    assert case.docket_number in message.subject
    assert "Hearing held by" in message.body
    assert "day 1 is" in message.body
    assert WORKER_NAME not in message.body
    assert WORKER_NAME not in message.subject
    assert message.attachments[0][0] == f"{case.docket_number}-receipt.pdf"
    assert services.acknowledgment_send(case_id=case.pk) is False
    assert len(mail.outbox) == 1


def test_logs_never_carry_worker_identities(world, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        file_case(world)
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "filing received" in logged
    for secret in (WORKER_NAME, WORKER_CONTACT, WORKER_EMAIL):
        assert secret not in logged


def test_clock_events_and_filing_event_are_in_one_transaction(world, monkeypatch):
    def fail_after_clocks(**kwargs):
        raise ValidationError("boom")

    monkeypatch.setattr(services.filing, "_queue_acknowledgment", lambda case_id: None)
    original = services.filing.clocks_start_statutory

    def start_then_fail(**kwargs):
        original(**kwargs)
        fail_after_clocks()

    monkeypatch.setattr(services.filing, "clocks_start_statutory", start_then_fail)
    with pytest.raises(ValidationError):
        file_case(world)
    assert not Clock.objects.exists()
    assert not CaseEvent.objects.exists()
