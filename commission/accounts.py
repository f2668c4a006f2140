"""Account security shared by every door: the password-reset flow by email, the idle-session
timeout, and the API's part in the sign-in lockout.

- Password reset (`/account/password-reset/`, also linked from the staff workspace's sign-in
  page): Django's own views and token generator, with this site's translated pages and email.
  The answer is the same whether or not an account has the address (no account is disclosed),
  a new password passes `AUTH_PASSWORD_VALIDATORS`, and requests are limited per client
  address (`PASSWORD_RESET_RATE_LIMIT`). A reset also clears the account's lockout.
- Idle timeout (`IdleSessionTimeoutMiddleware`): a signed-in browser session with no request
  for `SESSION_IDLE_TIMEOUT_MINUTES` is signed out at its next request (staff, members, filers
  and teams alike; 0 turns it off). The last activity is written at most once a minute.
- Lockout (`api_token_lockout_check`, `api_token_failure_record`): the API shares
  django-axes' failure count with the sign-in pages. A bad token counts one failure for the
  client address under the name `API_TOKEN_LOCKOUT_NAME`; after `AXES_FAILURE_LIMIT` of them
  that address is refused tokens (429) until the cool-off ends; and an account locked out
  from an address by failed password sign-ins (staff workspace or portal) is refused on the
  API from that address too, token or session.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _

# A name no account can have (Django's user names hold no spaces or brackets): the failures
# of unknown API tokens are counted under it, per client address.
API_TOKEN_LOCKOUT_NAME = "(api token)"  # noqa: S105 - a user name, not a password  # nosec B105
IDLE_SESSION_KEY = "commission_last_activity"

# --- password reset ------------------------------------------------------------------------


def _reset_rate_limited(request: HttpRequest) -> bool:
    count, _slash, period_word = settings.PASSWORD_RESET_RATE_LIMIT.partition("/")
    period = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period_word.strip()[0].lower()]
    window = int(time.time() // period)
    address = request.META.get("REMOTE_ADDR", "unknown")
    key = f"commission:password-reset:{address}:{window}"
    if cache.add(key, 1, timeout=period + 5):
        return int(count) < 1
    try:
        used = cache.incr(key)
    except ValueError:
        cache.add(key, 1, timeout=period + 5)
        used = 1
    return used > int(count)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "commission/account/password_reset_form.html"
    email_template_name = "commission/account/password_reset_email.txt"
    subject_template_name = "commission/account/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    @property
    def extra_email_context(self) -> dict[str, str]:  # type: ignore[override]
        return {"site_name": _(settings.COMMISSION_NAME)}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if _reset_rate_limited(request):
            return render(request, "commission/account/password_reset_limited.html", status=429)
        return super().post(request, *args, **kwargs)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "commission/account/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "commission/account/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        from axes.utils import reset

        response = super().form_valid(form)
        if self.user is not None:
            reset(username=self.user.get_username())  # a new password ends the lockout
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "commission/account/password_reset_complete.html"


urlpatterns = [
    path("account/password-reset/", PasswordResetView.as_view(), name="password_reset"),
    # The staff workspace's sign-in page links to this name (Django admin's own convention).
    path("admin/password-reset/", PasswordResetView.as_view(), name="admin_password_reset"),
    path(
        "account/password-reset/sent/",
        PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "account/reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "account/reset/done/",
        PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

# --- idle sessions -------------------------------------------------------------------------


class IdleSessionTimeoutMiddleware:
    """Sign out a browser session that has been idle for SESSION_IDLE_TIMEOUT_MINUTES."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        minutes = settings.SESSION_IDLE_TIMEOUT_MINUTES
        if minutes and request.user.is_authenticated:
            now = int(timezone.now().timestamp())
            last = request.session.get(IDLE_SESSION_KEY)
            if isinstance(last, int) and now - last > minutes * 60:
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)d minutes without activity.")
                    % {"minutes": minutes},
                )
            elif not isinstance(last, int) or now - last >= 60:
                request.session[IDLE_SESSION_KEY] = now
        return self.get_response(request)


# --- the API's share of the lockout --------------------------------------------------------


def _axes_request(request: HttpRequest) -> HttpRequest:
    """A bare request with the client's address, agent and path only, for django-axes: it
    records a failure's query and form data, which must never hold an API body."""
    probe = HttpRequest()
    for key in ("REMOTE_ADDR", "HTTP_USER_AGENT", "HTTP_X_FORWARDED_FOR", "HTTP_ACCEPT"):
        if key in request.META:
            probe.META[key] = request.META[key]
    probe.method = request.method
    probe.path = probe.path_info = request.path_info
    return probe


def api_locked_out(request: HttpRequest, *, username: str) -> bool:
    """Whether `username` (or the token name) is locked out from this client address."""
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.is_locked(_axes_request(request), {"username": username})


def api_token_failure_record(request: HttpRequest) -> None:
    """Count a bad API token as a failed sign-in from this address (django-axes)."""
    user_login_failed.send(
        sender=__name__,
        credentials={"username": API_TOKEN_LOCKOUT_NAME},
        request=_axes_request(request),
    )
