"""The portal's sanctions pages, under /sanctions/: the public register (with CSV and JSON
exports and each determination's opinion PDF) and the investigative teams' page for
verification reports."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

url_prefix = "sanctions"

urlpatterns = [
    path("", views.register, name="register"),
    path("register.csv", views.register_csv, name="register-csv"),
    path("register.json", views.register_json, name="register-json"),
    path("<uuid:public_id>/", views.sanction_detail, name="sanction"),
    path("determinations/<uuid:public_id>.pdf", views.determination_pdf, name="determination-pdf"),
    path("verify/", views.verification_page, name="verify"),
]

nav = [
    (_("Sanctions"), "register"),
]
