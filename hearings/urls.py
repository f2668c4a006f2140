"""The portal's hearings pages, under /hearings/."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

url_prefix = "hearings"

urlpatterns = [
    path("", views.hearing_list, name="list"),
    path("calendar.ics", views.calendar_feed, name="calendar"),
    path("<int:pk>/", views.hearing_detail, name="hearing"),
    path("<int:pk>/participate/", views.participate, name="participate"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("record/<int:pk>/", views.record_download, name="record"),
    path("submissions/<int:pk>/<str:sha256>/", views.submission_download, name="submission"),
    path("decisions/", views.decision_list, name="decisions"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision"),
    path("opinions/", views.opinion_register, name="opinions"),
    path("opinions/verify/", views.opinion_verify, name="verify"),
    path("opinions/<str:sha256>.pdf", views.opinion_download, name="opinion-pdf"),
]

nav = [
    (_("Hearings"), "list"),
    (_("Decisions"), "decisions"),
]
