"""The paths of the scale benchmark (issue #22) make as many queries for a small commission as
for a larger one: the count of each is measured on two generated commissions and must be the
same (no N+1 on any page, list or API answer)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benchmarks.scale import _Filer
from commission import roles
from complaints.models import Case
from hearings.models import Opinion
from hearings.scale import commission_generate

pytestmark = pytest.mark.django_db

SMALL, LARGE = 6, 24


def _count(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code in (200, 302), (response.status_code, response.content[:300])
    return len(ctx.captured_queries)


def _counts(cases: int) -> dict[str, int]:
    """The query count of each path on a commission of `cases` cases, then rolled back."""
    with transaction.atomic():
        commission_generate(cases=cases, seed=5, now=timezone.now() - dt.timedelta(hours=1))
        User = get_user_model()
        staff = User.objects.create_user(username=f"staff{cases}", is_staff=True)
        staff.groups.add(Group.objects.get(name=roles.STAFF))
        court = User.objects.create_user(username=f"court{cases}")
        court.groups.add(Group.objects.get(name=roles.COURT))
        public, api, desk = Client(), Client(), Client()
        api.force_login(court)
        desk.force_login(staff)
        case = Case.objects.filter(status="decided").order_by("-received_at").first()
        opinion = Opinion.objects.order_by("-issued_at", "-id").first()
        paths = {
            "docket list": lambda: public.get("/complaints/docket/"),
            "docket search": lambda: public.get("/complaints/docket/?q=overtime"),
            "case page": lambda: public.get(f"/complaints/docket/{case.docket_number}/"),
            "timeliness": lambda: public.get("/timeliness/"),
            "api opinions": lambda: api.get("/api/v1/opinions/"),
            "api opinion": lambda: api.get(f"/api/v1/opinions/{opinion.sha256}/"),
            "staff list": lambda: desk.get("/admin/complaints/case/"),
            "staff search": lambda: desk.get("/admin/complaints/case/?q=Arequipa"),
            "staff deadline": lambda: desk.get("/admin/complaints/case/?deadline=week"),
            "staff home": lambda: desk.get("/admin/"),
        }
        for call in paths.values():
            call()  # warm the caches (content types, sessions) outside the count
        counts = {name: _count(call) for name, call in paths.items()}
        filer = _Filer()
        drafts = [filer.draft(n) for n in range(2)]
        filer.submit(drafts[0])
        counts["filing submit"] = _count(lambda: filer.submit(drafts[1]))
        transaction.set_rollback(True)
    return counts


def test_query_counts_do_not_grow_with_the_commission():
    small = _counts(SMALL)
    large = _counts(LARGE)
    assert small == large
    # And they stay within what a page may cost (the staff list's budget of 15).
    assert max(v for k, v in large.items() if k not in {"staff home", "filing submit"}) <= 15
