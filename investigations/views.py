"""The team's door on the portal, under /investigations/: members sign in, see their team's
investigations and record visits, interviews, findings (drafts, then determinations), demands,
orders and verifications — every write through `investigations.services`. The team records
and the forum that compares teams show aggregates only, never a confidential record."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from commission.models import InvestigativeTeam, TeamMembership
from complaints.models import Case

from . import forms, selectors, services
from .models import (
    DisclosureDemand,
    Finding,
    Interview,
    InterviewExcerpt,
    InterviewFile,
    Investigation,
    RemedialOrder,
)
from .workspace import workspace_links

LOGIN = "complaints:sign-in"


def _visible(request, pk: int) -> Investigation:
    return get_object_or_404(selectors.investigations_for_user(request.user), pk=pk)


def _writable(request, pk: int) -> Investigation:
    investigation = _visible(request, pk)
    if not services.can_write(request.user, investigation):
        raise PermissionDenied
    return investigation


def _form_page(request, *, investigation, form, title, action_label):
    return render(
        request,
        "investigations/form.html",
        {
            "investigation": investigation,
            "form": form,
            "title": title,
            "action_label": action_label,
        },
    )


def _apply(request, form, fn) -> bool:
    """Run the service; its refusal becomes a form error. True when it succeeded."""
    try:
        fn()
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return False
    return True


def _end_of(day: dt.date) -> dt.datetime:
    now = timezone.now()
    if day >= timezone.localdate():
        return now
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


@login_required(login_url=LOGIN)
@require_GET
def workspace(request):
    investigations = list(selectors.investigations_for_user(request.user).order_by("-opened_at"))
    return render(
        request,
        "investigations/workspace.html",
        {
            "investigations": investigations,
            "teams": selectors.user_teams(request.user),
            "due": selectors.due_for_investigations(investigations=investigations),
            "links": workspace_links(),
        },
    )


@login_required(login_url=LOGIN)
@require_http_methods(["POST"])
def token_issue(request):
    """A team member's personal API token, shown once (a new one replaces the old)."""
    try:
        key = services.member_token_issue(user=request.user, actor=request.user)
    except ValidationError as exc:
        raise PermissionDenied(" ".join(exc.messages)) from exc
    response = render(request, "investigations/token.html", {"key": key})
    response["Cache-Control"] = "no-store"
    return response


@login_required(login_url=LOGIN)
@require_GET
def investigation_detail(request, pk: int):
    investigation = _visible(request, pk)
    record = selectors.investigation_record(investigation=investigation)
    membership = services.membership_of(request.user, investigation.team_id)
    return render(
        request,
        "investigations/detail.html",
        {
            **record,
            "can_write": services.can_write(request.user, investigation),
            "is_team_staff": membership is not None
            and membership.role == TeamMembership.Role.STAFF,
            "today": timezone.localdate(),
        },
    )


@login_required(login_url=LOGIN)
@require_http_methods(["GET", "POST"])
def site_visit_new(request, pk: int):
    investigation = _writable(request, pk)
    form = forms.SiteVisitForm(request.POST or None, investigation=investigation)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _apply(
            request,
            form,
            lambda: services.site_visit_record(
                investigation=investigation, actor=request.user, **d
            ),
        ):
            messages.success(request, _("Site visit recorded."))
            return redirect("investigations:detail", pk=pk)
    return _form_page(
        request,
        investigation=investigation,
        form=form,
        title=_("Record a site visit"),
        action_label=_("Record the visit"),
    )


@login_required(login_url=LOGIN)
@require_http_methods(["GET", "POST"])
def interview_new(request, pk: int):
    investigation = _writable(request, pk)
    form = forms.InterviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _apply(
            request,
            form,
            lambda: services.interview_record(investigation=investigation, actor=request.user, **d),
        ):
            messages.success(
                request, _("Interview recorded; the identity and statement are encrypted.")
            )
            return redirect("investigations:detail", pk=pk)
    return _form_page(
        request,
        investigation=investigation,
        form=form,
        title=_("Record a worker interview"),
        action_label=_("Record the interview"),
    )


@login_required(login_url=LOGIN)
@require_http_methods(["GET", "POST"])
def interview_detail(request, pk: int):
    interview = get_object_or_404(
        Interview.objects.select_related("investigation").prefetch_related("excerpts"), pk=pk
    )
    investigation = _visible(request, interview.investigation_id)
    confidential = None
    if services.can_read_confidential(request.user, interview):
        confidential = services.interview_confidential_read(
            interview=interview, user=request.user, door="portal"
        )
    form = forms.ExcerptForm(request.POST or None)
    if request.method == "POST":
        if not services.can_write(request.user, investigation):
            raise PermissionDenied
        if form.is_valid() and _apply(
            request,
            form,
            lambda: services.interview_excerpt_add(
                interview=interview, text=form.cleaned_data["text"], actor=request.user
            ),
        ):
            messages.success(request, _("Excerpt added."))
            return redirect("investigations:interview", pk=pk)
    return render(
        request,
        "investigations/interview.html",
        {
            "investigation": investigation,
            "interview": interview,
            "confidential": confidential,
            "form": form if confidential else None,
            # The files (their names may name the worker) only with the grant.
            "files": list(interview.files.all()) if confidential else [],
            "file_form": forms.InterviewFileForm() if confidential else None,
        },
    )


@login_required(login_url=LOGIN)
@require_http_methods(["POST"])
def interview_file_new(request, pk: int):
    interview = get_object_or_404(Interview.objects.select_related("investigation"), pk=pk)
    _writable(request, interview.investigation_id)
    if not services.can_read_confidential(request.user, interview):
        raise PermissionDenied
    form = forms.InterviewFileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.interview_file_add(
                interview=interview,
                upload=form.cleaned_data["upload"],
                kind=form.cleaned_data["kind"],
                actor=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("File added; it is encrypted at rest."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("investigations:interview", pk=interview.pk)


@login_required(login_url=LOGIN)
@require_GET
def interview_file(request, pk: int):
    """One interview file, decrypted for a holder of the interview's grant (the read is
    logged); never cached, always downloaded, never rendered inline."""
    row = get_object_or_404(InterviewFile.objects.select_related("interview"), pk=pk)
    _visible(request, row.interview.investigation_id)
    content = services.interview_file_read(file=row, user=request.user, door="portal")
    response = HttpResponse(content.data, content_type=content.mime_type)
    extension = content.name.rpartition(".")[2] if "." in content.name else "bin"
    # The stored name may name the worker: the download carries a neutral one.
    response["Content-Disposition"] = (
        f'attachment; filename="{row.interview.pseudonym.replace(" ", "-")}-{row.pk}.{extension}"'
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required(login_url=LOGIN)
@require_http_methods(["GET", "POST"])
def demand_new(request, pk: int):
    investigation = _writable(request, pk)
    form = forms.DemandForm(request.POST or None, investigation=investigation)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _apply(
            request,
            form,
            lambda: services.demand_issue(investigation=investigation, actor=request.user, **d),
        ):
            messages.success(request, _("Demand issued; its due date is running."))
            return redirect("investigations:detail", pk=pk)
    return _form_page(
        request,
        investigation=investigation,
        form=form,
        title=_("Issue a disclosure demand"),
        action_label=_("Issue the demand"),
    )


@login_required(login_url=LOGIN)
@require_http_methods(["GET", "POST"])
def demand_respond(request, pk: int, outcome: str):
    demand = get_object_or_404(DisclosureDemand, pk=pk)
    investigation = _writable(request, demand.investigation_id)
    if outcome == "disclosed":
        form = forms.DisclosureForm(request.POST or None)
        title = _("Record the disclosure")

        def act():
            return services.demand_record_disclosure(
                demand=demand,
                summary=form.cleaned_data["summary"],
                disclosed_at=_end_of(form.cleaned_data["disclosed_on"]),
                actor=request.user,
            )
    elif outcome == "penalty":
        form = forms.PenaltyForm(request.POST or None)
        title = _("Record non-disclosure and its penalty")

        def act():
            return services.demand_record_penalty(
                demand=demand,
                penalty=form.cleaned_data["penalty"],
                amount=form.cleaned_data["amount"],
                currency=form.cleaned_data["currency"] or "",
                actor=request.user,
            )
    else:
        raise Http404
    if request.method == "POST" and form.is_valid() and _apply(request, form, act):
        messages.success(request, _("Recorded."))
        return redirect("investigations:detail", pk=investigation.pk)
    return _form_page(
        request, investigation=investigation, form=form, title=title, action_label=_("Record")
    )


@login_required(login_url=LOGIN)
@require_http_methods(["GET", "POST"])
def finding_new(request, pk: int):
    investigation = _writable(request, pk)
    form = forms.FindingForm(request.POST or None, investigation=investigation)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        d["excerpts"] = list(
            InterviewExcerpt.objects.filter(
                interview__investigation=investigation, pk__in=d["excerpts"]
            )
        )
        d["site_visits"] = list(investigation.site_visits.filter(pk__in=d["site_visits"]))
        d["measured_unit"] = d["measured_unit"] or ""
        d["measuring_method"] = d["measuring_method"] or ""
        if _apply(
            request,
            form,
            lambda: services.finding_draft(investigation=investigation, actor=request.user, **d),
        ):
            messages.success(request, _("Finding drafted; the team determines it."))
            return redirect("investigations:detail", pk=pk)
    return _form_page(
        request,
        investigation=investigation,
        form=form,
        title=_("Draft a finding"),
        action_label=_("Save the draft finding"),
    )


@login_required(login_url=LOGIN)
@require_http_methods(["GET", "POST"])
def finding_determine(request, pk: int):
    finding = get_object_or_404(Finding.objects.select_related("criterion_version"), pk=pk)
    investigation = _writable(request, finding.investigation_id)
    memberships = (
        TeamMembership.objects.filter(team_id=investigation.team_id)
        .select_related("person")
        .order_by("role", "person__full_name")
    )
    form = forms.DetermineForm(request.POST or None, memberships=memberships)
    if request.method == "POST" and form.is_valid():
        positions = [
            services.PositionInput(
                m, form.cleaned_data[f"position_{m.pk}"], form.cleaned_data[f"reasoning_{m.pk}"]
            )
            for m in form.memberships
            if form.cleaned_data[f"position_{m.pk}"]
        ]
        try:
            services.finding_determine(finding=finding, positions=positions, actor=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Determination recorded."))
            return redirect("investigations:detail", pk=investigation.pk)
    return _form_page(
        request,
        investigation=investigation,
        form=form,
        title=_("Determine: %(finding)s") % {"finding": finding.summary},
        action_label=_("Record the determination"),
    )


@login_required(login_url=LOGIN)
@require_http_methods(["GET", "POST"])
def order_new(request, pk: int):
    investigation = _writable(request, pk)
    form = forms.OrderForm(request.POST or None, investigation=investigation)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        steps = [services.StepInput(d["step_1"], d["step_1_days"])]
        if d["step_2"]:
            if not d["step_2_days"]:
                form.add_error("step_2_days", _("Give the days to complete step 2."))
            steps.append(services.StepInput(d["step_2"], d["step_2_days"] or 0))
        capacity = []
        if d["capacity_recipient"] and d["capacity_description"]:
            capacity.append(
                services.CapacityInput(d["capacity_recipient"], d["capacity_description"])
            )
        if not form.errors and _apply(
            request,
            form,
            lambda: services.remedial_order_issue(
                investigation=investigation,
                addressee=d["addressee"],
                findings=list(investigation.findings.filter(pk__in=d["findings"])),
                text=d["text"],
                steps=steps,
                capacity_measures=capacity,
                issued_at=_end_of(d["issued_on"]),
                actor=request.user,
            ),
        ):
            messages.success(request, _("Remedial order issued; its due dates are running."))
            return redirect("investigations:detail", pk=pk)
    return _form_page(
        request,
        investigation=investigation,
        form=form,
        title=_("Issue a remedial order"),
        action_label=_("Issue the order"),
    )


@login_required(login_url=LOGIN)
@require_http_methods(["GET", "POST"])
def verification_new(request, pk: int):
    order = get_object_or_404(RemedialOrder, pk=pk)
    investigation = _writable(request, order.investigation_id)
    form = forms.VerificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        d["measured_unit"] = d["measured_unit"] or ""
        d["measuring_method"] = d["measuring_method"] or ""
        if _apply(
            request,
            form,
            lambda: services.verification_record(order=order, actor=request.user, **d),
        ):
            messages.success(request, _("Verification recorded."))
            return redirect("investigations:detail", pk=investigation.pk)
    return _form_page(
        request,
        investigation=investigation,
        form=form,
        title=_("Record a verification visit"),
        action_label=_("Record the verification"),
    )


@login_required(login_url=LOGIN)
@require_http_methods(["GET", "POST"])
def investigation_new(request):
    """Staff open an investigation of any kind (a complaint's targeted investigation is also
    opened by itself when the complaint is filed)."""
    if not request.user.has_perm(services.PERM_ASSIGN):
        raise PermissionDenied
    form = forms.OpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        complaint = None
        if d["complaint"]:
            complaint = Case.objects.filter(docket_number=d["complaint"].strip()).first()
            if complaint is None:
                form.add_error("complaint", _("No case has this docket number."))
        created = []

        def open_it():
            if d["kind"] == Investigation.Kind.EMPLOYER_SAMPLE:
                created.append(
                    services.investigation_open_sample(
                        team=d["team"],
                        title=d["title"],
                        country=d["team"].country,
                        sector=d["sector"],
                        size=d["sample_size"] or 0,
                        seed=d["seed"] or None,
                        actor=request.user,
                    )
                )
            else:
                created.append(
                    services.investigation_open(
                        kind=d["kind"],
                        team=d["team"],
                        title=d["title"],
                        sector=d["sector"],
                        subjects=list(d["subjects"]),
                        complaint=complaint,
                        reason=d["reason"],
                        actor=request.user,
                    )
                )

        if not form.errors and _apply(request, form, open_it):
            messages.success(request, _("Investigation opened; its team has access to it."))
            return redirect("investigations:detail", pk=created[0].pk)
    return render(
        request,
        "investigations/form.html",
        {
            "form": form,
            "title": _("Open an investigation"),
            "action_label": _("Open the investigation"),
        },
    )


# --- team records and fora -----------------------------------------------------------------


def _period(request) -> tuple[forms.PeriodForm, dt.date, dt.date]:
    today = timezone.localdate()
    default = {"since": today - dt.timedelta(days=365), "until": today}
    form = forms.PeriodForm(request.GET or None, initial=default)
    if request.GET and form.is_valid():
        since, until = form.cleaned_data["since"], form.cleaned_data["until"]
        if since > until:
            since, until = until, since
        return form, since, until
    return form, default["since"], default["until"]


@require_http_methods(["GET", "POST"])
def forum(request):
    """The teams side by side for a period; members mandate protocol changes here."""
    can_mandate = request.user.is_authenticated and request.user.has_perm(services.PERM_MANDATE)
    mandate_form = forms.MandateForm(request.POST or None) if can_mandate else None
    if request.method == "POST":
        if not can_mandate:
            raise PermissionDenied
        if mandate_form.is_valid():
            d = mandate_form.cleaned_data
            if _apply(
                request,
                mandate_form,
                lambda: services.protocol_mandate(actor=request.user, **d),
            ):
                messages.success(request, _("Protocol change mandated."))
                return redirect("investigations:forum")
    form, since, until = _period(request)
    return render(
        request,
        "investigations/forum.html",
        {
            "form": form,
            "since": since,
            "until": until,
            "records": selectors.team_records(since=since, until=until),
            "mandate_form": mandate_form,
        },
    )


@require_GET
def team_record(request, pk: int):
    team = get_object_or_404(
        InvestigativeTeam.objects.prefetch_related(
            Prefetch("memberships", queryset=TeamMembership.objects.select_related("organization"))
        ),
        pk=pk,
    )
    form, since, until = _period(request)
    record = selectors.team_records(
        since=since, until=until, teams=InvestigativeTeam.objects.filter(pk=pk)
    )[0]
    roles = sorted({m.get_role_display() for m in team.memberships.all()})
    return render(
        request,
        "investigations/team.html",
        {
            "team": team,
            "record": record,
            "form": form,
            "since": since,
            "until": until,
            "roles": roles,
        },
    )
