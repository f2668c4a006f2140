from django.urls import path
from django.utils.translation import gettext_lazy

from . import views

url_prefix = "criteria"
nav = [
    (gettext_lazy("Criteria register"), "register"),
    (gettext_lazy("Which criteria bind?"), "binding"),
    (gettext_lazy("Deliberation rounds"), "round-list"),
]

urlpatterns = [
    path("", views.register, name="register"),
    path("binding/", views.binding, name="binding"),
    path("export.csv", views.export_csv, name="export-csv"),
    path("export.json", views.export_json, name="export-json"),
    path("rounds/", views.round_list, name="round-list"),
    path("rounds/<str:code>/", views.round_detail, name="round-detail"),
    path("rounds/<str:code>/report/", views.report_file, name="report-file"),
    path("rounds/<str:code>/propose/", views.proposal_file, name="proposal-file"),
    path("rounds/<str:code>/advance/", views.round_advance, name="round-advance"),
    path(
        "rounds/<str:code>/proposals/<int:number>/vote/",
        views.proposal_vote,
        name="proposal-vote",
    ),
    path(
        "rounds/<str:code>/proposals/<int:number>/decide/",
        views.proposal_decide,
        name="proposal-decide",
    ),
    path("<str:code>/", views.criterion_detail, name="criterion-detail"),
    path("<str:code>/v<int:number>/", views.version_detail, name="version-detail"),
    path("<str:code>/v<int:number>.json", views.version_json, name="version-json"),
    path("<str:code>/diff/<int:old>/<int:new>/", views.version_diff, name="version-diff"),
]
