"""Courts: the orders staff record on a case, and the record of a case by API — the public's
redacted reading, a court user's (or staff's) whole record without identities, and the
confidential parts only for the court user a recorded order addresses (that read logged)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from commission import roles
from commission import services as commission_services
from commission.integrity import IntegrityRefused
from commission.models import CaseEvent, ConfidentialRead, CourtUser
from complaints import services as complaints_services
from complaints.models import Evidence
from hearings import court
from hearings.models import CourtOrder
from investigations import services as inv_services
from investigations.models import Investigation
from tests.factories.commission import PersonFactory, UserFactory
from tests.factories.complaints import WORKER_CONTACT, WORKER_EMAIL, WORKER_NAME, file_case
from tests.factories.investigations import build_team_world, determined_violation

pytestmark = pytest.mark.django_db

STATEMENT = "I was dismissed the week after I told the supervisor I was pregnant."
INTERVIEWEE = "Carmen Huamán Rojas"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def _court_user(username: str, court_name: str):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=roles.COURT))
    court_user = CourtUser.objects.create(
        person=PersonFactory(user=user, full_name=f"Clerk {username}"), court=court_name
    )
    return user, court_user


@pytest.fixture
def world():
    tw = build_team_world()
    case = file_case(tw.base, received_days_ago=20)
    investigation = inv_services.investigation_open(
        kind=Investigation.Kind.TARGETED,
        team=tw.team,
        title="Targeted investigation of the dismissals",
        subjects=[tw.base.employer],
        complaint=case,
        actor=tw.base.staff,
    )
    inv_services.interview_record(
        investigation=investigation,
        held_on=timezone.localdate() - dt.timedelta(days=3),
        place_description="Community hall, Ate",
        off_premises=True,
        interviewee_name=INTERVIEWEE,
        statement=STATEMENT,
        actor=tw.rep,
    )
    determined_violation(tw, investigation)
    Evidence.objects.create(
        case=case,
        original_name=f"Letter of {WORKER_NAME}.pdf",
        description=f"Dismissal letter addressed to {WORKER_NAME}",
        content_type="application/pdf",
        size=1234,
        sha256="a" * 64,
    )
    # a staff step whose event is not public
    complaints_services.case_assign(case=case, staff_user=tw.base.staff, actor=tw.base.staff)
    clerk, clerk_court = _court_user("court.clerk", "Court of International Trade")
    other, other_court = _court_user("other.clerk", "Court of Appeal")
    return {
        "tw": tw,
        "case": case,
        "investigation": investigation,
        "clerk": clerk,
        "clerk_court": clerk_court,
        "other": other,
        "other_court": other_court,
        "staff": tw.base.staff,
    }


def _bearer(user, staff) -> APIClient:
    _token, raw = commission_services.api_token_issue(user=user, actor=staff, name="court")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def _order(world, kind=CourtOrder.Kind.DISCLOSE_CONFIDENTIAL, court_user=None) -> CourtOrder:
    return court.court_order_record(
        case=world["case"],
        court_user=court_user or world["clerk_court"],
        court_case_number="CIT 26-00042",
        kind=kind,
        order_date=timezone.localdate(),
        text="The commission shall produce the full record of the case.",
        actor=world["staff"],
    )


def _record(client: APIClient, case):
    response = client.get(f"/api/v1/docket/{case.docket_number}/record/")
    assert response.status_code == 200, response.content
    return response.json(), response.content.decode()


CONFIDENTIAL = [WORKER_NAME, WORKER_CONTACT, WORKER_EMAIL, INTERVIEWEE, STATEMENT]


def _nothing_confidential(text: str) -> None:
    for secret in CONFIDENTIAL:
        assert secret not in text, secret
    # a name is not shown by its parts either
    assert "Quispe" not in text


# --- the record: three readings -------------------------------------------------------------


def test_the_public_reads_a_redacted_record(world):
    body, text = _record(APIClient(), world["case"])
    assert body["reading"] == "public"
    assert body["court_order"] is None
    _nothing_confidential(text)
    assert body["events"], "the public timeline"
    assert all(
        e["verb"] in set(CaseEvent.objects.public().values_list("verb", flat=True))
        for e in body["events"]
    )
    assert body["interviews"] == []
    assert body["findings"] == []  # no issued decision cites any
    assert body["court_orders"] == []
    [evidence] = body["evidence"]
    assert evidence["sha256"] == "a" * 64
    assert evidence["file_name"] is None
    assert evidence["description"] is None
    assert [c["name"] for c in body["complainants"]] == [None]
    assert [a["number"] for a in body["allegations"]] == [1, 2]
    assert all(a["facts"] is None for a in body["allegations"])
    assert not ConfidentialRead.objects.exists()


def test_a_court_with_a_token_reads_the_whole_record_and_nothing_confidential(world):
    """Without a recorded order: every event, the evidence described, the interviews by
    pseudonym, the determined findings — no identity, no statement, no read logged."""
    body, text = _record(_bearer(world["clerk"], world["staff"]), world["case"])
    assert body["reading"] == "court"
    _nothing_confidential(text)
    all_events = CaseEvent.objects.filter(docket_number=world["case"].docket_number).count()
    assert len(body["events"]) == all_events
    assert len(body["events"]) > len(_record(APIClient(), world["case"])[0]["events"])
    [evidence] = body["evidence"]
    assert evidence["file_name"]
    assert evidence["description"]
    [interview] = body["interviews"]
    assert interview["pseudonym"]
    assert interview["interviewee_name"] is None
    assert interview["statement"] is None
    assert body["allegations"][0]["facts"].startswith("Fourteen seamstresses")
    [finding] = body["findings"]
    assert finding["result"] == "violation"
    assert finding["criterion_version"] == world["tw"].rule.identifier
    assert not ConfidentialRead.objects.exists()


def test_an_order_to_produce_the_record_grants_nothing_confidential(world):
    order = _order(world, kind=CourtOrder.Kind.PRODUCE_RECORD)
    body, text = _record(_bearer(world["clerk"], world["staff"]), world["case"])
    assert body["reading"] == "court"
    _nothing_confidential(text)
    assert [o["id"] for o in body["court_orders"]] == [order.pk]
    assert not ConfidentialRead.objects.exists()


def test_an_order_granting_the_confidential_parts_opens_them_to_its_court_user_and_logs_it(
    world,
):
    order = _order(world)
    body, _text = _record(_bearer(world["clerk"], world["staff"]), world["case"])
    assert body["reading"] == "confidential"
    assert body["court_order"] == order.pk
    worker = next(c for c in body["complainants"] if c["kind"] == "worker")
    assert worker["name"] == WORKER_NAME
    assert worker["contact"] == WORKER_CONTACT
    [interview] = body["interviews"]
    assert interview["interviewee_name"] == INTERVIEWEE
    assert interview["statement"] == STATEMENT
    assert WORKER_NAME in body["evidence"][0]["description"]
    [read] = ConfidentialRead.objects.all()
    assert read.user == world["clerk"]
    assert read.what == ConfidentialRead.What.COURT_RECORD
    assert read.door == ConfidentialRead.Door.API
    assert read.docket_number == world["case"].docket_number
    assert f"court order {order.pk}" in read.purpose
    assert "CIT 26-00042" in read.purpose
    # the log names the read, never its content
    for secret in CONFIDENTIAL:
        assert secret not in f"{read.subject} {read.purpose}"


def test_an_order_addressed_to_another_court_grants_this_one_nothing(world):
    _order(world, court_user=world["other_court"])
    body, text = _record(_bearer(world["clerk"], world["staff"]), world["case"])
    assert body["reading"] == "court"
    _nothing_confidential(text)
    assert body["court_orders"] == []  # not addressed to this court


@pytest.mark.parametrize("who", ["staff", "filer", "team", "member"])
def test_no_other_role_reads_the_confidential_parts_even_with_an_order(world, who):
    _order(world)
    tw = world["tw"]
    user = {
        "staff": world["staff"],
        "filer": tw.base.delegate,
        "team": tw.rep,
        "member": tw.base.member,
    }[who]
    client = APIClient()
    client.force_authenticate(user)
    body, text = _record(client, world["case"])
    assert body["reading"] == ("court" if who == "staff" else "public")
    _nothing_confidential(text)
    assert not ConfidentialRead.objects.exists()


def test_a_court_account_without_its_recorded_role_is_the_public(world):
    """The group alone is no court user: the role is the `CourtUser` record staff keep."""
    user = UserFactory(username="self.declared")
    user.groups.add(Group.objects.get(name=roles.COURT))
    client = APIClient()
    client.force_authenticate(user)
    assert _record(client, world["case"])[0]["reading"] == "public"


def test_a_revoked_token_answers_401(world):
    token, raw = commission_services.api_token_issue(
        user=world["clerk"], actor=world["staff"], name="court"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    path = f"/api/v1/docket/{world['case'].docket_number}/record/"
    assert client.get(path).json()["reading"] == "court"
    commission_services.api_token_revoke(token=token, actor=world["staff"])
    response = client.get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_case_is_a_404(world):
    response = APIClient().get("/api/v1/docket/NO-SUCH/record/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_record_links_the_case_and_the_orders_link_the_record(world):
    _order(world)
    body, _text = _record(_bearer(world["clerk"], world["staff"]), world["case"])
    docket = world["case"].docket_number
    assert body["case"].endswith(f"/api/v1/docket/{docket}/")
    assert body["court_orders"][0]["record"].endswith(f"/api/v1/docket/{docket}/record/")


# --- court orders: the service ----------------------------------------------------------------


def test_recording_an_order_writes_a_public_case_event(world):
    order = _order(world, kind=CourtOrder.Kind.COMPEL_FILING)
    event = CaseEvent.objects.get(verb="court_order_recorded")
    assert event.docket_number == world["case"].docket_number
    assert event.is_public
    assert event.data["order"] == order.pk
    assert event.data["kind"] == "compel_filing"
    assert "text" not in event.data
    assert order.court == "Court of International Trade"  # the court user's court


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"order_date": dt.date(2999, 1, 1)}, "future"),
        ({"order_date": dt.date(2000, 1, 1)}, "precede"),
        ({"text": "  "}, "Record what the court ordered"),
        ({"court_case_number": ""}, "case number"),
        ({"kind": "dismissal"}, "Unknown kind"),
    ],
)
def test_an_order_is_refused_with_a_clear_reason(world, change, message):
    values = {
        "case": world["case"],
        "court_user": world["clerk_court"],
        "court_case_number": "CIT 26-00042",
        "kind": CourtOrder.Kind.PRODUCE_RECORD,
        "order_date": timezone.localdate(),
        "text": "Produce the record.",
        "actor": world["staff"],
        **change,
    }
    with pytest.raises(ValidationError, match=message):
        court.court_order_record(**values)
    assert not CourtOrder.objects.exists()


@pytest.mark.parametrize("who", ["clerk", "member", "team"])
def test_only_staff_record_an_order(world, who):
    actor = {"clerk": world["clerk"], "member": world["tw"].base.member, "team": world["tw"].rep}
    with pytest.raises(PermissionDenied):
        court.court_order_record(
            case=world["case"],
            court_user=world["clerk_court"],
            court_case_number="X",
            kind=CourtOrder.Kind.DISCLOSE_CONFIDENTIAL,
            order_date=timezone.localdate(),
            text="Grant myself everything.",
            actor=actor[who],
        )
    assert not CourtOrder.objects.exists()


def test_an_order_is_frozen_once_recorded(world):
    order = _order(world)
    order.kind = CourtOrder.Kind.PRODUCE_RECORD
    with pytest.raises(IntegrityRefused, match=re.escape("hearings.CourtOrder.kind:frozen")):
        order.save()
    with pytest.raises(IntegrityRefused, match=re.escape("hearings.CourtOrder:no_delete")):
        CourtOrder.objects.get(pk=order.pk).delete()


# --- court orders: the API ------------------------------------------------------------------


def test_court_orders_are_read_by_staff_and_by_the_court_addressed(world):
    mine = _order(world)
    _order(world, court_user=world["other_court"])
    clerk = _bearer(world["clerk"], world["staff"])
    listed = clerk.get("/api/v1/court-orders/").json()["results"]
    assert [o["id"] for o in listed] == [mine.pk]
    staff = APIClient()
    staff.force_authenticate(world["staff"])
    assert len(staff.get("/api/v1/court-orders/").json()["results"]) == 2
    filer = APIClient()
    filer.force_authenticate(world["tw"].base.delegate)
    assert filer.get("/api/v1/court-orders/").status_code == 403
    assert APIClient().get("/api/v1/court-orders/").status_code == 401


def _post(client: APIClient, world, **change):
    body = {
        "docket_number": world["case"].docket_number,
        "court_user": world["clerk_court"].pk,
        "court_case_number": "CIT 26-00042",
        "kind": "disclose_confidential",
        "order_date": timezone.localdate().isoformat(),
        "text": "Produce the record with its confidential parts.",
        **change,
    }
    return client.post("/api/v1/court-orders/", json.dumps(body), content_type="application/json")


def test_staff_record_an_order_by_api_through_the_same_service(world):
    staff = APIClient()
    staff.force_authenticate(world["staff"])
    response = _post(staff, world)
    assert response.status_code == 201, response.content
    order = CourtOrder.objects.get()
    assert response.json()["id"] == order.pk
    assert response.json()["grants_confidential"] is True
    assert order.recorded_by == world["staff"]
    assert CaseEvent.objects.filter(verb="court_order_recorded").count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"docket_number": "NOPE"}, "docket_number"),
        ({"court_user": 999999}, "court_user"),
        ({"kind": "pardon"}, "kind"),
        ({"order_date": "2999-01-01"}, "detail"),
    ],
)
def test_a_bad_order_by_api_is_a_400_naming_the_field(world, change, field):
    staff = APIClient()
    staff.force_authenticate(world["staff"])
    response = _post(staff, world, **change)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not CourtOrder.objects.exists()


def test_a_court_cannot_record_its_own_order(world):
    response = _post(_bearer(world["clerk"], world["staff"]), world)
    assert response.status_code == 403
    assert not CourtOrder.objects.exists()


# --- the staff workspace --------------------------------------------------------------------


def test_the_case_page_shows_the_orders_and_records_one_through_its_step(world, client):
    staff = world["staff"]
    staff.set_password("x-Pass-1234")
    staff.save()
    client.force_login(staff)
    case = world["case"]
    page = client.get(f"/admin/complaints/case/{case.pk}/change/")
    assert page.status_code == 200
    assert "No court order is recorded on this case." in page.content.decode()
    step = f"/admin/complaints/case/{case.pk}/act/court-order-record/"
    response = client.post(
        step,
        {
            "court_user": world["clerk_court"].pk,
            "court_case_number": "CIT 26-00042",
            "kind": "produce_record",
            "order_date": timezone.localdate().isoformat(),
            "text": "Produce the record.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CourtOrder.objects.get().recorded_by == staff
    page = client.get(f"/admin/complaints/case/{case.pk}/change/").content.decode()
    assert "CIT 26-00042" in page
    assert f"confidentialread/?docket_number={case.docket_number}" in page


def test_a_court_order_is_read_only_in_the_admin(world, client):
    order = _order(world)
    client.force_login(world["staff"])
    assert client.get("/admin/hearings/courtorder/").status_code == 200
    assert client.get(f"/admin/hearings/courtorder/{order.pk}/delete/").status_code == 403
    client.post(f"/admin/hearings/courtorder/{order.pk}/change/", {"kind": "produce_record"})
    order.refresh_from_db()
    assert order.kind == CourtOrder.Kind.DISCLOSE_CONFIDENTIAL


def _queries(client: APIClient, case) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        _record(client, case)
    return len(queries)


@pytest.mark.parametrize("reader", ["public", "court", "staff"])
def test_the_record_costs_the_same_queries_however_long_it_is(world, reader):
    case = world["case"]
    client = APIClient()
    if reader != "public":
        client.force_authenticate(world["clerk"] if reader == "court" else world["staff"])
    _order(world, kind=CourtOrder.Kind.PRODUCE_RECORD)
    before = _queries(client, case)
    for n in range(4):
        Evidence.objects.create(
            case=case,
            original_name=f"annex-{n}.pdf",
            content_type="application/pdf",
            size=10,
            sha256=f"{n}" * 64,
        )
        _order(world, kind=CourtOrder.Kind.PRODUCE_RECORD)
    complaints_services.intake_check_record(case=case, actor=world["staff"], note="checked")
    assert _queries(client, case) == before
