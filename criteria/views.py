"""The public criteria register on the portal, and the deliberation rounds.

Reading is public. Filing reports and proposals needs a login; voting is for sitting members.
Every write goes through `criteria.services`; a refusal is shown as the form's error."""

from __future__ import annotations

import csv
import datetime as dt
import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commission.paging import page_number

from . import selectors, services
from .caching import register_answer
from .forms import BindingForm, ProposalForm, RegisterFilterForm, ReportForm, VoteForm
from .models import Proposal

PAGE_SIZE = 50


def _date_param(request, name: str = "on") -> dt.date:
    value = request.GET.get(name)
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    return selectors.today()


def _page_number(request) -> int:
    return page_number(request.GET.get("page"))


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
    number = _page_number(request)
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
    criterion = selectors.criterion_get(code=code)
    if criterion is None:
        raise Http404
    history = selectors.criterion_history(criterion=criterion)
    on = selectors.today()
    in_force = next(
        (
            v
            for v in history
            if v.effective_from <= on
            and (v.effective_until is None or v.effective_until > on)
            and not v.is_retirement
        ),
        None,
    )
    pairs = list(zip(history, history[1:], strict=False))
    return render(
        request,
        "criteria/criterion_detail.html",
        {
            "criterion": criterion,
            "history": history,
            "in_force": in_force,
            "pairs": pairs,
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
    criterion = selectors.criterion_get(code=code)
    if criterion is None:
        raise Http404
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
            number=_page_number(request),
        )
    return render(
        request,
        "criteria/binding.html",
        {"form": form, "page": page, "query": _query_without_page(request)},
    )


class _Echo:
    def write(self, value):
        return value


@require_GET
@register_answer
def export_csv(request):
    on = _date_param(request) if request.GET.get("on") else None
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(selectors.CSV_COLUMNS)
        for version in selectors.register_export(on=on):
            yield writer.writerow(selectors.version_as_row(version))

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    name = f"criteria-register-{on.isoformat()}" if on else "criteria-register"
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@require_GET
@register_answer
def export_json(request):
    on = _date_param(request) if request.GET.get("on") else None

    def chunks():
        head = {"in_force_on": on.isoformat() if on else None}
        yield json.dumps(head)[:-1] + ', "versions": ['
        first = True
        for version in selectors.register_export(on=on):
            yield ("" if first else ",") + json.dumps(version, ensure_ascii=False)
            first = False
        yield "]}"

    response = StreamingHttpResponse(chunks(), content_type="application/json")
    name = f"criteria-register-{on.isoformat()}" if on else "criteria-register"
    response["Content-Disposition"] = f'inline; filename="{name}.json"'
    return response


# --------------------------------------------------------------------------- rounds


@require_GET
def round_list(request):
    return render(request, "criteria/round_list.html", {"rounds": selectors.round_list()})


def _round_or_404(code: str):
    round_ = selectors.round_get(code=code)
    if round_ is None:
        raise Http404
    return round_


@require_GET
def round_detail(request, code: str):
    round_ = _round_or_404(code)
    proposals = selectors.round_proposals(round=round_)
    tallies = {p.pk: services.proposal_tally(proposal=p) for p in proposals}
    reports = round_.reports.filter(is_public=True).select_related(
        "organization", "team", "criterion"
    )
    return render(
        request,
        "criteria/round_detail.html",
        {
            "round": round_,
            "proposals": [(p, tallies[p.pk]) for p in proposals],
            "reports": reports,
            "member": services.member_sitting(user=request.user),
            "vote_form": VoteForm(),
        },
    )


def _show_errors(form, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


@login_required
@require_http_methods(["GET", "POST"])
def report_file(request, code: str):
    round_ = _round_or_404(code)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_file(round=round_, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, _("Your report was filed."))
            return redirect("criteria:round-detail", code=round_.code)
    return render(request, "criteria/report_form.html", {"round": round_, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def proposal_file(request, code: str):
    round_ = _round_or_404(code)
    form = ProposalForm(request.POST or None, initial={"all_countries": True, "all_sectors": True})
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_submit(round=round_, actor=request.user, **form.submission())
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, _("Your proposal was filed."))
            return redirect("criteria:round-detail", code=round_.code)
    return render(request, "criteria/proposal_form.html", {"round": round_, "form": form})


def _proposal_or_404(code: str, number: int) -> Proposal:
    proposal = (
        Proposal.objects.select_related("round").filter(round__code=code, number=number).first()
    )
    if proposal is None:
        raise Http404
    return proposal


@login_required
@require_POST
def proposal_vote(request, code: str, number: int):
    proposal = _proposal_or_404(code, number)
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose for, against or abstain."))
    else:
        try:
            services.proposal_vote(
                proposal=proposal, actor=request.user, choice=form.cleaned_data["choice"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Your vote was recorded."))
    return redirect("criteria:round-detail", code=code)


@login_required
@require_POST
def proposal_decide(request, code: str, number: int):
    proposal = _proposal_or_404(code, number)
    try:
        proposal = services.proposal_decide(proposal=proposal, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Proposal %(number)s: %(status)s.")
            % {"number": proposal.number, "status": proposal.get_status_display()},
        )
    return redirect("criteria:round-detail", code=code)


@login_required
@require_POST
def round_advance(request, code: str):
    round_ = _round_or_404(code)
    action = request.POST.get("action")
    try:
        if action == "open_voting":
            services.round_open_voting(round=round_, actor=request.user)
        elif action == "close":
            services.round_close(round=round_, actor=request.user)
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(reverse("criteria:round-detail", kwargs={"code": code}))


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
