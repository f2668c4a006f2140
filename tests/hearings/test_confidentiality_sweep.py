"""The confidentiality sweep: a case with a named worker — typed by the filers into free text
too — goes through filing, a hearing with public submissions, and an issued decision. Then
every public page, every API response as every role, the receipt and opinion PDFs, every
email sent and every log line of the scenario is searched for each variant of the worker's
name (full, surnames, given name, without accents, upper case, extra spaces): none appears.
Only the staff entitled to identities (docs/adr/0032) read the name."""

from __future__ import annotations

import logging
import re
import unicodedata

import pytest
from django.core import mail
from django.test import Client

from commission import roles
from commission.actors import SYSTEM
from commission.models import Organization, OrganizationMembership
from complaints import services as complaints_services
from hearings import services
from hearings.models import Decision, Opinion, Submission
from tests.factories import hearings as f
from tests.factories.commission import OrganizationFactory, PersonFactory
from tests.hearings.pdf import pdf_text

pytestmark = pytest.mark.django_db

NAME = f.WORKER_NAME  # "Rosa Elvira Quispe Huamán"
# A panel member of the test world is "Julia Quispe Mamani": "Quispe" alone is her public
# name, so the sweep looks for the worker's distinguishing parts and every combination.
VARIANTS = [
    NAME,
    NAME.upper(),
    "Rosa  Elvira   Quispe  Huamán",
    "Rosa Elvira Quispe Huaman",
    "Quispe Huamán",
    "QUISPE HUAMAN",
    "Huamán",
    "huaman",
    "Elvira",
    "Rosa Elvira",
]


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(text.split())


FOLDED = sorted({fold(v) for v in VARIANTS}, key=len, reverse=True)


def leaks(text: str) -> list[str]:
    haystack = fold(text)
    return [v for v in FOLDED if re.search(rf"(?<!\w){re.escape(v)}(?!\w)", haystack)]


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def _user(username: str, group: str | None = None, org: Organization | None = None):
    user = f.user_in(group or roles.FILERS, username)
    if org is not None:
        OrganizationMembership.objects.create(
            organization=org,
            person=PersonFactory(user=user, full_name=username),
            role=OrganizationMembership.Role.DELEGATE,
        )
    return user


@pytest.fixture
def scenario(logs, world, at, django_capture_on_commit_callbacks):
    at(f.FILED_AT + f.dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        case = f.complaint_file(world.parties, world.criteria)
        case.contact_email = "worker@example.org"  # the worker asked for the acknowledgment
        case.save(update_fields=["contact_email"])
        complaints_services.receipt_render(case_id=case.pk)
        complaints_services.acknowledgment_send(case_id=case.pk)
    at(f.day(3))
    f.panel_seat(world.members, case)
    at(f.day(20))
    with django_capture_on_commit_callbacks(execute=True):
        hearing = f.hearing_schedule(case)
    at(f.day(30))
    hro = OrganizationFactory(kind=Organization.Kind.HUMAN_RIGHTS_ORGANIZATION, name="Observers")
    delegate = _user("observer", org=hro)
    participant = services.participant_register(hearing=hearing, organization=hro, actor=delegate)
    for title in (f"Statement of {NAME.upper()}", "Testimony of huaman", "Letter from Elvira"):
        submission = services.submission_file(
            participant=participant,
            kind=Submission.Kind.WRITTEN_EVIDENCE,
            title=title,
            text=f"{NAME} told us what happened.",
            actor=delegate,
        )
        services.submission_review(submission=submission, actor=world.staff)
    at(f.day(50, 15))
    with django_capture_on_commit_callbacks(execute=True):
        services.hearing_record_held(hearing=hearing, held_at=f.day(50, 9), actor=SYSTEM)
    at(f.day(70))
    decision = services.decision_open(case=case, actor=SYSTEM)
    f.findings_complete(decision, world.criteria)
    f.sanctions_complete(decision, world.parties)
    at(f.day(85, 11))
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_issue(decision=decision, actor=SYSTEM)
    case.refresh_from_db()
    return case, hearing, Decision.objects.get(pk=decision.pk)


def test_no_variant_of_a_worker_name_reaches_anyone_but_entitled_staff(world, scenario, logs):
    case, hearing, decision = scenario
    found: dict[str, list[str]] = {}

    def check(where: str, text: str) -> None:
        hits = leaks(text)
        if hits:
            found[where] = hits

    public_pages = [
        "/",
        "/timeliness/",
        "/complaints/docket/",
        f"/complaints/docket/{case.docket_number}/",
        "/hearings/",
        f"/hearings/{hearing.pk}/",
        "/hearings/calendar.ics",
        "/hearings/decisions/",
        f"/hearings/decisions/{decision.pk}/",
        "/hearings/opinions/",
        "/criteria/",
    ]
    api = [
        "/api/v1/docket/",
        f"/api/v1/docket/{case.docket_number}/",
        "/api/v1/hearings/",
        f"/api/v1/hearings/{hearing.pk}/",
        "/api/v1/decisions/",
        f"/api/v1/decisions/{decision.pk}/",
        "/api/v1/opinions/",
        "/api/v1/clocks/",
        "/api/v1/timeliness/",
    ]
    m = world.members
    union_delegate = _user("union.sweep", org=world.parties.union)
    readers = {
        "anonymous": None,
        "member on the panel": m.worker_pe.person.user,
        "member off the panel": m.jurist_pe.person.user,
        "complainant's delegate": union_delegate,
        "outsider": _user("outsider.sweep"),
    }
    for role, user in readers.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        for path in public_pages + api:
            response = client.get(path)
            assert response.status_code == 200, (role, path, response.status_code)
            check(f"{role} {path}", response.content.decode())
        status = client.get(f"/complaints/cases/{case.docket_number}/")
        if status.status_code == 200:
            check(f"{role} status page", status.content.decode())
        receipt = client.get(f"/complaints/cases/{case.docket_number}/receipt.pdf")
        if receipt.status_code == 200:
            check(f"{role} receipt", pdf_text(b"".join(receipt.streaming_content)))
    # The PDFs themselves, whoever fetches them.
    case.refresh_from_db()
    check("receipt PDF", pdf_text(case.receipt_pdf.open("rb").read()))
    for stored in Opinion.objects.filter(decision=decision):
        check(f"opinion {stored.sha256[:8]}", pdf_text(stored.file.open("rb").read()))
    # Every email of the scenario, every log line.
    assert mail.outbox, "the scenario sends notices"
    for number, message in enumerate(mail.outbox):
        alternatives = " ".join(str(body) for body, _mime in getattr(message, "alternatives", []))
        where = f"email {number}: {message.subject}"
        check(where, f"{message.subject}\n{message.body}\n{alternatives}")
        for name, content, mimetype in message.attachments:
            if mimetype == "application/pdf":
                check(f"{where} {name}", pdf_text(content))
    check("logs", logs.text)
    assert not found, found

    # The matcher is not vacuous: the entitled staff read the name on the status page.
    staff = Client()
    staff.force_login(world.staff)
    page = staff.get(f"/complaints/cases/{case.docket_number}/").content.decode()
    assert leaks(page)
