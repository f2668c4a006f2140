"""The second factor for everyone who signs in to the staff workspace (staff, the chair,
members): a TOTP authenticator app (django-otp), enrolled on the first sign-in, with ten
single-use recovery codes shown once.

`STAFF_TWO_FACTOR` switches it on. Production always requires it (`settings/production.py`
sets it, not from the environment); the development defaults leave it off so the demo
accounts sign in with their passwords (docs/staff-guide.md). Failed sign-ins are throttled
and locked out by django-axes; wrong codes are throttled by django-otp's devices."""

from __future__ import annotations

import base64

from django import forms
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10


def _paths() -> tuple[str, ...]:
    return (
        reverse("admin:login"),
        reverse("admin:logout"),
        reverse("admin:jsi18n"),
        reverse("second_factor_verify"),
        reverse("second_factor_enrol"),
    )


class StaffSecondFactorMiddleware:
    """Sends a signed-in staff account that has not passed its second factor in this session
    to the verification page (or, without a device yet, to enrolment) before any admin page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if getattr(settings, "STAFF_TWO_FACTOR", False) and self._guarded(request):
            user = request.user
            target = "second_factor_verify" if user_has_device(user) else "second_factor_enrol"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)

    def _guarded(self, request) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_staff:
            return False
        if user.is_verified():
            return False
        admin_root = reverse("admin:index")
        return request.path.startswith(admin_root) and request.path not in _paths()


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return reverse("admin:index")
    return target


@staff_member_required
def verify(request):
    """The second step of signing in: a code from the enrolled app or a recovery code."""
    if not user_has_device(request.user):
        return redirect(f"{reverse('second_factor_enrol')}?next={_next(request)}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"].replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("token", _("That code is not valid. Try the current code."))
    return render(
        request,
        "admin/two_factor/verify.html",
        {"form": form, "next": _next(request), "title": _("Second factor")},
    )


@staff_member_required
def enrol(request):
    """First sign-in: add an authenticator app (scan the link or type the key), confirm it
    with one code, and receive the recovery codes, shown once."""
    user = request.user
    if user_has_device(user):
        return redirect(f"{reverse('second_factor_verify')}?next={_next(request)}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=str(_("Authenticator")), confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].replace(" ", "")):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            recovery = StaticDevice.objects.create(user=user, name=str(_("Recovery codes")))
            codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
            for code in codes:
                recovery.token_set.create(token=code)
            otp_login(request, device)
            return render(
                request,
                "admin/two_factor/recovery.html",
                {"codes": codes, "next": _next(request), "title": _("Recovery codes")},
            )
        form.add_error("token", _("That code is not valid. Check the time on your device."))
    key = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "admin/two_factor/enrol.html",
        {
            "form": form,
            "key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
            "config_url": device.config_url,
            "next": _next(request),
            "title": _("Set up your second factor"),
        },
    )
