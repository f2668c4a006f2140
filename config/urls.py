"""The project's root URLconf: the core's pages and API, then every app's, named one by one
(the layers contract puts this package above every app, so it may import them all)."""

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

import complaints.api
import complaints.urls
import criteria.api
import criteria.urls
import hearings.api
import hearings.urls
import investigations.api
import investigations.urls
import sanctions.api
import sanctions.urls
from commission import accounts, observability, two_factor, views
from commission.api import build_router, legacy_api_redirect, not_found

# Each app's API, in layer order.
router = build_router(
    [
        criteria.api.register_api,
        complaints.api.register_api,
        investigations.api.register_api,
        hearings.api.register_api,
        sanctions.api.register_api,
    ]
)
# Each app's public pages (`urls.urlpatterns` under `urls.url_prefix`, namespaced by the app).
PORTAL_APPS = [
    ("criteria", criteria.urls),
    ("complaints", complaints.urls),
    ("investigations", investigations.urls),
    ("hearings", hearings.urls),
    ("sanctions", sanctions.urls),
]
handler404 = not_found  # JSON under /api/, the styled page elsewhere
# The API's documentation pages run Swagger UI and Redoc from this site's static files; both
# set inline styles (and Redoc starts a worker from a blob), which their policy allows.
api_docs_csp = csp_update(
    {"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"], "img-src": ["data:"]}
)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Prometheus metrics, to the scraper holding METRICS_TOKEN (docs/operations.md).
    path("metrics", observability.metrics, name="metrics"),
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

# The portal: the core's pages, then each app's.
portal = [
    path("", views.home, name="home"),
    # `/es/` and `/en/`: the home page in that language (run_all's banner prints them).
    *(
        path(f"{code}/", views.language_home, {"language": code}, name=f"home-{code}")
        for code, _name in settings.LANGUAGES
    ),
    path("timeliness/", views.timeliness, name="timeliness"),
    *(
        path(f"{module.url_prefix}/", include((module.urlpatterns, app)))
        for app, module in PORTAL_APPS
    ),
]

# Language is chosen by the switcher (cookie) or the browser's Accept-Language; URLs are the
# same in every language.
urlpatterns += [
    # The second factor of the staff workspace (commission.two_factor), before the admin.
    path("admin/second-factor/", two_factor.verify, name="second_factor_verify"),
    path("admin/second-factor/enrol/", two_factor.enrol, name="second_factor_enrol"),
    # Password reset by email (commission/accounts.py), linked from both sign-in pages.
    *accounts.urlpatterns,
    path("admin/", admin.site.urls),
    *portal,
]

handler403 = "commission.views.permission_denied"
handler500 = "commission.views.server_error"
