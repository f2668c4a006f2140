from django.http import JsonResponse
from django.shortcuts import render
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
