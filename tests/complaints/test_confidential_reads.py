"""Every read of a case's confidential data — workers' identities, the filer's contact, the
unredacted text — is logged before it is shown, through each door that shows it: the staff
workspace's case page and the portal's case page for staff; the interviews' reads of the team
workspace and the API go into the same log under their case. The log is append-only and staff
read it, per case, in the admin."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from commission import roles
from commission.actors import SYSTEM
from commission.confidential import confidential_read_record, confidential_reads_for_case
from commission.integrity import IntegrityRefused
from commission.models import ConfidentialRead
from investigations import services as inv_services
from investigations.models import Investigation
from tests.factories.complaints import WORKER_CONTACT, WORKER_EMAIL, WORKER_NAME, file_case
from tests.staff.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world):
    return file_case(world, received_days_ago=5)


def test_the_case_page_in_the_staff_workspace_logs_identities_and_contact(world, case):
    client = login(world.staff)
    page = client.get(f"/admin/complaints/case/{case.pk}/change/").content.decode()
    assert WORKER_NAME in page
    assert WORKER_EMAIL in page
    reads = {r.what: r for r in ConfidentialRead.objects.all()}
    assert set(reads) == {
        ConfidentialRead.What.WORKER_IDENTITY,
        ConfidentialRead.What.FILER_CONTACT,
    }
    for read in reads.values():
        assert read.user == world.staff
        assert read.door == ConfidentialRead.Door.ADMIN
        assert read.docket_number == case.docket_number
        for secret in (WORKER_NAME, WORKER_CONTACT, WORKER_EMAIL):
            assert secret not in read.subject


def test_a_staff_account_without_the_identity_right_reads_nothing_and_logs_nothing(world, case):
    clerk = world.outsider
    clerk.groups.add(Group.objects.get(name=roles.TEAM))  # reads cases, not identities
    client = login(clerk)
    page = client.get(f"/admin/complaints/case/{case.pk}/change/")
    assert page.status_code == 200
    assert WORKER_NAME not in page.content.decode()
    assert not ConfidentialRead.objects.exists()


def test_the_portal_case_page_logs_what_it_shows_to_staff_and_nothing_for_a_party(world):
    case = file_case(world, organization=world.union)  # filed by the union's delegate
    staff = Client()
    staff.force_login(world.staff)
    page = staff.get(f"/complaints/cases/{case.docket_number}/")
    assert page.status_code == 200
    assert WORKER_NAME in page.content.decode()
    [read] = ConfidentialRead.objects.all()
    assert (read.user, read.door) == (world.staff, ConfidentialRead.Door.PORTAL)
    assert read.docket_number == case.docket_number
    filer = Client()
    filer.force_login(world.delegate)
    page = filer.get(f"/complaints/cases/{case.docket_number}/")
    assert page.status_code == 200
    assert WORKER_NAME not in page.content.decode()
    assert ConfidentialRead.objects.count() == 1


def test_an_interview_read_goes_into_the_log_under_its_case(world, case):
    from investigations.models import ConfidentialAccess, Interview

    team = inv_services.team_create(
        name="Lima team", country=world.peru, staff=world.staff.person, actor=SYSTEM
    )
    investigation = inv_services.investigation_open(
        kind=Investigation.Kind.TARGETED,
        team=team,
        title="Targeted",
        subjects=[world.employer],
        complaint=case,
        actor=world.staff,
    )
    # The interview as its row (the services' grants are tested with the investigations).
    interview = Interview.objects.create(
        investigation=investigation,
        pseudonym="Worker 1",
        held_on=timezone.localdate() - dt.timedelta(days=1),
        place_description="Community hall",
        interviewee_name="Carmen Huamán",
        statement="Dismissed.",
        recorded_by=world.staff,
    )
    ConfidentialAccess.objects.create(
        user=world.staff, interview=interview, what="identity_and_statement", door="api"
    )
    [read] = confidential_reads_for_case(docket_number=case.docket_number)
    assert read.what == ConfidentialRead.What.INTERVIEW
    assert read.door == ConfidentialRead.Door.API
    assert read.user == world.staff
    assert "Worker 1" in read.subject
    assert investigation.number in read.subject
    assert "Carmen" not in read.subject


def test_the_log_refuses_unknown_kinds_and_doors_and_records_the_system(world):
    with pytest.raises(ValueError, match="unknown kind"):
        confidential_read_record(user=None, what="gossip", door="admin", subject="x")
    with pytest.raises(ValueError, match="unknown door"):
        confidential_read_record(user=None, what="interview", door="window", subject="x")
    read = confidential_read_record(
        user=None, what="interview", door="service", subject="key rotation", purpose="rotate"
    )
    assert read.user is None
    assert read.purpose == "rotate"


def test_the_log_is_append_only_and_read_only_for_staff(world, case):
    read = confidential_read_record(
        user=world.staff,
        what=ConfidentialRead.What.WORKER_IDENTITY,
        door=ConfidentialRead.Door.ADMIN,
        subject="complainant Worker 1",
        docket_number=case.docket_number,
    )
    read.subject = "nothing"
    with pytest.raises(
        IntegrityRefused, match=re.escape("commission.ConfidentialRead.subject:frozen")
    ):
        read.save()
    with pytest.raises(IntegrityRefused, match=re.escape("commission.ConfidentialRead:no_delete")):
        ConfidentialRead.objects.filter(pk=read.pk).delete()
    client = login(world.staff)
    listing = client.get(f"/admin/commission/confidentialread/?docket_number={case.docket_number}")
    assert listing.status_code == 200
    assert "complainant Worker 1" in listing.content.decode()
    assert client.get(f"/admin/commission/confidentialread/{read.pk}/delete/").status_code == 403
    assert client.get("/admin/commission/confidentialread/add/").status_code == 403
    filer = login(world.delegate)
    assert filer.get("/admin/commission/confidentialread/").status_code == 403
