"""API token authentication (imported by DRF's settings while DRF itself loads, so it
imports nothing of DRF but its authentication and exceptions)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
    get_authorization_header,
)
from rest_framework.request import Request


def _locked_out() -> exceptions.APIException:
    exc = exceptions.Throttled(
        detail=_("Too many failed sign-ins from this address; try again later.")
    )
    exc.status_code = 429
    return exc


class ApiTokenAuthentication(BaseAuthentication):
    """A personal API token, hashed at rest, with an expiry and a last-used time. Failures
    count towards the sign-in lockout (commission/accounts.py)."""

    keywords = ("bearer", "token")

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        from .accounts import API_TOKEN_LOCKOUT_NAME, api_locked_out, api_token_failure_record
        from .services import api_token_authenticate

        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode("latin-1").lower() not in self.keywords:
            return None
        if api_locked_out(request._request, username=API_TOKEN_LOCKOUT_NAME):
            raise _locked_out()
        if len(parts) != 2:
            api_token_failure_record(request._request)
            raise exceptions.AuthenticationFailed(_("Give one token after the keyword."))
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            api_token_failure_record(request._request)
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        token = api_token_authenticate(raw=raw)
        if token is None:
            api_token_failure_record(request._request)
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        if api_locked_out(request._request, username=token.user.get_username()):
            raise _locked_out()
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class LockoutAwareSessionAuthentication(SessionAuthentication):
    """The browser's session, refused while its account is locked out from this address by
    failed sign-ins (the staff workspace's and the portal's count)."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        from .accounts import api_locked_out

        result = super().authenticate(request)
        if result is not None and api_locked_out(
            request._request, username=result[0].get_username()
        ):
            raise _locked_out()
        return result
