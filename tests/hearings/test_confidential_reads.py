"""Every read of confidential data through the hearings' doors is logged before it is shown:
a submission's words unredacted in the staff workspace (list and page) — and nothing is logged
for a reader who only ever sees them redacted."""

from __future__ import annotations

import pytest

from commission import roles
from commission.models import ConfidentialRead, Organization, OrganizationMembership
from hearings import services
from hearings.models import Submission
from tests.factories.commission import OrganizationFactory, PersonFactory
from tests.factories.hearings import WORKER_NAME, user_in
from tests.staff.conftest import login

pytestmark = pytest.mark.django_db


def _submission(hearing, title: str) -> Submission:
    user = user_in(roles.FILERS, "supporter")
    org = OrganizationFactory(kind=Organization.Kind.HUMAN_RIGHTS_ORGANIZATION, name="Support")
    OrganizationMembership.objects.create(
        organization=org,
        person=PersonFactory(user=user, full_name="Supporter"),
        role=OrganizationMembership.Role.DELEGATE,
    )
    participant = services.participant_register(hearing=hearing, organization=org, actor=user)
    return services.submission_file(
        participant=participant,
        kind=Submission.Kind.WRITTEN_EVIDENCE,
        title=title,
        text="The dismissal letters.",
        actor=user,
    )


def test_an_unredacted_submission_is_logged_through_the_staff_workspace(world, scheduled):
    named = _submission(scheduled, f"Statement of {WORKER_NAME}")
    client = login(world.staff)
    page = client.get(f"/admin/hearings/submission/{named.pk}/change/")
    assert page.status_code == 200
    assert WORKER_NAME in page.content.decode()
    [read] = ConfidentialRead.objects.all()
    assert read.user == world.staff
    assert read.what == ConfidentialRead.What.UNREDACTED_TEXT
    assert read.door == ConfidentialRead.Door.ADMIN
    assert read.docket_number == scheduled.case.docket_number
    assert WORKER_NAME not in read.subject
    listing = client.get("/admin/hearings/submission/")
    assert WORKER_NAME in listing.content.decode()
    assert ConfidentialRead.objects.count() == 2


def test_a_submission_with_nothing_confidential_logs_nothing(world, scheduled):
    plain = _submission(scheduled, "Statement of the union")
    client = login(world.staff)
    assert client.get(f"/admin/hearings/submission/{plain.pk}/change/").status_code == 200
    assert client.get("/admin/hearings/submission/").status_code == 200
    assert not ConfidentialRead.objects.exists()
