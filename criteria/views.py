"""The public criteria register on the portal, and the deliberation rounds.

Reading is public. Filing reports and proposals needs a login; voting is for sitting members.
Every write goes through `criteria.services`; a refusal is shown as the form's error."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commission.paging import page_number

from . import selectors, services
from .cache import TIMEOUT, at_state, cached, cached_with_state, key_of, keys_of, memo, one_state
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


def _page_key(request, name: str) -> tuple:
    """A public page's question: its name, the reader's language, today's date (the default
    date of the page) and its query parameters."""
    return (name, get_language(), selectors.today().isoformat(), sorted(request.GET.lists()))


# Stand for the page's path and its content in a page's chrome (the base layout around the
# content), which is rendered once per title, language and register state.
_PATH_MARK = "criteria-page-path-mark"
_CONTENT_MARK = "criteria-page-content-mark"


def _chrome(request, title) -> str:
    """The layout of a public page around `_CONTENT_MARK`."""

    def render_chrome() -> str:
        return render_to_string(
            "criteria/page.html",
            {
                "title": title,
                "content": _CONTENT_MARK,
                "next_path": _PATH_MARK,
                "messages": (),
            },
            request=request,
        )

    return memo(("chrome", get_language(), str(title)), render_chrome)


def _public_page(request, name: str, title, content, fast=None) -> HttpResponse:
    """A public register page, computed once per question, language and register state.

    The whole page is cached (it is the same for every reader of the question: public pages
    carry no per-reader token and set no cookie) except for flash messages: a reader with
    messages waiting gets the page rendered around the cached content. A plain question
    (`_plain_question`) that the precomputed answers answer is put together by `fast(on)`,
    which reads the answer with its register state in one query (`cached_with_state`); any
    other has its `content()` computed and put into the chrome, which is itself rendered once
    per page title, language and state."""
    on = _plain_question(request) if fast is not None else None
    if on is not None:
        parts = ("page", request.get_full_path(), *_page_key(request, name))
        body = cached_with_state(parts, lambda: fast(on))
        if body is not None:
            return HttpResponse(body)
    with one_state():
        parts = _page_key(request, name)
        if len(messages.get_messages(request)):
            return render(
                request, "criteria/page.html", {"title": title, "content": cached(parts, content)}
            )
        key = key_of(("page", request.get_full_path(), *parts))
        body = cache.get(key) if key else None
        if body is None:
            body = _in_chrome(request, title, content())
            if key:
                cache.set(key, body, TIMEOUT)
    return HttpResponse(body)


def _in_chrome(request, title, content: str) -> bytes:
    """The page `content` in the page's chrome."""
    before, after = _chrome(request, title).split(_CONTENT_MARK)
    path = escape(request.get_full_path())
    return "".join(
        (before.replace(_PATH_MARK, path), content, after.replace(_PATH_MARK, path))
    ).encode()


def _register_rows(versions: list) -> list[str]:
    """The register's rows as HTML. A row shows one version (immutable) with its criterion and
    right, so it is the same in every answer that lists the version: rows are cached per
    version, language and register state, and an answer renders only the rows not yet seen."""
    keys = keys_of([("register-row", get_language(), v.pk) for v in versions])
    found = cache.get_many([k for k in keys if k]) if any(keys) else {}
    rows, missing = [], {}
    for version, key in zip(versions, keys, strict=True):
        html = found.get(key) if key else None
        if html is None:
            html = render_to_string("criteria/_register_row.html", {"v": version})
            if key:
                missing[key] = html
        rows.append(mark_safe(html))  # noqa: S308 - rendered by the template engine
    if missing:
        cache.set_many(missing, TIMEOUT)
    return rows


@require_GET
def register(request):
    """The register as in force on a date, filtered by right, country, sector, kind or text.

    The page's content is computed once per question and register state (criteria.cache). A
    question by country, sector and date that the precomputed answers answer is put together
    from rows and a page rendered once (see `binding`)."""

    title = _("Criteria register")

    def content() -> str:
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
        # One query for the page and one row more to know whether a next page exists: the
        # register is never counted or sorted as a whole.
        start = (number - 1) * PAGE_SIZE
        rows = list(versions[start : start + PAGE_SIZE + 1])
        return render_to_string(
            "criteria/_register_content.html",
            {
                **_register_values(request, on.isoformat(), number),
                **_register_variant(on, number, len(rows) > PAGE_SIZE),
                "form_html": form.as_p(),
                "rows": _register_rows(rows[:PAGE_SIZE]),
                "rights": selectors.right_list(),
                "current_right": filters.get("right"),
            },
        )

    return _public_page(
        request, "register", title, content, fast=lambda on: _register_fast(request, title, on)
    )


_ROWS_MARK = "criteriarowsmark"


def _register_fast(request, title, on: dt.date) -> tuple[str, bytes] | None:
    """The register's list for a country, sector and date put together from precomputed
    rows, with the register state they are of; None when the question is not one the
    precomputed answers answer as asked."""
    params, number = request.GET, _page_number(request)
    found = selectors.register_rows(
        country_code=params["country"],
        sector_code=params["sector"],
        on=on,
        start=(number - 1) * PAGE_SIZE,
        count=PAGE_SIZE + 1,
    )
    if found is None:
        return None
    rows = found.rows
    with at_state(found.stamp):
        values = _register_values(request, params["on"], number)
        variant = _register_variant(on, number, len(rows) > PAGE_SIZE)
        form = _filter_form_html(params["country"], params["sector"], params["on"])
        shown = rows[:PAGE_SIZE]
        return found.stamp, _put_together(
            request,
            title,
            ("register-content", get_language(), *sorted(variant.items()), bool(shown)),
            lambda marks: render_to_string(
                "criteria/_register_content.html",
                {
                    **variant,
                    **dict(zip(values, marks, strict=True)),
                    "form_html": mark_safe(_FORM_MARK),  # noqa: S308 - a mark
                    "rows": [mark_safe(_ROWS_MARK)] if shown else [],  # noqa: S308 - a mark
                    "rights": list(selectors.right_list()),
                    "current_right": None,
                },
            ),
            list(values.values()),
            raw={_FORM_MARK: form, _ROWS_MARK: "\n  ".join(shown)},
        )


def _register_values(request, on_text: str, number: int) -> dict:
    return {
        "on_text": on_text,
        "today_text": selectors.today().isoformat(),
        "query": _query_without_page(request),
        "number": number,
        "previous_number": number - 1,
        "next_number": number + 1,
    }


def _query_without_page(request) -> str:
    """The page's query string without its page number, for its paging links."""
    return urlencode([(k, v) for k, values in request.GET.lists() if k != "page" for v in values])


def _register_variant(on: dt.date, number: int, has_next: bool) -> dict:
    return {"show_back": on != selectors.today(), "has_previous": number > 1, "has_next": has_next}


def _filter_form_html(country: str, sector: str, on_text: str) -> str:
    """The register's filter form as the bound, valid form with only a country, sector and
    date renders it: the unbound form (rendered once per language and register state) with
    the chosen options selected and the date put in."""
    html = memo(("register-form", get_language()), lambda: str(RegisterFilterForm().as_p()))
    html = _selected(html, "country", country)
    html = _selected(html, "sector", sector)
    start = html.index('name="on"') + len('name="on"')
    return html[:start] + f' value="{escape(on_text)}"' + html[start:]


def _selected(html: str, name: str, value: str) -> str:
    """`html` with the option `value` of the select `name` chosen instead of the empty one."""
    start = html.index(f'<select name="{name}"')
    end = html.index("</select>", start)
    option = f'<option value="{escape(value)}"'
    select = (
        html[start:end]
        .replace('<option value="" selected>', '<option value="">', 1)
        .replace(option + ">", option + " selected>", 1)
    )
    return html[:start] + select + html[end:]


@require_GET
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
def version_detail(request, code: str, number: int):
    version = selectors.criterion_version_get(identifier=f"{code}/v{number}")
    if version is None:
        raise Http404
    history = selectors.criterion_history(criterion=version.criterion)
    version = next(v for v in history if v.number == number)
    return render(
        request,
        "criteria/version_detail.html",
        {"version": version, "criterion": version.criterion, "history": history},
    )


@require_GET
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
def binding(request):
    """Which criteria bind a country and sector on a date, with the explanation of each.

    A question the precomputed answers can answer (criteria.answers) is put together from
    text rendered once: its bindings as rendered when the answers were precomputed, and the
    page around them rendered once per language and state with marks for the question's
    values (`_put_together`). Any other question is rendered from its form and the register."""

    title = _("Which criteria bind?")

    def content() -> str:
        form = BindingForm(request.GET or None, initial={"on": selectors.today()})
        if not form.is_valid():
            return render_to_string(
                "criteria/_binding_content.html", {"form_html": form.as_p(), "asked": False}
            )
        country, sector = form.cleaned_data["country"], form.cleaned_data["sector"]
        page = selectors.criteria_binding_page(
            country=country, sector=sector, on=form.cleaned_data["on"], number=_page_number(request)
        )
        sections = [
            render_to_string("criteria/_binding_section.html", {"b": b}) for b in page.bindings
        ]
        values = _binding_values(
            request, page, country.name, str(sector), form.cleaned_data["on"].isoformat()
        )
        return render_to_string(
            "criteria/_binding_content.html",
            {**_binding_variant(page), **values, "sections": sections, "form_html": form.as_p()},
        )

    return _public_page(
        request, "binding", title, content, fast=lambda on: _binding_fast(request, title, on)
    )


_QUESTION_PARAMS = {"country", "sector", "on", "page"}


def _plain_question(request) -> dt.date | None:
    """The date of a question asked as precomputed answers answer it — one country, one
    sector, a date written YYYY-MM-DD and at most a page number, nothing else — or None (the
    page is then rendered from its form; so it is when flash messages wait for the reader)."""
    params = request.GET
    if (
        not {"country", "sector", "on"} <= params.keys() <= _QUESTION_PARAMS
        or any(len(params.getlist(k)) != 1 for k in params)
        or not _ISO_DATE.fullmatch(params["on"])
        or params.get("page", "1") != str(_page_number(request))
        or len(messages.get_messages(request))
    ):
        return None
    try:
        return dt.date.fromisoformat(params["on"])
    except ValueError:
        return None


def _binding_fast(request, title, on: dt.date) -> tuple[str, bytes] | None:
    """The selector's page put together from precomputed text, with the register state it is
    of; None when the question is not one the precomputed answers answer as asked (then the
    form decides)."""
    params = request.GET
    page = selectors.binding_fragments(
        country_code=params["country"],
        sector_code=params["sector"],
        on=on,
        number=_page_number(request),
        per_page=selectors.BINDING_PAGE_SIZE,
        column="html",
    )
    if page is None:
        return None
    with at_state(page.stamp):
        values = _binding_values(
            request,
            page,
            page.country_name,
            f"{params['sector']} {page.sector_title}",
            params["on"],
        )
        variant = _binding_variant(page)
        form = _binding_form_html(params["country"], params["sector"], params["on"])
        return page.stamp, _put_together(
            request,
            title,
            ("binding-content", get_language(), *sorted(variant.items()), bool(page.fragments)),
            lambda marks: render_to_string(
                "criteria/_binding_content.html",
                {
                    **variant,
                    **dict(zip(values, marks, strict=True)),
                    "sections": [mark_safe(_SECTIONS_MARK)] if page.fragments else [],  # noqa: S308 - a mark
                    "form_html": mark_safe(_FORM_MARK),  # noqa: S308 - a mark
                },
            ),
            list(values.values()),
            raw={_SECTIONS_MARK: "\n".join(page.fragments), _FORM_MARK: form},
        )


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECTIONS_MARK = "criteriasectionsmark"
_FORM_MARK = "criteriaformmark"
_MARKS = re.compile(
    "(criteriamark[0-9]+x|"
    + "|".join(re.escape(m) for m in (_FORM_MARK, _SECTIONS_MARK, _ROWS_MARK, _PATH_MARK))
    + ")"
)


def _put_together(request, title, parts: tuple, render, values: list, raw: dict[str, str]) -> bytes:
    """A public page put together from text: `render(marks)` — the content's template
    rendered with a mark standing for each of `values` — is put in the page's chrome and
    split at its marks once per `parts`, title and register state; each answer then joins
    the pieces with the values, escaped as the template escapes them, the `raw` marks' text
    as it is and the page's path."""
    marks = [f"criteriamark{i}x" for i in range(len(values))]

    def pieces() -> list[str]:
        before, after = _chrome(request, title).split(_CONTENT_MARK)
        # Literal text at even positions, marks at odd ones.
        return _MARKS.split(before + render(marks) + after)

    page = memo(("page", str(title), *parts), pieces)
    fill = {mark: escape(str(value)) for mark, value in zip(marks, values, strict=True)}
    fill.update(raw)
    fill[_PATH_MARK] = escape(request.get_full_path())
    return "".join([fill[piece] if odd % 2 else piece for odd, piece in enumerate(page)]).encode()


def _binding_form_html(country: str, sector: str, on_text: str) -> str:
    """The selector's form as the bound, valid form renders it: the unbound form (rendered
    once per language, day and register state) with the chosen options selected and the date
    put in."""
    today = selectors.today().isoformat()
    html = memo(
        ("binding-form", get_language(), today),
        lambda: str(BindingForm(initial={"on": selectors.today()}).as_p()),
    )
    html = _selected(html, "country", country)
    html = _selected(html, "sector", sector)
    start = html.index('name="on"')
    end = html.index(">", start)
    date_input = html[start:end].replace(f'value="{today}"', f'value="{escape(on_text)}"', 1)
    return html[:start] + date_input + html[end:]


def _binding_variant(page) -> dict:
    """What decides the shape of the selector's page (not its values)."""
    return {
        "asked": True,
        "paged": page.num_pages > 1,
        "has_previous": page.has_previous,
        "has_next": page.has_next,
    }


def _binding_values(request, page, country_name: str, sector_label: str, on_text: str) -> dict:
    return {
        "count": page.count,
        "country_name": country_name,
        "sector_label": sector_label,
        "on_text": on_text,
        "first": page.start + 1,
        "last": page.start + min(page.per_page, max(0, page.count - page.start)),
        "number": page.number,
        "pages": page.num_pages,
        "previous_number": page.number - 1,
        "next_number": page.number + 1,
        "query": _query_without_page(request),
    }


class _Echo:
    def write(self, value):
        return value


@require_GET
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
def export_json(request):
    on = _date_param(request) if request.GET.get("on") else None

    def chunks():
        head = {"in_force_on": on.isoformat() if on else None}
        yield json.dumps(head)[:-1] + ', "versions": ['
        first = True
        for version in selectors.register_export(on=on):
            yield ("" if first else ",") + json.dumps(
                selectors.version_as_dict(version), ensure_ascii=False
            )
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
        d = form.cleaned_data
        try:
            services.proposal_submit(
                round=round_,
                actor=request.user,
                kind=d["kind"],
                draft=form.draft(),
                rationale=d["rationale"],
                participant_role=d["participant_role"],
                criterion=d.get("criterion"),
                right=d.get("right"),
                criterion_kind=d.get("criterion_kind", ""),
                governs=d.get("governs", ""),
                title_en=d.get("title_en", ""),
                title_es=d.get("title_es", ""),
            )
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
def version_json(request, code: str, number: int):
    version = selectors.criterion_version_get(identifier=f"{code}/v{number}")
    if version is None:
        raise Http404
    history = selectors.criterion_history(criterion=version.criterion)
    version = next(v for v in history if v.number == number)
    return HttpResponse(
        json.dumps(selectors.version_as_dict(version), ensure_ascii=False),
        content_type="application/json",
    )
