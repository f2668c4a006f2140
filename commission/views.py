from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import Clock
from .selectors import clocks_missed_public, system_health, timeliness_statistics


@require_GET
def home(request):
    return render(request, "portal/home.html")


@never_cache
@require_GET
def healthz(request):
    healthy, report = system_health()
    return JsonResponse(report, status=200 if healthy else 503)


@require_GET
def timeliness(request):
    """The commission's public record of meeting or missing its statutory deadlines."""
    rows = timeliness_statistics()
    kinds = dict(Clock.Kind.choices)
    return render(
        request,
        "portal/timeliness.html",
        {
            "rows": [(row, kinds.get(row.kind, row.kind)) for row in rows],
            "missed": list(clocks_missed_public(limit=100)),
        },
    )


@require_GET
def language_home(request, language: str):
    """`/es/`, `/en/`: the portal's home in that language (the choice is kept in the language
    cookie, as the switcher keeps it; URLs are the same in every language)."""
    response = redirect("home")
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    return response


# --- error pages: styled, in the reader's language, saying what to do next ------------------


def _error_page(request, template: str, status: int):
    try:
        return render(request, template, status=status)
    except Exception:  # never fail while reporting a failure: the plain page instead
        return HttpResponse(
            f"<!DOCTYPE html><title>{status}</title><h1>{status}</h1>",
            status=status,
        )


def permission_denied(request, exception=None):
    return _error_page(request, "403.html", 403)


def page_not_found(request, exception=None):
    return _error_page(request, "404.html", 404)


def server_error(request):
    return _error_page(request, "500.html", 500)
