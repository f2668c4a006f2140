"""The public criteria register on the portal, and the deliberation rounds.

Reading is public. Filing reports and proposals needs a login; voting is for sitting members.
Every write goes through `criteria.services`; a refusal is shown as the form's error."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commission.paging import page_number

from . import selectors, services
from .caching import register_answer
from .forms import BindingForm, ProposalForm, RegisterFilterForm, ReportForm, VoteForm
from .models import Criterion, DeliberationRound, Proposal

PAGE_SIZE = 50


def _export_date(request) -> dt.date | None:
    """An export's "in force on" date: none (the full history) when not given, today when
    not a date."""
    try:
        return dt.date.fromisoformat(request.GET["on"]) if request.GET.get("on") else None
    except ValueError:
        return selectors.today()


def _export(request, content, content_type: str, extension: str, disposition: str):
    on = _export_date(request)
    response = StreamingHttpResponse(content(on), content_type=content_type)
    name = f"criteria-register-{on.isoformat()}" if on else "criteria-register"
    response["Content-Disposition"] = f'{disposition}; filename="{name}.{extension}"'
    return response


def _query_without_page(request) -> str:
    """The page's query string without its page number, for its paging links."""
    return urlencode([(k, v) for k, values in request.GET.lists() if k != "page" for v in values])


@require_GET
@register_answer
def register(request):
    """The register as in force on a date, filtered by right, country, sector, kind or text;
    a page of `PAGE_SIZE` rows and one more read to know whether a next page exists (the
    register is never counted)."""
    form = RegisterFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    on = filters.get("on") or selectors.today()
    sector = filters.get("sector")
    versions = selectors.criterion_register(
        on=on,
        right=filters.get("right"),
        country=filters.get("country"),
        sector_code=sector.isic_code if sector else None,
        kind=filters.get("kind") or None,
        query=filters.get("q") or None,
    )
    number = page_number(request.GET.get("page"))
    start = (number - 1) * PAGE_SIZE
    rows = list(versions[start : start + PAGE_SIZE + 1])
    return render(
        request,
        "criteria/register.html",
        {
            "form": form,
            "on": on,
            "today": selectors.today(),
            "rows": rows[:PAGE_SIZE],
            "rights": selectors.right_list(),
            "current_right": filters.get("right"),
            "query": _query_without_page(request),
            "number": number,
            "has_previous": number > 1,
            "has_next": len(rows) > PAGE_SIZE,
        },
    )


@require_GET
@register_answer
def criterion_detail(request, code: str):
    criterion = get_object_or_404(Criterion.objects.select_related("right"), code=code)
    history = selectors.criterion_history(criterion=criterion)
    on = selectors.today()
    in_force = [v for v in history if v.effective_from <= on < (v.effective_until or dt.date.max)]
    return render(
        request,
        "criteria/criterion_detail.html",
        {
            "criterion": criterion,
            "history": history,
            "in_force": in_force[0] if in_force and not in_force[0].is_retirement else None,
            "pairs": list(itertools.pairwise(history)),
            "today": on,
        },
    )


@require_GET
@register_answer
def version_detail(request, code: str, number: int):
    found = selectors.criterion_version_with_history(identifier=f"{code}/v{number}")
    if found is None:
        raise Http404
    version, history = found
    return render(
        request,
        "criteria/version_detail.html",
        {"version": version, "criterion": version.criterion, "history": history},
    )


@require_GET
@register_answer
def version_diff(request, code: str, old: int, new: int):
    criterion = get_object_or_404(Criterion.objects.select_related("right"), code=code)
    history = {v.number: v for v in selectors.criterion_history(criterion=criterion)}
    if old not in history or new not in history:
        raise Http404
    return render(
        request,
        "criteria/diff.html",
        {
            "criterion": criterion,
            "old": history[old],
            "new": history[new],
            "changes": selectors.criterion_version_diff(old=history[old], new=history[new]),
        },
    )


@require_GET
@register_answer
def binding(request):
    """Which criteria bind a country and sector on a date, with the explanation of each, a
    page of `selectors.BINDING_PAGE_SIZE` at a time."""
    form = BindingForm(request.GET or None, initial={"on": selectors.today()})
    page = None
    if form.is_valid():
        page = selectors.criteria_binding_page(
            country=form.cleaned_data["country"],
            sector=form.cleaned_data["sector"],
            on=form.cleaned_data["on"],
            number=page_number(request.GET.get("page")),
        )
    return render(
        request,
        "criteria/binding.html",
        {"form": form, "page": page, "query": _query_without_page(request)},
    )


class _Echo:
    def write(self, value):
        return value


def _csv_rows(on: dt.date | None):
    writer = csv.writer(_Echo())
    yield writer.writerow(selectors.CSV_COLUMNS)
    for version in selectors.register_export(on=on):
        yield writer.writerow(selectors.version_as_row(version))


def _json_chunks(on: dt.date | None):
    yield json.dumps({"in_force_on": on.isoformat() if on else None})[:-1] + ', "versions": ['
    for i, version in enumerate(selectors.register_export(on=on)):
        yield ("," if i else "") + json.dumps(version, ensure_ascii=False)
    yield "]}"


@require_GET
@register_answer
def export_csv(request):
    return _export(request, _csv_rows, "text/csv; charset=utf-8", "csv", "attachment")


@require_GET
@register_answer
def export_json(request):
    return _export(request, _json_chunks, "application/json", "json", "inline")


# --------------------------------------------------------------------------- rounds


@require_GET
def round_list(request):
    return render(request, "criteria/round_list.html", {"rounds": selectors.round_list()})


@require_GET
def round_detail(request, code: str):
    round_ = get_object_or_404(DeliberationRound, code=code)
    proposals = selectors.round_proposals(round=round_)
    reports = round_.reports.filter(is_public=True).select_related(
        "organization", "team", "criterion"
    )
    return render(
        request,
        "criteria/round_detail.html",
        {
            "round": round_,
            "proposals": [(p, services.proposal_tally(proposal=p)) for p in proposals],
            "reports": reports,
            "member": services.member_sitting(user=request.user),
            "vote_form": VoteForm(),
        },
    )


def _filing(request, code: str, form, file, done: str, template: str):
    """A page filing a report or a proposal in a round: the service's refusal is the form's
    error."""
    round_ = get_object_or_404(DeliberationRound, code=code)
    if request.method == "POST" and form.is_valid():
        try:
            file(round_, form)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, done)
            return redirect("criteria:round-detail", code=round_.code)
    return render(request, template, {"round": round_, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def report_file(request, code: str):
    return _filing(
        request,
        code,
        ReportForm(request.POST or None),
        lambda r, f: services.report_file(round=r, actor=request.user, **f.cleaned_data),
        _("Your report was filed."),
        "criteria/report_form.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_file(request, code: str):
    return _filing(
        request,
        code,
        ProposalForm(request.POST or None, initial={"all_countries": True, "all_sectors": True}),
        lambda r, f: services.proposal_submit(round=r, actor=request.user, **f.submission()),
        _("Your proposal was filed."),
        "criteria/proposal_form.html",
    )


def _refusal_shown(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


@login_required
@require_POST
def proposal_vote(request, code: str, number: int):
    proposal = get_object_or_404(
        Proposal.objects.select_related("round"), round__code=code, number=number
    )
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose for, against or abstain."))
    else:
        try:
            services.proposal_vote(
                proposal=proposal, actor=request.user, choice=form.cleaned_data["choice"]
            )
        except ValidationError as exc:
            _refusal_shown(request, exc)
        else:
            messages.success(request, _("Your vote was recorded."))
    return redirect("criteria:round-detail", code=code)


@login_required
@require_POST
def proposal_decide(request, code: str, number: int):
    proposal = get_object_or_404(
        Proposal.objects.select_related("round"), round__code=code, number=number
    )
    try:
        proposal = services.proposal_decide(proposal=proposal, actor=request.user)
    except ValidationError as exc:
        _refusal_shown(request, exc)
    else:
        messages.success(
            request,
            _("Proposal %(number)s: %(status)s.")
            % {"number": proposal.number, "status": proposal.get_status_display()},
        )
    return redirect("criteria:round-detail", code=code)


ROUND_STEPS = {"open_voting": services.round_open_voting, "close": services.round_close}


@login_required
@require_POST
def round_advance(request, code: str):
    round_ = get_object_or_404(DeliberationRound, code=code)
    try:
        if (step := ROUND_STEPS.get(request.POST.get("action", ""))) is None:
            raise ValidationError(_("Unknown action."))
        step(round=round_, actor=request.user)
    except ValidationError as exc:
        _refusal_shown(request, exc)
    return redirect("criteria:round-detail", code=code)


@require_GET
@register_answer
def version_json(request, code: str, number: int):
    found = selectors.criterion_version_with_history(identifier=f"{code}/v{number}")
    if found is None:
        raise Http404
    version, _history = found
    return JsonResponse(
        selectors.version_as_dict(version), json_dumps_params={"ensure_ascii": False}
    )
