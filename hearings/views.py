"""The portal's hearings pages: public hearing notices and their iCalendar feed, the
registration of participants and their written submissions, issued decisions with their
reasoned opinions (identities redacted), the register of issued opinions and its
verification page.

Every write goes through `hearings.services`; a refusal becomes a form error.
"""

from __future__ import annotations

import base64

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from commission.models import Organization, OrganizationMembership

from . import ical, selectors, services
from .models import Decision, Hearing, HearingParticipant, HearingRecordItem, Opinion, Submission

MAX_VERIFY_UPLOAD = 50 * 1024 * 1024


@require_GET
def hearing_list(request):
    now = timezone.now()
    hearings = list(selectors.hearings_public())
    return render(
        request,
        "hearings/hearing_list.html",
        {
            "upcoming": [h for h in hearings if h.status == Hearing.Status.SCHEDULED],
            "held": [h for h in hearings if h.status == Hearing.Status.HELD][::-1],
            "now": now,
        },
    )


@require_GET
def hearing_detail(request, pk: int):
    hearing = selectors.hearing_detail(pk=pk)
    if hearing is None:
        raise Http404
    redactions = selectors.case_redactions(case=hearing.case)
    # A title is public only once staff have reviewed it (hearings.services.submission_review);
    # before that every submission reads the same, whatever its title says.
    submissions = [
        {
            "number": s.number,
            "kind": s.get_kind_display(),
            "title": s.public_title if s.reviewed_at else _("(awaiting review)"),
            "by": selectors.redact(s.participant.public_label, redactions),
            "filed_at": s.filed_at,
            "has_file": bool(s.file) and s.reviewed_at is not None,
            "pk": s.pk,
            "sha256": s.sha256,
        }
        for s in hearing.public_submissions
    ]
    seats = selectors.panel_sitting_seats(panel=hearing.panel)
    return render(
        request,
        "hearings/hearing_detail.html",
        {
            "hearing": hearing,
            "participants": hearing.participants.all(),
            "submissions": submissions,
            "record": [r for r in hearing.record.all() if r.is_public],
            "seats": seats,
            "registration_open": hearing.status == Hearing.Status.SCHEDULED
            and timezone.now() < hearing.scheduled_for,
        },
    )


@require_GET
def calendar_feed(request):
    body = ical.calendar(
        selectors.hearings_public(),
        host=request.get_host().split(":")[0],
        base_url=f"{request.scheme}://{request.get_host()}",
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="hearings.ics"'
    return response


def _file_response(field, name: str):
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
def record_download(request, pk: int):
    item = get_object_or_404(HearingRecordItem, pk=pk, is_public=True)
    return _file_response(item.file, item.original_name)


@require_GET
def submission_download(request, pk: int, sha256: str):
    """A reviewed public submission's attachment, at an address naming its content (not a
    number to count through)."""
    submission = get_object_or_404(
        Submission, pk=pk, sha256=sha256, is_public=True, reviewed_at__isnull=False
    )
    if not submission.file:
        raise Http404
    return _file_response(submission.file, submission.file.name.rsplit("/", 1)[-1])


class RegisterForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=gettext_lazy("Organization"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=gettext_lazy("Leave empty to register as a complainant in your own name."),
    )
    presents_evidence = forms.BooleanField(
        label=gettext_lazy("We will present evidence and arguments at the hearing"),
        required=False,
        initial=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def participate(request, pk: int):
    hearing = get_object_or_404(Hearing.objects.select_related("case"), pk=pk)
    form = RegisterForm(request.POST or None)
    form.fields["organization"].queryset = Organization.objects.filter(
        pk__in=OrganizationMembership.objects.filter(person__user=request.user).values(
            "organization"
        )
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_register(
                hearing=hearing,
                organization=form.cleaned_data["organization"],
                presents_evidence=form.cleaned_data["presents_evidence"],
                actor=request.user,
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("You are registered for the hearing."))
            return redirect("hearings:submit", pk=hearing.pk)
    return render(request, "hearings/participate.html", {"hearing": hearing, "form": form})


class SubmissionForm(forms.Form):
    participant = forms.ModelChoiceField(
        label=gettext_lazy("Filed for"), queryset=HearingParticipant.objects.none()
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Submission.Kind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    text = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea)
    attachment = forms.FileField(label=gettext_lazy("Attachment"), required=False)
    is_public = forms.BooleanField(
        label=gettext_lazy("Public (leave unticked if it names workers)"),
        required=False,
        initial=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def submit(request, pk: int):
    hearing = get_object_or_404(Hearing.objects.select_related("case"), pk=pk)
    own = HearingParticipant.objects.filter(hearing=hearing).filter(
        user=request.user
    ) | HearingParticipant.objects.filter(
        hearing=hearing,
        organization__in=OrganizationMembership.objects.filter(person__user=request.user).values(
            "organization"
        ),
    )
    form = SubmissionForm(request.POST or None, request.FILES or None)
    form.fields["participant"].queryset = own.distinct()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.submission_file(
                participant=data["participant"],
                kind=data["kind"],
                title=data["title"],
                text=data["text"],
                upload=data["attachment"],
                is_public=data["is_public"],
                actor=request.user,
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("Your submission is filed."))
            return redirect("hearings:hearing", pk=hearing.pk)
    return render(request, "hearings/submit.html", {"hearing": hearing, "form": form})


@require_GET
def decision_list(request):
    return render(
        request, "hearings/decision_list.html", {"decisions": selectors.decisions_issued()}
    )


@require_GET
def decision_detail(request, pk: int):
    decision = selectors.decision_full(pk=pk)
    if decision is None or decision.status != Decision.Status.ISSUED:
        raise Http404
    from .opinion import decision_context

    context = decision_context(decision)
    return render(
        request,
        "hearings/decision_detail.html",
        {
            "decision": decision,
            "doc": context,
            "opinions": decision.opinions.order_by("issued_at", "id"),
        },
    )


@require_GET
def opinion_register(request):
    return render(
        request, "hearings/opinion_register.html", {"opinions": selectors.opinion_register()}
    )


@require_GET
def opinion_download(request, sha256: str):
    """The PDF of an issued opinion, verified against its registered SHA-256 before it is
    sent (read, hash, compare, send: opinions are small). An altered or missing file is never
    served: the reader gets a clear 503 (HTML, or JSON for an API client) and staff are told."""
    opinion = get_object_or_404(
        Opinion.objects.select_related("decision__case"), sha256=sha256.lower()
    )
    etag = f'"{opinion.sha256}"'
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        not_modified = HttpResponse(status=304)
        not_modified["ETag"] = etag
        return not_modified
    try:
        data = services.opinion_file_read(opinion=opinion)
    except services.OpinionFileAltered:
        message = _(
            "The stored file of opinion %(ref)s does not match its registered SHA-256, so it "
            "is not served. The commission has been alerted and will restore it."
        ) % {"ref": opinion.reference}
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse(
                {"detail": message, "reference": opinion.reference, "sha256": opinion.sha256},
                status=503,
            )
        return render(
            request,
            "hearings/opinion_unavailable.html",
            {"opinion": opinion, "message": message},
            status=503,
        )
    name = opinion.reference.replace("/", "_") + ".pdf"
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, name)
    response["X-Content-SHA256"] = opinion.sha256
    # The bytes are immutable: their SHA-256 is the entity tag, and the digest headers let a
    # court check what it received (RFC 9530, and the older RFC 3230 form).
    digest = base64.b64encode(bytes.fromhex(opinion.sha256)).decode()
    response["ETag"] = etag
    response["Repr-Digest"] = f"sha-256=:{digest}:"
    response["Digest"] = f"SHA-256={digest}"
    return response


class VerifyForm(forms.Form):
    pdf = forms.FileField(label=gettext_lazy("The PDF to check"), required=False)
    sha256 = forms.CharField(
        label=gettext_lazy("Or its SHA-256"), required=False, max_length=64, strip=True
    )

    def clean(self):
        data = super().clean()
        if not data.get("pdf") and not data.get("sha256"):
            raise ValidationError(_("Upload a PDF or give its SHA-256."))
        upload = data.get("pdf")
        if upload is not None and upload.size > MAX_VERIFY_UPLOAD:
            raise ValidationError(_("The file is too large."))
        return data


@require_http_methods(["GET", "POST"])
def opinion_verify(request):
    # A link from a case's page (`?sha256=`) checks that hash at once: a read, like the register.
    if request.method == "GET" and request.GET.get("sha256"):
        form = VerifyForm({"sha256": request.GET["sha256"]})
    else:
        form = VerifyForm(request.POST or None, request.FILES or None)
    result = None
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data.get("pdf")
        try:
            result = services.opinion_verify(
                data=upload.read() if upload else None,
                sha256=form.cleaned_data.get("sha256") or None,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
    return render(request, "hearings/opinion_verify.html", {"form": form, "result": result})
