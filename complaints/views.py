"""The public portal: filing (multi-step, save and return, check your answers, submit),
acknowledgment, the filer's status page, and the public docket.

Every write goes through `complaints.services`; these views only bind forms, check who may
see what (`selectors.case_access`), and turn a service's refusal into a form error.
"""

from __future__ import annotations

import mimetypes

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BaseFormSet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commission.confidential import confidential_read_record
from commission.models import ConfidentialRead
from commission.paging import page_number

from . import forms as portal_forms
from . import selectors, services
from .case_blocks import case_blocks
from .models import Case, Evidence, FilingDraft
from .selectors import SESSION_CASES, SESSION_DRAFTS, Access
from .throttle import rate_limited


def _too_many(request):
    response = render(request, "complaints/rate_limited.html", status=429)
    response["Retry-After"] = "3600"
    return response


def _remember(request, key: str, value: str) -> None:
    items = list(request.session.get(key, []))
    if value not in items:
        items.append(value)
        request.session[key] = items[-50:]


# --- start and resume ------------------------------------------------------------------


@require_GET
def start(request):
    drafts = selectors.drafts_for_user(user=request.user)
    return render(request, "complaints/start.html", {"drafts": drafts})


@require_POST
def draft_new(request):
    if rate_limited(request, scope="start"):
        return _too_many(request)
    draft = services.filing_draft_start(
        owner=request.user, language=translation.get_language() or "en"
    )
    if not request.user.is_authenticated:
        _remember(request, SESSION_DRAFTS, str(draft.pk))
    return redirect("complaints:step", draft_id=draft.pk, step=portal_forms.STEP_SLUGS[0])


@never_cache
@require_http_methods(["GET", "POST"])
def resume(request):
    form = portal_forms.ResumeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if rate_limited(request, scope="code"):
            return _too_many(request)
        draft = services.filing_draft_resume(code=form.cleaned_data["code"])
        if draft is None:
            form.add_error("code", _("No saved filing matches this code."))
        else:
            _remember(request, SESSION_DRAFTS, str(draft.pk))
            return redirect("complaints:step", draft_id=draft.pk, step=draft.step or "filing")
    return render(request, "complaints/resume.html", {"form": form})


def _draft_for(request, draft_id) -> FilingDraft:
    draft = get_object_or_404(FilingDraft, pk=draft_id)
    owned = draft.owner_id is not None and draft.owner_id == request.user.pk
    in_session = str(draft.pk) in request.session.get(SESSION_DRAFTS, [])
    if not (owned or in_session):
        raise Http404
    return draft


def _error_list(form) -> list[tuple[str, str]]:
    """(anchor, message) pairs for the error summary, from a form or a formset."""
    from .templatetags.complaints_portal import anchor

    if not form.is_bound:
        return []
    items: list[tuple[str, str]] = []
    if isinstance(form, BaseFormSet):
        items.extend(("", str(e)) for e in form.non_form_errors())
        for number, sub in enumerate(form.forms, start=1):
            prefix = _("Allegation %(n)s") % {"n": number}
            for name, messages in sub.errors.items():
                if name == "__all__":
                    items.extend(("", f"{prefix} — {m}") for m in messages)
                    continue
                # The summary names the field: "Allegation 1 — Summary (public): …".
                label = sub[name].label
                items.extend((anchor(sub[name]), f"{prefix} — {label}: {m}") for m in messages)
        return items
    items.extend(("", str(e)) for e in form.non_field_errors())
    for name, messages in form.errors.items():
        if name == "__all__":
            continue
        label = form[name].label
        items.extend((anchor(form[name]), f"{label}: {m}") for m in messages)
    return items


def _step_context(draft: FilingDraft, step_slug: str, **extra) -> dict:
    current_index = portal_forms.STEP_SLUGS.index(step_slug)
    return {
        "draft": draft,
        "steps": portal_forms.STEPS,
        "step": portal_forms.step_by_slug(step_slug),
        "step_number": current_index + 1,
        "step_count": len(portal_forms.STEPS),
        "saved_steps": set(draft.data.keys()),
        "previous_step": portal_forms.previous_step(step_slug),
        **extra,
    }


# --- the steps ---------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def step(request, draft_id, step):  # noqa: C901 - the wizard dispatches each step kind to its handler
    draft = _draft_for(request, draft_id)
    if draft.submitted_case_id:
        return redirect("complaints:filed", docket_number=draft.submitted_case.docket_number)
    current = portal_forms.step_by_slug(step)
    if current is None:
        raise Http404
    if request.method == "POST" and current.slug != "review":
        # Every save of a step counts, like the filing itself (review counts as "submit").
        if rate_limited(request, scope="step"):
            return _too_many(request)
    if current.slug == "evidence":
        return _evidence_step(request, draft)
    if current.slug == "review":
        return _review_step(request, draft)

    user = request.user
    if request.method == "POST":
        action = request.POST.get("action", "continue")
        answers = portal_forms.stored_answers(request.POST, current, user=user)
        if action == "add" and current.slug == "allegations":
            total = portal_forms.allegations_total(answers)
            answers["allegations-TOTAL_FORMS"] = [str(min(total + 1, portal_forms.MAX_ALLEGATIONS))]
        form = None
        clean = None
        if action == "continue":
            form = portal_forms.bind_step(current, answers, user=user)
            if form.is_valid():
                clean = portal_forms.clean_answers(current.slug, form)
        services.filing_draft_save(draft=draft, step=current.slug, answers=answers, clean=clean)
        if action == "save_exit":
            return redirect("complaints:saved", draft_id=draft.pk)
        if clean is not None:
            return redirect("complaints:step", draft_id=draft.pk, step=portal_forms.next_step(step))
        if action == "add":
            form = portal_forms.allegations_unbound(answers)
        elif form is None:
            form = portal_forms.bind_step(current, answers, user=user)
    else:
        initial = None
        if current.slug == "filing":
            initial = {"language": translation.get_language()}
        form = portal_forms.prefilled_step(
            current, draft.data.get(current.slug), user=user, initial=initial
        )
    template = f"complaints/steps/{current.slug}.html"
    errors = _error_list(form)
    context = _step_context(draft, current.slug, form=form, error_list=errors)
    status = 400 if request.method == "POST" and errors else 200
    return render(request, template, context, status=status)


def _evidence_step(request, draft: FilingDraft):
    upload_form = portal_forms.EvidenceUploadForm()
    if request.method == "POST":
        action = request.POST.get("action", "continue")
        if action == "upload":
            if rate_limited(request, scope="upload"):
                return _too_many(request)
            upload_form = portal_forms.EvidenceUploadForm(request.POST, request.FILES)
            if upload_form.is_valid():
                try:
                    services.evidence_add(
                        draft=draft,
                        upload=upload_form.cleaned_data["file"],
                        description=upload_form.cleaned_data["description"],
                        actor=request.user,
                    )
                except ValidationError as exc:
                    for message in exc.messages:
                        upload_form.add_error("file", message)
                else:
                    services.filing_draft_save(draft=draft, step="evidence", answers={})
                    return redirect("complaints:step", draft_id=draft.pk, step="evidence")
        elif action.startswith("remove-"):
            try:
                services.evidence_remove(
                    draft=draft, evidence_id=int(action.removeprefix("remove-"))
                )
            except (ValueError, ValidationError):
                raise Http404 from None
            return redirect("complaints:step", draft_id=draft.pk, step="evidence")
        else:
            services.filing_draft_save(draft=draft, step="evidence", answers={})
            if action == "save_exit":
                return redirect("complaints:saved", draft_id=draft.pk)
            return redirect("complaints:step", draft_id=draft.pk, step="confidentiality")
    evidence = Evidence.objects.filter(draft=draft, case__isnull=True).order_by("pk")
    status = 400 if upload_form.is_bound and upload_form.errors else 200
    return render(
        request,
        "complaints/steps/evidence.html",
        _step_context(
            draft,
            "evidence",
            form=upload_form,
            evidence=evidence,
            error_list=_error_list(upload_form),
        ),
        status=status,
    )


def _review_step(request, draft: FilingDraft):
    user = request.user
    review_form = portal_forms.ReviewForm(request.POST or None, user=user)
    problems: list[str] = []
    if request.method == "POST":
        if rate_limited(request, scope="submit"):
            return _too_many(request)
        if request.POST.get("website"):
            # The honeypot was filled: a person never sees it.
            return render(request, "complaints/rejected.html", status=400)
        # Every step validated when it was saved; the filing is built from those answers.
        filing = portal_forms.filing_input_from_clean(draft, user=user)
        if filing is not None and review_form.is_valid():
            try:
                case, code, _created = services.filing_draft_submit(
                    draft=draft, filing=filing, actor=user, **review_form.receipt()
                )
            except ValidationError as exc:
                problems = exc.messages
            else:
                response = redirect("complaints:filed", docket_number=case.docket_number)
                if code:
                    _hand_over_code(request, response, case.docket_number, code)
                return response
    forms_by_step = portal_forms.draft_forms(draft, user=user)
    incomplete = portal_forms.steps_needing_attention(forms_by_step)
    evidence = Evidence.objects.filter(draft=draft, case__isnull=True).order_by("pk")
    context = _step_context(
        draft,
        "review",
        sections=portal_forms.review_sections(forms_by_step, evidence=evidence),
        error_list=_error_list(review_form) if review_form.is_bound else [],
        review_form=review_form,
        incomplete=incomplete,
        problems=problems,
        evidence=evidence,
    )
    status = 400 if request.method == "POST" else 200
    return render(request, "complaints/steps/review.html", context, status=status)


CODE_COOKIE = "complaints_code"


def _code_cookie_path(docket_number: str) -> str:
    return reverse("complaints:filed", kwargs={"docket_number": docket_number})


def _hand_over_code(request, response, docket_number: str, code: str) -> None:
    """The access code goes to the acknowledgment page in a short-lived signed cookie scoped to
    that page, which shows it once and deletes it (nothing about it is stored on the server
    but its hash)."""
    response.set_signed_cookie(
        CODE_COOKIE,
        code,
        salt=f"complaints.code.{docket_number}",
        max_age=600,
        path=_code_cookie_path(docket_number),
        secure=request.is_secure(),
        httponly=True,
        samesite="Strict",
    )


@never_cache
@require_GET
def saved(request, draft_id):
    draft = _draft_for(request, draft_id)
    code = ""
    if draft.owner_id is None:
        code = services.filing_draft_issue_resume_code(draft=draft)
    return render(request, "complaints/saved.html", {"draft": draft, "code": code})


# --- after filing ------------------------------------------------------------------------


def _case_for(request, docket_number: str, *, minimum: Access = Access.PARTY):
    case = selectors.case_detail(docket_number=docket_number)
    if case is None:
        raise Http404
    access = selectors.case_access(user=request.user, case=case, session=request.session)
    if access < minimum:
        if request.user.is_authenticated:
            raise PermissionDenied
        raise Http404
    return case, access


@never_cache
@require_GET
def filed(request, docket_number):
    case, _access = _case_for(request, docket_number)
    code = request.get_signed_cookie(
        CODE_COOKIE, default="", salt=f"complaints.code.{docket_number}", max_age=600
    )
    response = render(
        request,
        "complaints/filed.html",
        {
            "case": case,
            "code": code,
            "deadlines": selectors.case_deadlines(case=case),
            # Staff who entered a paper or emailed filing read about the filer, not "you".
            # A filer signed in on the portal is its recorder too, and reads about "you".
            "for_staff": case.received_via != Case.Channel.PORTAL
            and case.recorded_by_id is not None
            and case.recorded_by_id == request.user.pk,
        },
    )
    if code:
        response.delete_cookie(CODE_COOKIE, path=_code_cookie_path(docket_number))
    return response


@never_cache
@require_GET
def case_status(request, docket_number):
    case, access = _case_for(request, docket_number)
    events = selectors.case_events(case=case, public_only=access < Access.STAFF)
    if access >= Access.STAFF_IDENTITY and selectors.case_redactor(case=case):
        # Names and unredacted free text are shown: the read is logged first.
        confidential_read_record(
            user=request.user,
            what=ConfidentialRead.What.WORKER_IDENTITY,
            door=ConfidentialRead.Door.PORTAL,
            subject=f"case {case.docket_number}: identities and unredacted text",
            docket_number=case.docket_number,
        )
    return render(
        request,
        "complaints/status.html",
        {
            "case": case,
            "access": access,
            "show_identity": access >= Access.STAFF_IDENTITY,
            # Free text shows workers by pseudonym to all but the staff entitled to names.
            "redactor": None
            if access >= Access.STAFF_IDENTITY
            else selectors.case_redactor(case=case),
            "events": events,
            "deadlines": selectors.case_deadlines(case=case),
            "now": timezone.now(),
            "case_blocks": case_blocks(case=case),
        },
    )


@never_cache
@require_GET
def receipt(request, docket_number):
    case, _access = _case_for(request, docket_number)
    if not case.receipt_pdf:
        case = services.receipt_render(case_id=case.pk)
    response = FileResponse(
        case.receipt_pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{case.docket_number}-receipt.pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@require_GET
def evidence_download(request, docket_number, evidence_id):
    case, _access = _case_for(request, docket_number)
    evidence = get_object_or_404(Evidence, pk=evidence_id, case=case)
    if not evidence.is_servable:
        raise Http404
    response = FileResponse(
        evidence.file.open("rb"),
        content_type=evidence.content_type or mimetypes.types_map.get(".bin"),
        as_attachment=True,
        filename=evidence.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def track(request):
    form = portal_forms.TrackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if rate_limited(request, scope="code"):
            return _too_many(request)
        docket = form.cleaned_data["docket_number"].strip().upper()
        case = selectors.case_get(docket_number=docket)
        if case is not None and services.access_code_matches(
            stored_hash=case.access_code_hash, code=form.cleaned_data["access_code"]
        ):
            _remember(request, SESSION_CASES, case.docket_number)
            return redirect("complaints:case", docket_number=case.docket_number)
        form.add_error(None, _("The docket number and access code do not match."))
    return render(request, "complaints/track.html", {"form": form})


class SignInView(auth_views.LoginView):
    """Sign-in for organizations' delegates and workers with an account."""

    template_name = "complaints/sign_in.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("complaints:my-cases")


class SignOutView(auth_views.LogoutView):
    next_page = "complaints:start"


@login_required(login_url="complaints:sign-in")
@require_GET
def my_cases(request):
    cases = selectors.cases_for_user(user=request.user)
    drafts = selectors.drafts_for_user(user=request.user)
    return render(request, "complaints/my_cases.html", {"cases": cases, "drafts": drafts})


# --- the public docket -------------------------------------------------------------------


DOCKET_PAGE_SIZE = 25


@require_GET
def docket(request):
    form = portal_forms.DocketSearchForm(request.GET or None, years=selectors.docket_years())
    # Each valid criterion applies; an invalid one (garbage in a link) is ignored.
    criteria: dict = {}
    if form.is_bound:
        form.is_valid()  # cleaned_data then holds every field that is valid
        criteria = form.cleaned_data
    q = criteria.get("q", "")
    cases = selectors.docket_search(
        q=q,
        kind=criteria.get("kind") or None,
        status=criteria.get("status") or None,
        year=criteria.get("year"),
    )
    # A match on a confidential identity (a worker's name in a summary) is never shown, nor
    # counted: the pages hold exactly the rows they show.
    cases = selectors.docket_search_visible(cases=cases, term=q)
    number = page_number(request.GET.get("page"))
    page = Paginator(cases, DOCKET_PAGE_SIZE).get_page(number)
    cases = list(page.object_list)
    deadlines = selectors.deadlines_for_cases(cases=cases)
    rows = [(case, deadlines.get(case.pk, [])) for case in cases]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "complaints/docket.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "searching": any(criteria.values()),
            "query": query.urlencode(),
        },
    )


@require_GET
def docket_case(request, docket_number):
    case = selectors.case_detail(docket_number=docket_number)
    if case is None:
        raise Http404
    return render(
        request,
        "complaints/docket_case.html",
        {
            "case": case,
            "redactor": selectors.case_redactor(case=case),
            "events": selectors.case_events(case=case, public_only=True),
            "deadlines": selectors.case_deadlines(case=case),
            "case_blocks": case_blocks(case=case),
        },
    )
