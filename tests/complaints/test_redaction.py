"""Redaction: one normalising matcher for every confidential identity of a case, applied to
the public docket (page and API), the status page and the receipt."""

from __future__ import annotations

import unicodedata

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from commission.redaction import Identity, Redactor
from complaints import receipts, selectors
from tests.complaints.test_portal import fill_all, start

NAME = "Rosa Elvira Quispe Huamán"


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def variants(name: str) -> list[str]:
    parts = name.split()
    return [
        name,
        name.upper(),
        name.lower(),
        strip_accents(name),
        "  ".join(parts),
        "\n".join(parts),
        parts[-1],
        parts[-2],
        parts[0],
        " ".join(reversed(parts)),
        f"{parts[-2]}-{parts[-1]}",
        strip_accents(parts[-1]).upper(),
    ]


@pytest.mark.parametrize("variant", variants(NAME))
def test_every_variant_of_a_name_is_replaced(variant):
    redactor = Redactor([Identity(NAME, "Worker A")])
    out = redactor.redact(f"Statement of {variant}, dismissed in March.")
    assert out == "Statement of Worker A, dismissed in March."


def test_words_that_merely_contain_a_name_part_stay():
    redactor = Redactor([Identity(NAME, "Worker A")])
    text = "Rosas and Quispes were not named; de la Huamanga either."
    assert redactor.redact(text) == text


def test_a_withheld_organization_matches_by_its_whole_name_only():
    redactor = Redactor([Identity("Sindicato de Trabajadores", "Organization A", by_parts=False)])
    assert redactor.redact("el SINDICATO  de trabajadores dijo") == "el Organization A dijo"
    assert redactor.redact("otro sindicato") == "otro sindicato"


@given(
    filler=st.text(alphabet=st.characters(categories=["Ll", "Lu", "Zs", "Po"]), max_size=40),
    variant=st.sampled_from(variants(NAME)),
)
def test_no_surrounding_text_lets_a_name_through(filler, variant):
    redactor = Redactor([Identity(NAME, "Worker A")])
    out = redactor.redact(f"{filler} {variant} {filler}")
    folded = strip_accents(out).casefold()
    for part in ("quispe", "huaman", "elvira"):
        assert f" {part} " not in f" {folded} ".replace(",", " ").replace(".", " ")


@pytest.mark.django_db
def test_the_public_docket_redacts_a_name_typed_in_a_summary(world):
    from dataclasses import replace

    from tests.factories.complaints import WORKER_NAME, filing_input

    filing = filing_input(world)
    allegation = replace(
        filing.allegations[0], summary=f"Dismissal of {WORKER_NAME.upper()} and others"
    )
    from complaints import services

    case, _code = services.case_file(
        filing=replace(filing, allegations=[allegation, *filing.allegations[1:]]),
        actor=AnonymousUser(),
    )
    surname = WORKER_NAME.split()[1]
    for path in (
        f"/complaints/docket/{case.docket_number}/",
        f"/api/v1/docket/{case.docket_number}/",
        "/api/v1/docket/",
    ):
        body = Client().get(path).content.decode()
        assert surname.casefold() not in body.casefold(), path
        assert "Dismissal of Worker A" in body, path


@pytest.mark.django_db
def test_the_status_page_and_receipt_show_facts_by_pseudonym(world):
    from dataclasses import replace

    from complaints import services
    from tests.factories.complaints import WORKER_NAME, filing_input

    filing = filing_input(world)
    allegation = replace(filing.allegations[0], facts=f"{WORKER_NAME} was dismissed first.")
    case, _code = services.case_file(
        filing=replace(filing, allegations=[allegation]), actor=world.staff
    )
    client = Client()
    client.force_login(world.delegate)  # not a party: refused
    assert client.get(f"/complaints/cases/{case.docket_number}/").status_code == 403
    html = receipts.receipt_context(case=case)
    assert html["redactor"].matches(WORKER_NAME)
    from django.template.loader import render_to_string

    text = render_to_string("complaints/pdf/receipt.html", html)
    assert "Worker A was dismissed first." in text
    assert "Quispe" not in text
    redactor = selectors.case_redactor(case=case)
    assert redactor.redact(WORKER_NAME.upper()) == "Worker A"


@pytest.mark.django_db
def test_a_filer_sees_their_own_facts_by_pseudonym_on_the_status_page(world):
    client = Client()
    base = start(client)
    fill_all(client, world, base)
    from complaints.models import FilingDraft

    draft = FilingDraft.objects.get(pk=base.rstrip("/").rsplit("/", 1)[-1])
    data = dict(draft.data)
    data["allegations"] = {
        **data["allegations"],
        "allegations-0-facts": ["Rosa QUISPE was dismissed."],
    }
    clean = data["_clean"]
    clean["allegations"][0]["facts"] = "Rosa QUISPE was dismissed."
    draft.data = data
    draft.save()
    response = client.post(f"{base}review/", {"confirm": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    docket = response.url.rstrip("/").rsplit("/", 1)[-1]
    page = client.get(f"/complaints/cases/{docket}/").content.decode()
    assert "Worker A was dismissed." in page
    assert "QUISPE" not in page


@pytest.mark.django_db
def test_entitled_staff_still_read_the_facts_as_written(world):
    from dataclasses import replace

    from complaints import services
    from tests.factories.complaints import WORKER_NAME, filing_input

    filing = filing_input(world)
    allegation = replace(filing.allegations[0], facts=f"{WORKER_NAME} was dismissed first.")
    case, _code = services.case_file(
        filing=replace(filing, allegations=[allegation]), actor=world.staff
    )
    client = Client()
    client.force_login(world.staff)
    page = client.get(f"/complaints/cases/{case.docket_number}/").content.decode()
    assert f"{WORKER_NAME} was dismissed first." in page
