"""The confirmation after a paper filing speaks to the staff member who entered it, about
the filer — never "your Complaint" or "the email address you gave"."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from complaints.models import Case
from tests.complaints.test_portal import fill_all, start


def test_the_paper_intake_confirmation_speaks_to_staff(world):
    client = Client()
    client.force_login(world.staff)
    base = start(client)
    fill_all(client, world, base)
    past = timezone.localtime() - dt.timedelta(days=1)
    response = client.post(
        f"{base}review/",
        {
            "confirm": "on",
            "received_via": "paper",
            "received_at": past.strftime("%Y-%m-%dT%H:%M"),
        },
        follow=True,
    )
    page = response.content.decode()
    case = Case.objects.get()
    assert "Filing recorded" in page
    assert "the filer&#x27;s" in page or "the filer's" in page
    assert "your complaint" not in page.lower()
    assert "the email address you gave" not in page
    if case.contact_email:
        assert "was sent to the filer" in page
    assert f"/admin/complaints/case/{case.pk}/change/" in page
