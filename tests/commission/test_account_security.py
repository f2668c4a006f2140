"""Account security through every door: password reset by email, the idle-session timeout,
and one lockout count shared by the sign-in pages and the API (tokens and sessions)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from commission.accounts import API_TOKEN_LOCKOUT_NAME
from commission.services import api_token_issue
from tests.factories.commission import UserFactory

PASSWORD = "pw-for-tests-only"
NEW_PASSWORD = "a-long-and-new-passphrase-42"
START = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()


@pytest.fixture
def person(db):
    user = UserFactory(username="delegate.reset", email="delegate@union.example")
    user.set_password(PASSWORD)
    user.save()
    return user


# --- password reset -----------------------------------------------------------------------


def reset_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/account/reset/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_a_password_is_reset_by_email_and_the_new_one_must_be_strong(person, settings):
    settings.STAFF_TWO_FACTOR = False
    client = Client()
    page = client.get("/account/password-reset/")
    assert page.status_code == 200
    sent = client.post("/account/password-reset/", {"email": "delegate@union.example"})
    assert sent.status_code == 302
    assert sent["Location"] == "/account/password-reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["delegate@union.example"]
    assert settings.COMMISSION_NAME in message.subject
    assert "delegate.reset" in message.body

    link = reset_link(message)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_password_url = form_page.redirect_chain[-1][0]
    assert "Choose a new password" in form_page.content.decode()

    weak = client.post(set_password_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 200
    assert "too common" in weak.content.decode() or "entirely numeric" in weak.content.decode()
    person.refresh_from_db()
    assert person.check_password(PASSWORD)

    short = "Tr0ub4dor&3"  # 11 characters: under the minimum of 12
    refused = client.post(set_password_url, {"new_password1": short, "new_password2": short})
    assert "at least 12 characters" in refused.content.decode()

    done = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert done["Location"] == "/account/reset/done/"
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    # The link works once.
    again = client.get(link, follow=True)
    assert "This link no longer works" in again.content.decode()
    # The new password signs in at the portal.
    signed_in = Client().post(
        "/complaints/sign-in/", {"username": "delegate.reset", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302


def test_an_unknown_address_gets_the_same_answer_and_no_email(person):
    response = Client().post("/account/password-reset/", {"email": "nobody@nowhere.example"})
    assert response.status_code == 302
    assert response["Location"] == "/account/password-reset/sent/"
    assert mail.outbox == []


def test_the_reset_pages_and_email_speak_spanish(person):
    client = Client(headers={"accept-language": "es"})
    page = client.get("/account/password-reset/").content.decode()
    assert "Restablecer su contraseña" in page
    client.post("/account/password-reset/", {"email": "delegate@union.example"})
    assert "Restablecer su contraseña" in mail.outbox[0].subject
    assert "elegir una contraseña nueva" in mail.outbox[0].body


def test_reset_requests_are_limited_per_address(person, settings):
    settings.PASSWORD_RESET_RATE_LIMIT = "2/hour"
    client = Client()
    for _n in range(2):
        assert client.post("/account/password-reset/", {"email": "x@y.example"}).status_code == 302
    limited = client.post("/account/password-reset/", {"email": "delegate@union.example"})
    assert limited.status_code == 429
    assert mail.outbox == []
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.post("/account/password-reset/", {"email": "x@y.example"}).status_code == 302


def test_both_sign_in_pages_link_to_the_reset(db):
    assert (
        'href="/account/password-reset/"' in Client().get("/complaints/sign-in/").content.decode()
    )
    admin_page = Client().get("/admin/login/").content.decode()
    assert 'href="/admin/password-reset/"' in admin_page
    assert Client().get("/admin/password-reset/").status_code == 200


def test_a_reset_ends_the_lockout(person, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _n in range(3):
        Client().post("/complaints/sign-in/", {"username": person.username, "password": "wrong"})
    locked = Client().post(
        "/complaints/sign-in/", {"username": person.username, "password": PASSWORD}
    )
    assert locked.status_code in (403, 429)
    client = Client()
    client.post("/account/password-reset/", {"email": person.email})
    set_password_url = client.get(reset_link(mail.outbox[0]), follow=True).redirect_chain[-1][0]
    client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    signed_in = Client().post(
        "/complaints/sign-in/", {"username": person.username, "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302


# --- idle sessions ------------------------------------------------------------------------


@pytest.mark.parametrize("door", ["admin", "portal", "api"])
def test_an_idle_session_is_signed_out(person, settings, time_machine, door):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 30
    settings.STAFF_TWO_FACTOR = False
    person.is_staff = True
    person.is_superuser = True
    person.save()
    url, signed_out = {
        "admin": ("/admin/", lambda r: r.status_code == 302 and "/admin/login/" in r["Location"]),
        "portal": (
            "/complaints/cases/",
            lambda r: r.status_code == 302 and "sign-in" in r["Location"],
        ),
        "api": ("/api/v1/webhooks/", lambda r: r.status_code == 401),
    }[door]
    time_machine.move_to(START, tick=False)
    client = Client()
    client.force_login(person)
    assert client.get(url).status_code == 200
    # Activity keeps the session: 29 minutes, then 29 more.
    time_machine.move_to(START + dt.timedelta(minutes=29), tick=False)
    assert client.get(url).status_code == 200
    time_machine.move_to(START + dt.timedelta(minutes=58), tick=False)
    assert client.get(url).status_code == 200
    # 31 minutes without a request: signed out.
    time_machine.move_to(START + dt.timedelta(minutes=89), tick=False)
    assert signed_out(client.get(url))
    assert signed_out(client.get(url))  # and it stays signed out


def test_zero_turns_the_idle_timeout_off(person, settings, time_machine):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 0
    time_machine.move_to(START, tick=False)
    client = Client()
    client.force_login(person)
    assert client.get("/complaints/cases/").status_code == 200
    time_machine.move_to(START + dt.timedelta(days=3), tick=False)
    assert client.get("/complaints/cases/").status_code == 200


def test_an_anonymous_reader_gets_no_session_cookie(db, settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 30
    response = Client().get("/")
    assert "sessionid" not in response.cookies


# --- one lockout for the sign-in pages and the API ----------------------------------------


def api(raw: str | None = None, address: str = "198.51.100.7") -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    if raw:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_bad_tokens_lock_the_address_out_of_the_api(person, settings):
    settings.AXES_FAILURE_LIMIT = 3
    _token, raw = api_token_issue(user=person, actor=person, name="t")
    assert api(raw).get("/api/v1/webhooks/").status_code == 200
    for n in range(3):
        refused = api("lrc_" + "x" * 40 + str(n)).get("/api/v1/webhooks/")
        assert refused.status_code == 401
    attempt = AccessAttempt.objects.get(username=API_TOKEN_LOCKOUT_NAME)
    assert attempt.ip_address == "198.51.100.7"
    assert attempt.failures_since_start == 3
    # Locked: even a good token is refused from that address, before it is looked at ...
    locked = api(raw).get("/api/v1/webhooks/")
    assert locked.status_code == 429
    assert locked.json()["code"] == "throttled"
    # ... while other addresses, and the account's password sign-in, are untouched.
    assert api(raw, address="203.0.113.5").get("/api/v1/webhooks/").status_code == 200


def test_failed_password_sign_ins_lock_the_account_out_of_the_api_too(person, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.STAFF_TWO_FACTOR = False
    _token, raw = api_token_issue(user=person, actor=person, name="t")
    session = Client(REMOTE_ADDR="198.51.100.7")
    session.force_login(person)
    assert session.get("/api/v1/webhooks/").status_code == 200
    for _n in range(3):  # the staff workspace's sign-in page counts ...
        Client(REMOTE_ADDR="198.51.100.7").post(
            "/admin/login/", {"username": person.username, "password": "wrong"}
        )
    # ... and the API refuses the account from that address, by token and by session.
    assert api(raw).get("/api/v1/webhooks/").status_code == 429
    assert session.get("/api/v1/webhooks/").status_code == 429
    assert api(raw, address="203.0.113.5").get("/api/v1/webhooks/").status_code == 200


def test_a_bad_token_leaves_no_request_body_in_the_lockout_log(person):
    response = api("lrc_wrong").post(
        "/api/v1/webhooks/",
        {"name": "Rosa Quispe Mamani", "url": "https://x.example/", "events": ["case.filed"]},
    )
    assert response.status_code == 401
    attempt = AccessAttempt.objects.get(username=API_TOKEN_LOCKOUT_NAME)
    assert "Rosa" not in attempt.post_data
    assert "Rosa" not in attempt.get_data
