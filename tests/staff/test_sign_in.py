"""Signing in to the staff workspace: a second factor enrolled on the first sign-in, with
recovery codes; lockout after repeated failures; the workspace in Spanish."""

import datetime as dt
import re

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import hearings as f

PASSWORD = "pw-for-tests-only"


@pytest.fixture
def officer(db):
    user = f.staff_create()
    user.is_staff = True
    user.save()
    return user


def sign_in(client, user, password=PASSWORD):
    return client.post(
        "/admin/login/?next=/admin/", {"username": user.username, "password": password}
    )


def current_code(device) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_the_first_sign_in_enrols_the_second_factor_and_every_sign_in_asks_for_it(
    officer, settings, time_machine
):
    settings.STAFF_TWO_FACTOR = True
    time_machine.move_to(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False)

    def later(seconds):  # wrong codes are throttled (1 s, 2 s, 4 s ...)
        time_machine.shift(dt.timedelta(seconds=seconds))

    client = Client()
    response = sign_in(client, officer)
    assert response.status_code == 302
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 302
    assert dashboard["Location"].startswith("/admin/second-factor/enrol/")
    page = client.get(dashboard["Location"]).content.decode()
    assert re.search(r'<code id="totp-key">[A-Z2-7 ]+</code>', page)
    assert "otpauth://totp/" in page
    device = TOTPDevice.objects.get(user=officer)
    assert not device.confirmed
    wrong = client.post("/admin/second-factor/enrol/", {"token": "000000", "next": "/admin/"})
    assert "That code is not valid" in wrong.content.decode()
    later(60)
    confirmed = client.post(
        "/admin/second-factor/enrol/", {"token": current_code(device), "next": "/admin/"}
    )
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", confirmed.content.decode())
    assert len(codes) == 10
    assert client.get("/admin/").status_code == 200

    client.post("/admin/logout/")
    again = Client()
    sign_in(again, officer)
    response = again.get("/admin/complaints/case/")
    assert response["Location"].startswith("/admin/second-factor/?next=/admin/complaints/case/")
    refused = again.post("/admin/second-factor/", {"token": "123456", "next": "/admin/"})
    assert "That code is not valid" in refused.content.decode()
    assert again.get("/admin/").status_code == 302
    later(60)
    ok = again.post("/admin/second-factor/", {"token": codes[0], "next": "/admin/"})
    assert ok.status_code == 302
    assert again.get("/admin/").status_code == 200
    # A recovery code signs in once.
    third = Client()
    sign_in(third, officer)
    reused = third.post("/admin/second-factor/", {"token": codes[0], "next": "/admin/"})
    assert "That code is not valid" in reused.content.decode()


def test_without_the_setting_the_password_alone_signs_in(officer, settings):
    settings.STAFF_TWO_FACTOR = False
    client = Client()
    sign_in(client, officer)
    assert client.get("/admin/").status_code == 200


def test_repeated_failures_lock_the_account_out(officer, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _attempt in range(3):
        response = sign_in(client, officer, password="wrong")
    assert response.status_code in (403, 429)
    locked = sign_in(Client(), officer)
    assert locked.status_code in (403, 429)
    assert Client().get("/admin/").status_code == 302


def test_production_always_requires_the_second_factor():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "config/settings/production.py").read_text()
    assert "\nSTAFF_TWO_FACTOR = True\n" in text


def test_the_workspace_speaks_spanish(officer, settings):
    settings.STAFF_TWO_FACTOR = False
    client = Client()
    client.force_login(officer)
    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Lo que vence" in page
    assert "Casos según sus plazos legales" in page
