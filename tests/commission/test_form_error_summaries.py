"""The error summary of the portal's filing steps on every other portal form, the ones staff,
teams and members use among them: a box at the top, titled, that names each field in error and
links to its control (the focus moves to it: static/js/portal.js)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from commission.templatetags.portal_forms import form_error_list
from tests.factories.investigations import build_team_world, open_agency_monitoring

pytestmark = pytest.mark.django_db


def _summary(html: str) -> list[tuple[str, str]]:
    match = re.search(r'<div class="error-summary"[^>]*id="error-summary">(.*?)</div>', html, re.S)
    assert match, "no error summary"
    assert "There is a problem" in match.group(1)
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', match.group(1))


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def tw():
    return build_team_world()


def test_the_teams_verification_page_names_and_links_each_field(tw):
    response = _signed_in(tw.lead).post("/sanctions/verify/", {})
    assert response.status_code == 200
    html = response.content.decode()
    links = dict(_summary(html))
    for anchor, label in [
        ("id_benchmark", "Benchmark"),
        ("id_team", "Your team"),
        ("id_measured_on", "Measured on"),
        ("id_method_applied", "How it was measured"),
    ]:
        assert links[anchor] == f"{label}: This field is required.", links
        assert f'id="{anchor}"' in html
    assert "<title>Error:" in html
    assert "(required)" in html  # required fields marked in their labels


def test_the_team_workspace_forms_name_and_link_each_field(tw):
    investigation = open_agency_monitoring(tw)
    client = _signed_in(tw.lead)
    response = client.post(f"/investigations/{investigation.pk}/findings/new/", {"summary": ""})
    assert response.status_code == 200
    html = response.content.decode()
    links = dict(_summary(html))
    assert links["id_summary"].endswith(": This field is required."), links
    for anchor, message in links.items():
        label, _rest = message.split(": ", 1)
        assert label
        assert f'id="{anchor}"' in html


def test_the_sign_in_and_follow_a_case_forms_name_and_link_each_field(tw):
    client = Client()
    links = dict(_summary(client.post("/complaints/sign-in/", {"username": ""}).content.decode()))
    assert set(links) == {"id_username", "id_password"}
    assert links["id_username"].endswith(": This field is required.")
    links = dict(_summary(client.post("/complaints/track/", {"access_code": ""}).content.decode()))
    assert "id_docket_number" in links


def test_the_error_list_puts_the_forms_own_errors_first_without_a_link():
    from django import forms

    class Form(forms.Form):
        name = forms.CharField(label="Name")

        def clean(self):
            raise forms.ValidationError("Refused by the rule.")

    form = Form({})
    form.is_valid()
    assert form_error_list(form) == [
        ("", "Refused by the rule."),
        ("id_name", "Name: This field is required."),
    ]
    assert form_error_list(Form()) == []
