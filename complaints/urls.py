"""The portal's complaints pages, under /complaints/ (the same URLs in every language)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import feeds, views

url_prefix = "complaints"

urlpatterns = [
    path("", views.start, name="start"),
    path("file/", views.draft_new, name="draft-new"),
    path("file/<uuid:draft_id>/saved/", views.saved, name="saved"),
    path("file/<uuid:draft_id>/<slug:step>/", views.step, name="step"),
    path("resume/", views.resume, name="resume"),
    path("track/", views.track, name="track"),
    path("filed/<str:docket_number>/", views.filed, name="filed"),
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
    path("cases/", views.my_cases, name="my-cases"),
    path("cases/<str:docket_number>/", views.case_status, name="case"),
    path("cases/<str:docket_number>/receipt.pdf", views.receipt, name="receipt"),
    path(
        "cases/<str:docket_number>/evidence/<int:evidence_id>/",
        views.evidence_download,
        name="evidence",
    ),
    path("docket/", views.docket, name="docket"),
    path("docket/feed.atom", feeds.DocketFeed(), name="docket-feed"),
    path("docket/<str:docket_number>/feed.atom", feeds.CaseFeed(), name="docket-case-feed"),
    path("docket/<str:docket_number>/", views.docket_case, name="docket-case"),
]

nav = [
    (_("File a complaint or petition"), "start"),
    (_("Public docket"), "docket"),
    (_("My cases"), "my-cases"),
]
