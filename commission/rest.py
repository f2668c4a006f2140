"""The REST API's shared machinery (version 1): token authentication, bounded cursor pages,
strict query parameters, one error body, throttles and the upload limit.

Every app's API uses these through `settings.REST_FRAMEWORK`; nothing here knows an app.

- Authentication: `Authorization: Bearer <token>` (or `Token <token>`) with a personal API
  token (`commission.models.ApiToken`, stored as its SHA-256 only), or the browser's session.
  HTTP Basic is never accepted. Absent or bad credentials on a protected endpoint answer 401
  with `WWW-Authenticate: Bearer`; a known account without the right answers 403.
- Pages: cursor pagination, `limit` from 1 to `API_MAX_PAGE_SIZE`; any other value is a 400.
- Query parameters: a list accepts only its documented filters, `ordering`, `limit` and
  `cursor`; an unknown or malformed one is a 400 naming it.
- Errors: `{"status": int, "code": str, "detail": str, "errors": {field: [messages]}}`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, status
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

# --- authentication (the class itself is in commission.authentication) ---------------------


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "commission.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": _("A personal API token.")}


class LockoutAwareSessionScheme(OpenApiAuthenticationExtension):
    """The session (the browser's cookie), as drf-spectacular documents Django's."""

    target_class = "commission.authentication.LockoutAwareSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


# --- pages ---------------------------------------------------------------------------------


class BoundedCursorPagination(CursorPagination):
    """Cursor pages of at most API_MAX_PAGE_SIZE rows; `limit` outside 1..max is a 400.

    The order is the view's `ordering` (what `?ordering=` chose, when the view allows it),
    else the primary key, newest first."""

    page_size_query_param = "limit"
    ordering = "-pk"
    # Set from the settings on every instance: never None here (the base class allows it).
    page_size: int
    max_page_size: int

    def __init__(self) -> None:
        self.page_size = settings.API_PAGE_SIZE
        self.max_page_size = settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 6) or not (
            1 <= int(raw) <= self.max_page_size
        ):
            raise exceptions.ValidationError(
                {
                    "limit": [
                        _("Give a whole number from 1 to %(max)d.") % {"max": self.max_page_size}
                    ]
                }
            )
        return int(raw)

    def decode_cursor(self, request: Request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound as exc:
            raise exceptions.ValidationError({"cursor": [_("Invalid cursor.")]}) from exc

    def get_ordering(self, request: Request, queryset: Any, view: Any) -> tuple[str, ...]:
        ordering = None
        for backend in getattr(view, "filter_backends", ()):
            if hasattr(backend, "get_ordering"):
                ordering = backend().get_ordering(request, queryset, view)
                break
        ordering = ordering or getattr(view, "ordering", None) or self.ordering
        if isinstance(ordering, str):
            ordering = (ordering,)
        return tuple(ordering)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                }
        return parameters


# --- query parameters ----------------------------------------------------------------------

ALWAYS_ALLOWED = frozenset({"limit", "cursor", "format", "ordering"})


def query_params_check(request: Request, allowed: Iterable[str]) -> None:
    """A 400 naming every query parameter not in `allowed` (nor a page's)."""
    unknown = sorted(set(request.query_params) - ALWAYS_ALLOWED - set(allowed))
    if unknown:
        raise exceptions.ValidationError(
            {name: [_("Unknown query parameter.")] for name in unknown}
        )


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, refusing unknown query parameters on lists (malformed values are
    refused by django-filter itself with a 400)."""

    def filter_queryset(self, request: Request, queryset: Any, view: Any) -> Any:
        if getattr(view, "action", None) == "list":
            filterset = self.get_filterset(request, queryset, view)
            allowed = set(filterset.form.fields) if filterset is not None else set()
            query_params_check(request, allowed | set(getattr(view, "query_params_extra", ())))
        return super().filter_queryset(request, queryset, view)


class StrictOrderingFilter(OrderingFilter):
    """`?ordering=` with a field the view does not offer is a 400, not silently ignored."""

    def get_ordering(self, request: Request, queryset: Any, view: Any) -> Any:
        params = request.query_params.get(self.ordering_param)
        if params:
            fields = [param.strip() for param in params.split(",")]
            valid = self.remove_invalid_fields(queryset, fields, view, request)
            if len(valid) != len(fields):
                raise exceptions.ValidationError({self.ordering_param: [_("Unknown ordering.")]})
        return super().get_ordering(request, queryset, view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        fields = getattr(view, "ordering_fields", None)
        if not fields or fields == "__all__":
            return []
        choices = [name for field in fields for name in (field, f"-{field}")]
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": _("Order by these fields (a leading - for descending)."),
                "schema": {"type": "string", "enum": choices},
            }
        ]


# --- errors --------------------------------------------------------------------------------


def _first_message(errors: Any) -> str:
    if isinstance(errors, dict):
        for value in errors.values():
            return _first_message(value)
        return ""
    if isinstance(errors, list):
        return _first_message(errors[0]) if errors else ""
    return str(errors)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every refusal in one shape: status, a machine code, a sentence, and per-field errors."""
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    body: dict[str, Any] = {"status": response.status_code}
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        body["code"] = "invalid"
        body["detail"] = _first_message(errors) or _("Invalid input.")
        body["errors"] = errors
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        body["code"] = codes if isinstance(codes, str) else "error"
        detail = data.get("detail") if isinstance(data, dict) else data
        body["detail"] = _first_message(detail) if detail is not None else ""
        if response.status_code == status.HTTP_404_NOT_FOUND:
            body["code"] = "not_found"
    response.data = body
    return response


# --- throttles -----------------------------------------------------------------------------


class AnonymousThrottle(AnonRateThrottle):
    """Requests without an account, per client address (API_ANON_RATE)."""

    scope = "anon"


class TokenThrottle(SimpleRateThrottle):
    """Requests of a signed-in account, per token (or per account for a session;
    API_TOKEN_RATE)."""

    scope = "token"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None
        auth = request.auth
        ident = f"t{auth.pk}" if hasattr(auth, "pk") else f"u{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class UploadThrottle(SimpleRateThrottle):
    """Uploads, per account or client address (API_UPLOAD_RATE)."""

    scope = "upload"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.user and request.user.is_authenticated:
            ident = f"u{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


# --- uploads -------------------------------------------------------------------------------


def upload_limited(max_bytes: Callable[[], int]) -> Callable:
    """Decorate an upload action: a body whose declared length exceeds `max_bytes()` (or
    that declares none) is refused with 413 before a byte of it is read."""

    def decorate(view_method: Callable) -> Callable:
        @wraps(view_method)
        def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
            limit = max_bytes()
            raw = request.headers.get("content-length") or ""
            try:
                length = int(raw)
            except ValueError:
                length = -1
            if length < 0:
                raise LengthRequired()
            if length > limit:
                raise PayloadTooLarge(limit)
            return view_method(self, request, *args, **kwargs)

        return wrapper

    return decorate


class LengthRequired(exceptions.APIException):
    status_code = status.HTTP_411_LENGTH_REQUIRED
    default_code = "length_required"
    default_detail = "Send the upload with a Content-Length."


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(
            _("The upload is larger than %(mb).1f MB.") % {"mb": limit / (1024 * 1024)}
        )
