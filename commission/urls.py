from importlib import import_module

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import two_factor, views
from .api import build_router

router = build_router()
SWAGGER_CDN = "https://cdn.jsdelivr.net"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # The language switcher is on every page, public ones included, which therefore carry no
    # CSRF token and set no cookie for a reader who only reads (docs/adr/0007): switching a
    # reader's language is all a forged request could do.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("api/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The API's interactive documentation loads Swagger UI from its CDN, with an inline style.
    path(
        "api/docs/",
        csp_update(
            {
                "script-src": [SWAGGER_CDN],
                "style-src": [SWAGGER_CDN, "'unsafe-inline'"],
                "img-src": [SWAGGER_CDN],
            }
        )(SpectacularSwaggerView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]

# The portal: each app may contribute `portal_urls` (public pages) in its `urls` module.
portal = [
    path("", views.home, name="home"),
    # `/es/` and `/en/`: the home page in that language (run_all's banner prints them).
    *(
        path(f"{code}/", views.language_home, {"language": code}, name=f"home-{code}")
        for code, _name in settings.LANGUAGES
    ),
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

handler403 = "commission.views.permission_denied"
handler404 = "commission.views.page_not_found"
handler500 = "commission.views.server_error"
