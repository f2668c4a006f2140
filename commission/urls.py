from importlib import import_module

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from . import two_factor, views
from .api import build_router, legacy_api_redirect, not_found

router = build_router()
handler404 = not_found  # JSON under /api/
# The API's documentation pages run Swagger UI and Redoc from this site's static files; both
# set inline styles (and Redoc starts a worker from a blob), which their policy allows.
api_docs_csp = csp_update(
    {"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"], "img-src": ["data:"]}
)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # The language switcher is on every page, public ones included, which therefore carry no
    # CSRF token and set no cookie for a reader who only reads (docs/adr/0007): switching a
    # reader's language is all a forged request could do.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    # --- REST API (docs/api.md) -----------------------------------------------------------
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        api_docs_csp(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        api_docs_csp(SpectacularRedocView.as_view(url_name="api-schema")),
        name="api-redoc",
    ),
    # The unversioned paths of before: a permanent redirect (method and body kept) to v1.
    re_path(r"^api/(?P<rest>(?!v1/|schema/|docs/|redoc/).*)$", legacy_api_redirect),
    # --- end REST API ---------------------------------------------------------------------
]

# The portal: each app may contribute `portal_urls` (public pages) in its `urls` module.
portal = [
    path("", views.home, name="home"),
    path("timeliness/", views.timeliness, name="timeliness"),
]
for app in settings.COMMISSION_APPS[1:]:
    try:
        module = import_module(f"{app}.urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"{app}.urls":
            raise
        continue
    portal.append(path(f"{module.url_prefix}/", include((module.urlpatterns, app))))

# Language is chosen by the switcher (cookie) or the browser's Accept-Language; URLs are the
# same in every language.
urlpatterns += [
    # The second factor of the staff workspace (commission.two_factor), before the admin.
    path("admin/second-factor/", two_factor.verify, name="second_factor_verify"),
    path("admin/second-factor/enrol/", two_factor.enrol, name="second_factor_enrol"),
    path("admin/", admin.site.urls),
    *portal,
]
