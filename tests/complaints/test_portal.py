"""The portal over HTTP (Django's test client): the multi-step form, drafts saved and resumed,
check your answers, submission exactly once, acknowledgment, the filer's status page, the
public docket and API — with confidentiality, CSRF, the honeypot and rate limits."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from commission.models import Clock
from complaints.models import Case, Complainant, Evidence, FilingDraft
from tests.factories.complaints import (
    WORKER_CONTACT,
    WORKER_EMAIL,
    WORKER_NAME,
    file_case,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


def start(client: Client) -> str:
    response = client.post("/complaints/file/")
    assert response.status_code == 302
    return response.url.rsplit("/", 2)[0] + "/"  # /complaints/file/<uuid>/


def post_step(client, base, step, data, *, follow_ok=True, **extra):
    response = client.post(f"{base}{step}/", {"action": "continue", **data}, **extra)
    if follow_ok:
        assert response.status_code == 302, response.content.decode()[:3000]
    return response


def allegation_data(world, *, index=0, criteria=True, **overrides):
    values = {
        "summary": "Dismissal of pregnant workers",
        "facts": "Fourteen seamstresses were dismissed after announcing their pregnancy.",
        "period_start": "2026-01-05",
        "period_end": "2026-06-30",
        "place": "Ate, Lima",
        "workers_affected": "14",
        "criteria": [world.criteria[0].pk] if criteria else [],
        "proposed_standard": "" if criteria else "No dismissal for pregnancy.",
    }
    values.update(overrides)
    return {f"allegations-{index}-{k}": v for k, v in values.items()}


def management(total=1):
    return {
        "allegations-TOTAL_FORMS": str(total),
        "allegations-INITIAL_FORMS": "0",
        "allegations-MIN_NUM_FORMS": "1",
        "allegations-MAX_NUM_FORMS": "20",
    }


def fill_all(client, world, base, *, language="en", worker=True):
    post_step(client, base, "filing", {"kind": "complaint", "language": language})
    if worker:
        complainants = {
            "filer_type": "worker",
            "worker_name": WORKER_NAME,
            "worker_contact": WORKER_CONTACT,
            "contact_email": WORKER_EMAIL,
        }
    else:
        complainants = {"filer_type": "organization", "organizations": [world.union.pk]}
    post_step(client, base, "complainants", complainants)
    post_step(
        client,
        base,
        "respondents",
        {
            "governments": [world.government.pk],
            "agencies": [world.agency.pk],
            "employers": [world.employer.pk],
            "corporations": [world.corporation.pk],
            "sectors": [world.sector.pk],
            "new_1_kind": "employer",
            "new_1_name": "Taller de Acabados San Martín",
            "new_1_country": str(world.peru.pk),
        },
    )
    post_step(client, base, "allegations", {**management(), **allegation_data(world)})
    post_step(client, base, "remedies", {"remedies_sought": "Reinstatement with back pay."})
    post_step(client, base, "evidence", {})
    post_step(client, base, "confidentiality", {"confidentiality_request": "Fear of reprisals."})


def test_a_worker_files_without_an_account_from_start_to_acknowledgment(
    world, client, django_capture_on_commit_callbacks
):
    base = start(client)
    fill_all(client, world, base)
    review = client.get(f"{base}review/")
    body = review.content.decode()
    assert review.status_code == 200
    for text in (WORKER_NAME, "Dismissal of pregnant workers", "Taller de Acabados San Martín"):
        assert text in body  # the filer checks their own answers
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{base}review/", {"confirm": "on"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert response.url == f"/complaints/filed/{case.docket_number}/"
    ack = client.get(response.url).content.decode()
    code = re.search(r'id="access-code">([A-Z0-9-]+)<', ack).group(1)
    assert case.docket_number in ack
    assert "Hearing held by" in ack
    assert client.get(response.url).content.decode().count(code) == 0  # shown once
    # Everything the filer entered is on the case.
    assert case.received_via == "portal"
    assert case.language == "en"
    assert Complainant.objects.get(case=case).name == WORKER_NAME
    assert case.respondents.count() == 6
    assert case.respondents.filter(name_given="Taller de Acabados San Martín").exists()
    assert case.allegations.get().criteria.get() == world.criteria[0]
    assert Clock.objects.filter(docket_number=case.docket_number).count() == 2
    assert FilingDraft.objects.get().submitted_case == case
    assert FilingDraft.objects.get().data == {}
    assert mail.outbox[0].to == [WORKER_EMAIL]
    # The filer follows the case, downloads the receipt; a new browser needs the code.
    status = client.get(f"/complaints/cases/{case.docket_number}/")
    assert status.status_code == 200
    assert b"Worker A" in status.content
    assert WORKER_NAME.encode() not in status.content
    receipt = client.get(f"/complaints/cases/{case.docket_number}/receipt.pdf")
    assert receipt["Content-Type"] == "application/pdf"
    assert b"".join(receipt.streaming_content).startswith(b"%PDF")
    stranger = Client()
    assert stranger.get(f"/complaints/cases/{case.docket_number}/").status_code == 404
    wrong = stranger.post(
        "/complaints/track/", {"docket_number": case.docket_number, "access_code": "AAAA-BBBB"}
    )
    assert b"do not match" in wrong.content
    tracked = stranger.post(
        "/complaints/track/", {"docket_number": case.docket_number, "access_code": code}
    )
    assert tracked.status_code == 302
    assert stranger.get(f"/complaints/cases/{case.docket_number}/").status_code == 200


def test_the_portal_speaks_spanish_by_accept_language(world, client):
    response = client.get("/complaints/", HTTP_ACCEPT_LANGUAGE="es")
    body = response.content.decode()
    assert 'lang="es"' in body
    assert "Presentar una queja o petición" in body
    base = start(client)
    page = client.get(f"{base}filing/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "¿Qué presenta?" in page
    assert "Paso 1 de 8" in page


def test_a_spanish_filing_gets_spanish_dates(world, client):
    client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    base = start(client)
    fill_all(client, world, base, language="es")
    client.post(f"{base}review/", {"confirm": "on"})
    case = Case.objects.get()
    page = client.get(f"/complaints/filed/{case.docket_number}/").content.decode()
    assert "Presentación recibida" in page
    months = (
        "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
    )
    assert any(f" de {m} de " in page for m in months.split())
    assert "Audiencia celebrada" in page or "Audiencia" in page


def test_save_and_come_back_with_a_resume_code(world, client):
    base = start(client)
    post_step(client, base, "filing", {"kind": "petition", "language": "en"})
    # Incomplete answers are saved as typed.
    response = client.post(
        f"{base}complainants/", {"action": "save_exit", "filer_type": "worker", "worker_name": ""}
    )
    assert response.status_code == 302
    saved = client.get(response.url).content.decode()
    code = re.search(r'id="resume-code">([A-Z0-9-]+)<', saved).group(1)
    other = Client()
    assert other.get(f"{base}filing/").status_code == 404
    assert b"No saved filing" in other.post("/complaints/resume/", {"code": "WRONG"}).content
    resumed = other.post("/complaints/resume/", {"code": code.lower()})
    assert resumed.status_code == 302
    assert resumed.url == f"{base}complainants/"
    page = other.get(resumed.url).content.decode()
    assert 'value="worker"' in page
    assert "checked" in page
    assert "There is a problem" not in page  # saved answers are not shown as errors on return
    first = other.get(f"{base}filing/").content.decode()
    assert re.search(r'value="petition"[^>]*checked', first)


def test_a_step_with_errors_shows_an_error_summary_and_keeps_the_answers(world, client):
    base = start(client)
    response = client.post(
        f"{base}complainants/", {"action": "continue", "filer_type": "worker", "worker_name": ""}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body
    assert 'href="#id_worker_name"' in body
    assert "<title>Error:" in body
    assert 'aria-invalid="true"' in body
    assert FilingDraft.objects.get().data["complainants"]["filer_type"] == ["worker"]


def test_add_another_allegation_then_submit_two(world, client):
    base = start(client)
    fill_all(client, world, base)
    added = client.post(
        f"{base}allegations/",
        {"action": "add", **management(), **allegation_data(world)},
    )
    assert added.status_code == 200
    assert b"Allegation 2" in added.content
    assert b"There is a problem" not in added.content
    post_step(
        client,
        base,
        "allegations",
        {
            **management(2),
            **allegation_data(world),
            **allegation_data(
                world, index=1, criteria=False, summary="Prison labor", workers_affected=""
            ),
        },
    )
    client.post(f"{base}review/", {"confirm": "on"})
    case = Case.objects.get()
    _first, second = case.allegations.order_by("number")
    assert second.summary == "Prison labor"
    assert second.flagged_for_deliberation
    assert second.workers_affected is None


def test_review_lists_incomplete_steps_and_refuses_to_submit(world, client):
    base = start(client)
    post_step(client, base, "filing", {"kind": "complaint", "language": "en"})
    response = client.post(f"{base}review/", {"confirm": "on"})
    assert response.status_code == 400
    assert b"Some answers need your attention" in response.content
    assert not Case.objects.exists()


def test_submitting_twice_files_once(world, client):
    base = start(client)
    fill_all(client, world, base)
    first = client.post(f"{base}review/", {"confirm": "on"})
    second = client.post(f"{base}review/", {"confirm": "on"})
    assert Case.objects.count() == 1
    assert first.url == second.url


def test_the_honeypot_refuses_bots(world, client):
    base = start(client)
    fill_all(client, world, base)
    response = client.post(f"{base}review/", {"confirm": "on", "website": "http://spam"})
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_submissions_are_rate_limited_per_client(world, settings):
    settings.PORTAL_RATE_LIMITS = {**settings.PORTAL_RATE_LIMITS, "submit": "2/hour"}
    statuses = []
    for _ in range(3):
        client = Client(REMOTE_ADDR="203.0.113.7")
        base = start(client)
        fill_all(client, world, base)
        statuses.append(client.post(f"{base}review/", {"confirm": "on"}).status_code)
    assert statuses == [302, 302, 429]
    assert Case.objects.count() == 2
    other = Client(REMOTE_ADDR="203.0.113.8")
    base = start(other)
    fill_all(other, world, base)
    assert other.post(f"{base}review/", {"confirm": "on"}).status_code == 302


def test_every_post_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/complaints/file/").status_code == 403
    draft = FilingDraft.objects.create()
    session = client.session
    session["complaints.drafts"] = [str(draft.pk)]
    session.save()
    for step in ("filing", "evidence", "review"):
        assert client.post(f"/complaints/file/{draft.pk}/{step}/", {}).status_code == 403
    assert client.post("/complaints/track/", {}).status_code == 403
    assert client.post("/complaints/resume/", {}).status_code == 403


def test_an_upload_is_checked_by_content_and_a_refusal_keeps_the_draft(world, client):
    base = start(client)
    fake = SimpleUploadedFile("statement.pdf", b"MZ\x90\x00" + b"\x00" * 64)
    response = client.post(
        f"{base}evidence/", {"action": "upload", "file": fake, "description": "x"}
    )
    assert response.status_code == 400
    assert b"not accepted" in response.content
    assert not Evidence.objects.exists()
    good = SimpleUploadedFile("statement.pdf", PDF)
    assert client.post(f"{base}evidence/", {"action": "upload", "file": good}).status_code == 302
    evidence = Evidence.objects.get()
    listing = client.get(f"{base}evidence/").content.decode()
    assert "statement.pdf" in listing
    client.post(f"{base}evidence/", {"action": f"remove-{evidence.pk}"})
    assert not Evidence.objects.exists()


def test_evidence_is_served_only_to_those_entitled(world, client):
    base = start(client)
    client.post(f"{base}evidence/", {"action": "upload", "file": SimpleUploadedFile("s.pdf", PDF)})
    fill_all(client, world, base)
    client.post(f"{base}review/", {"confirm": "on"})
    case = Case.objects.get()
    evidence = case.evidence.get()
    url = f"/complaints/cases/{case.docket_number}/evidence/{evidence.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    assert Client().get(url).status_code == 404
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get(url).status_code == 403
    staff = Client()
    staff.force_login(world.staff)
    assert staff.get(url).status_code == 200
    assert "/media/" not in evidence.file.url or Client().get(evidence.file.url).status_code == 404
    Evidence.objects.filter(pk=evidence.pk).update(scan_status=Evidence.ScanStatus.PENDING)
    assert client.get(url).status_code == 404


def test_an_organization_files_through_its_delegate_and_every_delegate_follows_it(world):
    client = Client()
    client.force_login(world.delegate)
    base = start(client)
    fill_all(client, world, base, worker=False)
    client.post(f"{base}review/", {"confirm": "on"})
    case = Case.objects.get()
    assert case.filed_by == world.delegate
    assert case.complainants.get().organization == world.union
    second = Client()
    from django.contrib.auth import get_user_model

    second.force_login(get_user_model().objects.get(username="union.second"))
    mine = second.get("/complaints/cases/").content.decode()
    assert case.docket_number in mine
    assert second.get(f"/complaints/cases/{case.docket_number}/").status_code == 200
    other_org = Client()
    other_org.force_login(world.hro_delegate)
    assert other_org.get(f"/complaints/cases/{case.docket_number}/").status_code == 403


def test_a_worker_with_an_account_only_sees_the_worker_choice(world):
    client = Client()
    client.force_login(world.outsider)
    base = start(client)
    page = client.get(f"{base}complainants/").content.decode()
    assert 'value="organization"' not in page
    assert 'value="worker"' in page


def test_staff_enter_a_paper_filing_received_in_the_past(world):
    client = Client()
    client.force_login(world.staff)
    base = start(client)
    fill_all(client, world, base)
    future = timezone.localtime() + dt.timedelta(hours=2)
    refused = client.post(
        f"{base}review/",
        {
            "confirm": "on",
            "received_via": "paper",
            "received_at": future.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert refused.status_code == 400
    assert b"cannot be in the future" in refused.content
    past = timezone.localtime() - dt.timedelta(days=4)
    client.post(
        f"{base}review/",
        {
            "confirm": "on",
            "received_via": "paper",
            "received_at": past.strftime("%Y-%m-%dT%H:%M"),
            "intake_reference": "REG-55",
        },
    )
    case = Case.objects.get()
    assert case.received_via == "paper"
    assert case.intake_reference == "REG-55"
    assert case.received_at == past.replace(second=0, microsecond=0)
    assert case.recorded_by == world.staff
    assert Complainant.objects.get(case=case).user is None


def test_the_public_docket_shows_pseudonyms_misses_and_nothing_confidential(
    world, client, django_assert_max_num_queries
):
    file_case(world, received_days_ago=95, organization=world.union, language="en")
    file_case(world, received_days_ago=10, withhold_organization_names=True, organization=world.hro)
    body = client.get("/complaints/docket/").content.decode()
    for secret in (WORKER_NAME, WORKER_CONTACT, WORKER_EMAIL, "Fear of reprisals", "Fourteen"):
        assert secret not in body
    assert "Worker B" in body
    assert world.union.name in body
    assert world.hro.name not in body
    assert "Organization A" in body
    assert "Missed" in body  # the 95-day-old case's clocks passed unmet
    for _ in range(8):
        file_case(world, received_days_ago=3)
    with django_assert_max_num_queries(12):
        assert client.get("/complaints/docket/").status_code == 200
    case = Case.objects.order_by("received_at").first()
    detail = client.get(f"/complaints/docket/{case.docket_number}/").content.decode()
    assert "Statutory clock started" in detail
    assert WORKER_NAME not in detail
    assert "Fourteen" not in detail


def test_the_public_api_has_no_confidential_field_and_constant_queries(
    world, client, django_assert_max_num_queries
):
    file_case(world, received_days_ago=95, organization=world.union)
    with django_assert_max_num_queries(10):
        first = client.get("/api/v1/docket/")
    for _ in range(10):
        file_case(world, received_days_ago=2)
    with django_assert_max_num_queries(10):
        response = client.get("/api/v1/docket/")
    assert first.status_code == response.status_code == 200
    text = response.content.decode()
    for secret in (WORKER_NAME, WORKER_CONTACT, WORKER_EMAIL, "Fear of reprisals", "Fourteen"):
        assert secret not in text
    row = response.json()["results"][-1]
    assert row["complainants"] == [world.union.name, "Worker B"]
    assert {d["status"] for d in row["deadlines"]} == {"overdue"}
    assert set(row) >= {"docket_number", "allegations", "respondents", "deadlines"}
    assert not {"contact_email", "confidentiality_request", "facts"} & set(row)
    assert "facts" not in row["allegations"][0]
    detail = client.get(f"/api/v1/docket/{row['docket_number']}/").json()
    assert detail["docket_number"] == row["docket_number"]


def test_status_page_shows_deadlines_with_days_remaining_and_the_timeline(world):
    case = file_case(world, received_days_ago=50, organization=world.union)
    client = Client()
    client.force_login(world.delegate)
    body = client.get(f"/complaints/cases/{case.docket_number}/").content.decode()
    assert "days left" in body or "day left" in body
    assert "Not scheduled yet" in body
    assert "Filing received" in body
    assert "Statutory clock started" in body
    assert "Fourteen seamstresses" in body  # parties see the facts
    assert WORKER_NAME not in body  # but not the worker's identity
    staff = Client()
    staff.force_login(world.staff)
    staff_body = staff.get(f"/complaints/cases/{case.docket_number}/").content.decode()
    assert WORKER_NAME in staff_body  # entitled staff do


def test_pages_need_the_right_draft(world, client):
    draft = FilingDraft.objects.create()
    assert client.get(f"/complaints/file/{draft.pk}/filing/").status_code == 404
    base = start(client)
    assert client.get(f"{base}no-such-step/").status_code == 404


def test_my_cases_needs_a_sign_in(world, client):
    response = client.get("/complaints/cases/")
    assert response.status_code == 302
    assert response.url.startswith("/complaints/sign-in/")
    signed = client.post(
        "/complaints/sign-in/",
        {"username": world.delegate.username, "password": "pw-for-tests-only"},
    )
    assert signed.status_code == 302
    assert client.get("/complaints/cases/").status_code == 200


def test_an_added_allegation_left_empty_is_ignored(world, client):
    base = start(client)
    added = client.post(
        f"{base}allegations/", {"action": "add", **management(), **allegation_data(world)}
    )
    html = added.content.decode()
    assert 'name="allegations-INITIAL_FORMS" value="1"' in html
    assert 'name="allegations-TOTAL_FORMS" value="2"' in html
    response = client.post(
        f"{base}allegations/",
        {
            "action": "continue",
            **management(2),
            "allegations-INITIAL_FORMS": "1",
            **allegation_data(world),
        },
    )
    assert response.status_code == 302
