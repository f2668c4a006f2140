"""Bounded input in the filing steps: formset counts capped on the server and never saved in
a state that cannot be rendered, numbers within the database's range, dates in a plausible
window, free text with a maximum length, and step saves rate-limited."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from complaints.models import FilingDraft
from tests.complaints.test_portal import allegation_data, management, post_step, start

pytestmark = pytest.mark.django_db


def _draft(base: str) -> FilingDraft:
    return FilingDraft.objects.get(pk=base.rstrip("/").rsplit("/", 1)[-1])


def _form_count(response) -> int:
    """How many allegation forms the page renders."""
    parts = response.content.decode().split('name="allegations-')[1:]
    return len({p.split("-", 1)[0] for p in parts if p.split("-", 1)[0].isdigit()})


def test_a_forged_form_count_is_capped_on_the_server(world, client):
    base = start(client)
    data = {**management(400), **allegation_data(world)}
    response = client.post(f"{base}allegations/", {"action": "continue", **data})
    assert response.status_code in (302, 400)
    assert _form_count(response) <= 20
    saved = _draft(base).data["allegations"]
    assert saved["allegations-TOTAL_FORMS"] == ["20"]
    again = client.get(f"{base}allegations/")
    assert again.status_code == 200
    assert _form_count(again) <= 20


@pytest.mark.parametrize("total", ["abc", "-3", "1e9", "99999999999999999999999"])
def test_a_draft_saved_with_a_garbage_count_still_renders(world, client, total):
    base = start(client)
    data = {**management(1), **allegation_data(world), "allegations-TOTAL_FORMS": total}
    response = client.post(f"{base}allegations/", {"action": "save_exit", **data})
    assert response.status_code == 302
    assert client.get(f"{base}allegations/").status_code == 200
    add = client.post(f"{base}allegations/", {"action": "add", **data})
    assert add.status_code == 200
    assert _form_count(add) <= 20


def test_fields_that_are_not_the_steps_are_not_saved(world, client):
    base = start(client)
    client.post(
        f"{base}filing/",
        {"action": "save_exit", "kind": "complaint", "language": "en", "junk": "x" * 1000},
    )
    assert "junk" not in _draft(base).data["filing"]


def test_step_saves_are_rate_limited(world, settings):
    settings.PORTAL_RATE_LIMITS = {**settings.PORTAL_RATE_LIMITS, "step": "3/hour"}
    client = Client()
    base = start(client)
    codes = [
        client.post(f"{base}filing/", {"action": "save_exit", "kind": "complaint"}).status_code
        for _ in range(4)
    ]
    assert codes == [302, 302, 302, 429]


@pytest.mark.parametrize(
    "overrides",
    [
        {"allegations-0-criteria": ["99999999999999999999999999"]},
        {"allegations-0-criteria": ["9223372036854775808"]},
        {"workers_affected": "2147483648"},
        {"workers_affected": "1000000000000000000000000000000"},
        {"workers_affected": "1e30"},
        {"period_start": "0001-01-01"},
        {"period_start": "1999-12-31"},
        {"period_end": "9999-12-31"},
        {"facts": "x" * 1_000_000},
        {"proposed_standard": "x" * 20_000, "allegations-0-criteria": []},
    ],
)
def test_out_of_range_allegation_answers_are_refused_on_their_step(world, client, overrides):
    base = start(client)
    keys = {k: v for k, v in overrides.items() if k.startswith("allegations-")}
    fields = {k: v for k, v in overrides.items() if k not in keys}
    data = {**management(), **allegation_data(world, **fields), **keys}
    response = post_step(client, base, "allegations", data, follow_ok=False)
    assert response.status_code == 400
    assert "clean" not in str(_draft(base).data.get("_clean", {}).get("allegations", ""))


@pytest.mark.parametrize("field", ["employers", "governments", "sectors"])
def test_huge_keys_in_respondents_are_refused(world, client, field):
    base = start(client)
    response = post_step(
        client, base, "respondents", {field: ["99999999999999999999999999"]}, follow_ok=False
    )
    assert response.status_code == 400


def test_the_service_refuses_what_the_form_refuses(world):
    import datetime as dt

    from django.core.exceptions import ValidationError

    from complaints import services
    from tests.factories.complaints import filing_input

    filing = filing_input(world)
    for change in (
        {"workers_affected": 2**31},
        {"period_start": dt.date(1, 1, 1)},
        {"facts": "x" * 1_000_000},
    ):
        import dataclasses

        allegation = dataclasses.replace(filing.allegations[0], **change)
        with pytest.raises(ValidationError):
            services.case_file(
                filing=dataclasses.replace(filing, allegations=[allegation]), actor=AnonymousUser()
            )
