"""The team's door on the portal, under /investigations/."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

url_prefix = "investigations"

urlpatterns = [
    path("", views.workspace, name="workspace"),
    path("open/", views.investigation_new, name="open"),
    path("token/", views.token_issue, name="token"),
    path("<int:pk>/", views.investigation_detail, name="detail"),
    path("<int:pk>/site-visits/new/", views.site_visit_new, name="site-visit-new"),
    path("<int:pk>/interviews/new/", views.interview_new, name="interview-new"),
    path("<int:pk>/demands/new/", views.demand_new, name="demand-new"),
    path("<int:pk>/findings/new/", views.finding_new, name="finding-new"),
    path("<int:pk>/orders/new/", views.order_new, name="order-new"),
    path("interviews/<int:pk>/", views.interview_detail, name="interview"),
    path("interviews/<int:pk>/files/", views.interview_file_new, name="interview-file-new"),
    path("interview-files/<int:pk>/", views.interview_file, name="interview-file"),
    path("demands/<int:pk>/<slug:outcome>/", views.demand_respond, name="demand-respond"),
    path("findings/<int:pk>/determine/", views.finding_determine, name="finding-determine"),
    path("orders/<int:pk>/verify/", views.verification_new, name="verification-new"),
    path("teams/", views.forum, name="forum"),
    path("teams/<int:pk>/", views.team_record, name="team"),
]

nav = [
    (_("Team workspace"), "workspace"),
    (_("Teams' records"), "forum"),
]
