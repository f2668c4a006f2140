import datetime as dt
import hashlib

import pytest

from commission.actors import SYSTEM
from hearings import opinion, services, signing
from hearings.models import Opinion
from tests.factories import hearings as f
from tests.hearings.pdf import pdf_metadata, pdf_text


@pytest.fixture
def adopted(world, heard, at, django_capture_on_commit_callbacks):
    """The Peru decision, issued on day 85."""
    at(f.day(70))
    decision = services.decision_open(case=heard.case, actor=SYSTEM)
    f.findings_complete(decision, world.criteria)
    f.sanctions_complete(decision, world.parties)
    at(f.day(85, 11))
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_issue(decision=decision, actor=SYSTEM)
    decision.refresh_from_db()
    return decision


def test_pdf_content(world, adopted):
    """Must hold: the docket number, the criteria version ids and the clock dates are in the
    PDF; the confidential worker's name is not."""
    stored = Opinion.objects.get(decision=adopted)
    data = stored.file.read()
    assert hashlib.sha256(data).hexdigest() == stored.sha256
    text = pdf_text(data)
    flat = " ".join(text.split())
    assert adopted.case.docket_number in flat
    c = world.criteria
    for version in (c.pregnancy_v2, c.recognition, c.prison_labor):
        assert version.identifier in flat
    # Clock arithmetic: filing, day 1, the moved day 60 (Labour Day), day 90 moved back.
    assert "2 March 2026" in flat
    assert "3 March 2026" in flat
    assert "30 April 2026" in flat
    assert "1 May 2026" in flat
    assert "29 May 2026" in flat
    assert "31 May 2026" in flat
    assert "day 50 of 60" in flat
    assert "day 85 of 90" in flat
    # Parties (worker by pseudonym), findings, sanctions and panel are all there.
    assert "Sindicato de Trabajadores de Confecciones del Pacífico" in flat
    assert "Worker " in flat
    assert f.WORKER_NAME not in flat
    assert "Quispe Huamán" not in flat
    assert "+51 999" not in flat
    assert "Northfield Apparel Group, Inc." in flat
    assert "Eleanor Whitfield" in flat
    assert "presiding" in flat
    assert "Page 1 of" in flat
    assert stored.page_count == len(text.split("\f")) or stored.page_count >= 3


def test_withheld_organization_names_are_absent(world, at, django_capture_on_commit_callbacks):
    at(f.FILED_AT + dt.timedelta(minutes=5))
    case = f.complaint_file(world.parties, world.criteria, withhold=True)
    at(f.day(3))
    f.panel_seat(world.members, case)
    at(f.day(20))
    hearing = f.hearing_schedule(case)
    at(f.day(50, 15))
    services.hearing_record_held(hearing=hearing, held_at=f.day(50, 9), actor=SYSTEM)
    at(f.day(70))
    decision = services.decision_open(case=case, actor=SYSTEM)
    f.findings_complete(decision, world.criteria)
    f.sanctions_complete(decision, world.parties)
    rendered = opinion.decision_pdf(decision, sign=False)
    flat = " ".join(pdf_text(rendered.data).split())
    assert "Sindicato de Trabajadores" not in flat
    assert "Centro de Derechos Laborales" not in flat
    assert "Organization A" in flat


def test_two_renders_are_byte_identical(world, adopted, signing_key):
    """Must hold: the same decision renders the same bytes (signed or not)."""
    first = opinion.decision_pdf(adopted, sign=False)
    second = opinion.decision_pdf(adopted, sign=False)
    assert first.data == second.data
    assert first.sha256 == second.sha256
    signed_a = opinion.decision_pdf(adopted)
    signed_b = opinion.decision_pdf(adopted)
    assert signed_a.signed
    assert signed_a.data == signed_b.data
    assert signed_a.sha256 != first.sha256
    meta = pdf_metadata(first.data)
    assert meta["/CreationDate"] == meta["/ModDate"]
    assert meta["/CreationDate"].startswith("D:20260526")


def test_the_signature_is_pades_and_validates(world, adopted, signing_key):
    rendered = opinion.decision_pdf(adopted)
    check = signing.signature_check(rendered.data)
    assert check.present
    assert check.intact
    assert check.valid
    assert check.by_commission_key
    at = rendered.data.index(b"stream\n") + 60
    tampered = rendered.data[:at] + bytes([rendered.data[at] ^ 0x01]) + rendered.data[at + 1 :]
    assert signing.signature_check(tampered).by_commission_key is False


def test_the_opinion_in_spanish(world, at, django_capture_on_commit_callbacks):
    at(f.FILED_AT + dt.timedelta(minutes=5))
    case = f.complaint_file(world.parties, world.criteria, language="es")
    at(f.day(3))
    f.panel_seat(world.members, case)
    at(f.day(20))
    hearing = f.hearing_schedule(case)
    at(f.day(50, 15))
    services.hearing_record_held(hearing=hearing, held_at=f.day(50, 9), actor=SYSTEM)
    at(f.day(70))
    decision = services.decision_open(case=case, actor=SYSTEM)
    f.findings_complete(decision, world.criteria)
    f.sanctions_complete(decision, world.parties)
    at(f.day(85))
    services.decision_issue(decision=decision, actor=SYSTEM)
    decision.refresh_from_db()
    flat = " ".join(pdf_text(opinion.decision_pdf(decision, sign=False).data).split())
    assert "Expediente" in flat or "Número de expediente" in flat
    assert "Página 1 de" in flat
    assert "abril de 2026" in flat
    assert "Ninguna trabajadora puede ser despedida durante el embarazo" in flat
    assert case.docket_number in flat


def test_a_long_opinion_has_a_table_of_contents(world, adopted):
    context = opinion.decision_context(adopted)
    assert context["toc"] is False or context["toc"] is True
    context["toc"] = True
    flat = " ".join(pdf_text(opinion.pdf_render(context, sign=False).data).split())
    assert "Contents" in flat
    context["toc"] = False
    assert "Contents" not in " ".join(
        pdf_text(opinion.pdf_render(context, sign=False).data).split()
    )


def test_long_text_turns_the_table_of_contents_on(world, heard, at):
    at(f.day(70))
    decision = services.decision_open(case=heard.case, actor=SYSTEM)
    f.findings_complete(decision, world.criteria)
    finding = decision.findings.first()
    services.finding_record(finding=finding, reasoning="The panel finds. " * 1000, actor=SYSTEM)
    assert opinion.decision_context(decision)["toc"] is True
