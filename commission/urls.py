from importlib import import_module

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views
from .api import build_router

router = build_router()

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
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
urlpatterns += [path("admin/", admin.site.urls), *portal]
