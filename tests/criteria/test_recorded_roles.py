"""Participant roles in deliberation rounds come from the account's recorded role: an
account cannot report or propose "as" staff, an investigative team or a member by saying
so, through the API or any other door."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from criteria import services
from criteria.models import RoundReport
from tests.criteria.support import at

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 1)


@pytest.fixture
def round_(staff_user):
    cache.clear()
    with at(DAY):
        return services.round_convene(
            actor=staff_user,
            code="2026-4",
            title_en="Round",
            notice_en="Notice.",
            submissions_open_on=DAY,
            submissions_close_on=DAY + dt.timedelta(days=5),
        )


@pytest.mark.parametrize("declared", ["staff", "investigative_team", "member"])
def test_a_filer_cannot_declare_a_recorded_role(filer, round_, declared):
    client = APIClient()
    client.force_authenticate(filer)
    with at(DAY):
        response = client.post(
            f"/api/v1/criteria-rounds/{round_.code}/reports/",
            {"participant_role": declared, "title": "Report", "body": "From the ground."},
            format="json",
        )
    assert response.status_code == 400, response.content
    assert not RoundReport.objects.exists()


def test_the_role_defaults_to_the_recorded_one(filer, staff_user, round_):
    for user, expected in [(filer, "other"), (staff_user, "staff")]:
        client = APIClient()
        client.force_authenticate(user)
        with at(DAY):
            response = client.post(
                f"/api/v1/criteria-rounds/{round_.code}/reports/",
                {"title": "Report", "body": "From the ground."},
                format="json",
            )
        assert response.status_code == 201, response.content
        report = RoundReport.objects.get(pk=response.json()["id"])
        assert report.participant_role == expected


def test_staff_may_still_report_as_staff(staff_user, round_):
    with at(DAY):
        report = services.report_file(
            round=round_, actor=staff_user, participant_role="staff", title="T", body="B"
        )
    assert report.participant_role == "staff"
