"""Each step of the case page calls its one service — and no other — and shows the service's
refusal; each is open to the roles it fits and offered in the states it fits."""

import inspect
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from commission.actors import SYSTEM
from complaints import services as complaints_services
from hearings import services
from hearings.models import OpinionRender
from sanctions import services as sanctions_services
from tests.factories import hearings as f

from .conftest import login
from .test_case_steps import act, local, page_of, steps_offered

REFUSAL = "Refused by the service under test."
READS = {"decision_problems", "opinion_verify"}


def _writes(module):
    return [
        name
        for name, fn in inspect.getmembers(module, inspect.isfunction)
        # A services package's writes are defined in its submodules.
        if (fn.__module__ == module.__name__ or fn.__module__.startswith(module.__name__ + "."))
        and not name.startswith("_")
        and name not in READS
    ]


@pytest.fixture
def drafted(world, heard, at):
    at(f.day(70))
    return services.decision_open(case=heard.case, actor=SYSTEM)


@pytest.fixture
def held_without_window(world, scheduled, at):
    """Held with no window for written arguments: staff may open one."""
    at(f.day(50, 15))
    services.hearing_record_held(
        hearing=scheduled, held_at=f.day(50, 9), written_arguments_days=0, actor=SYSTEM
    )
    scheduled.refresh_from_db()
    return scheduled


@pytest.fixture
def drafted_for_commission(world, heard, at, settings):
    """A draft the panel recommends to the commission, which adopts it."""
    settings.HEARINGS_DECISION_ADOPTION = "commission"
    at(f.day(70))
    decision = services.decision_open(case=heard.case, actor=SYSTEM)
    f.findings_complete(decision, world.criteria)
    f.sanctions_complete(decision, world.parties)
    return decision


@pytest.fixture
def recommended(world, drafted_for_commission):
    return services.decision_recommend(
        decision=drafted_for_commission, actor=world.members.worker_pe.person.user
    )


@pytest.fixture
def vacated(world, seated):
    # The only other jurist has a conflict too, so the commission's rotation cannot refill the
    # seat by itself and it stays vacant for staff to fill.
    services.conflict_declare(
        member=world.members.jurist_pe,
        case=seated,
        has_conflict=True,
        statement="Advised them too.",
        actor=world.members.jurist_pe.person.user,
    )
    services.conflict_declare(
        member=world.members.jurist_us,
        case=seated,
        has_conflict=True,
        statement="Advised them.",
        actor=world.members.jurist_us.person.user,
    )
    return seated


def _findings(decision):
    return list(decision.findings.order_by("allegation__number"))


# slug, stage fixture, who acts, form data (given the world and the stage's object),
# service, the keyword the service must receive with the case's object
STEPS = [
    ("panel-select", "case", "staff", lambda w, o: {}, "panel_select", "case"),
    ("seat-fill", "vacated", "staff", lambda w, o: {"position": 1}, "panel_seat_fill", "panel"),
    (
        "conflict-declare",
        "case",
        "chair",
        lambda w, o: {"has_conflict": "on", "statement": "I advised the employer."},
        "conflict_declare",
        "case",
    ),
    (
        "hearing-schedule",
        "seated",
        "staff",
        lambda w, o: {
            "scheduled_for": local(f.day(50, 9)),
            "location": "Lima",
            "duration_minutes": 180,
        },
        "hearing_schedule",
        "case",
    ),
    (
        "hearing-reschedule",
        "scheduled",
        "staff",
        lambda w, o: {"scheduled_for": local(f.day(52, 9)), "reason": "The room is flooded."},
        "hearing_reschedule",
        "hearing",
    ),
    (
        "participant-register",
        "scheduled",
        "staff",
        lambda w, o: {"organization": w.parties.gov_us.pk},
        "participant_register",
        "hearing",
    ),
    (
        "consultation",
        "scheduled",
        "staff",
        lambda w, o: {
            "requesting_government": w.parties.gov_us.pk,
            "responding_government": w.parties.gov_pe.pk,
            "held_on": "2026-03-20",
            "summary": "Talks.",
            "outcome": "continuing",
        },
        "consultation_record",
        "case",
    ),
    (
        "hearing-held",
        "scheduled",
        "staff",
        lambda w, o: {"held_at": local(f.day(50, 9))},
        "hearing_record_held",
        "hearing",
    ),
    (
        "record-upload",
        "heard",
        "staff",
        lambda w, o: {
            "kind": "minutes",
            "description": "Minutes",
            "upload": SimpleUploadedFile("minutes.txt", b"Minutes.", "text/plain"),
        },
        "record_item_upload",
        "hearing",
    ),
    (
        "window-open",
        "held_without_window",
        "staff",
        lambda w, o: {"days": 5},
        "written_arguments_window_open",
        "hearing",
    ),
    ("decision-open", "heard", "chair", lambda w, o: {}, "decision_open", "case"),
    (
        "finding-record",
        "drafted",
        "chair",
        lambda w, o: {"finding": _findings(o)[0].pk, "determination": "violation"},
        "finding_record",
        "finding",
    ),
    (
        "fact-add",
        "drafted",
        "chair",
        lambda w, o: {"finding": _findings(o)[0].pk, "text": "A fact.", "source_label": "p. 3"},
        "fact_finding_add",
        "finding",
    ),
    (
        "criterion-apply",
        "drafted",
        "chair",
        lambda w, o: {
            "finding": _findings(o)[0].pk,
            "criterion": w.criteria.pregnancy.criterion.pk,
        },
        "criterion_apply",
        "finding",
    ),
    (
        "sanction-specify",
        "drafted",
        "chair",
        lambda w, o: {
            "target": "firm",
            "target_organization": w.parties.employer.pk,
            "instrument": "tariff",
            "magnitude": "35",
            "unit": "percent_ad_valorem",
            "description": "Tariff.",
            "deterrence_reasoning": "Deters.",
            "estimated_benefit": "10",
            "benefit_method": "Savings as a share of exports.",
            "findings": [_findings(o)[0].pk],
            "benchmarks-TOTAL_FORMS": 1,
            "benchmarks-INITIAL_FORMS": 0,
            "benchmarks-0-description": "Reinstatement",
            "benchmarks-0-metric": "share reinstated",
            "benchmarks-0-direction": "achieved",
            "benchmarks-0-verification_method": "Audit.",
            "benchmarks-0-lift_share_percent": "100",
        },
        "sanction_specify",
        "decision",
    ),
    (
        "decision-recommend",
        "drafted_for_commission",
        "chair",
        lambda w, o: {},
        "decision_recommend",
        "decision",
    ),
    (
        "decision-return",
        "recommended",
        "chair",
        lambda w, o: {"reason": "Reconsider."},
        "decision_return",
        "decision",
    ),
    ("decision-issue", "drafted", "chair", lambda w, o: {}, "decision_issue", "decision"),
]


def _stage(request, name):
    obj = request.getfixturevalue(name)
    case = getattr(obj, "case", obj)
    return case, obj


def _expected_object(case, obj, keyword):
    if keyword == "case":
        return case
    if keyword == "hearing":
        return case.hearing
    if keyword == "panel":
        return case.panel
    if keyword == "decision":
        return case.decision
    if keyword == "finding":
        return _findings(case.decision)[0]
    raise AssertionError(keyword)


@pytest.mark.parametrize(("slug", "stage", "who", "data", "service", "keyword"), STEPS)
def test_each_step_calls_its_service_only_and_shows_its_refusal(
    request, world, slug, stage, who, data, service, keyword
):
    case, obj = _stage(request, stage)
    client = request.getfixturevalue(who)
    payload = data(world, obj)
    others = {}
    home = sanctions_services if service == "sanction_specify" else services
    for module in (services, complaints_services, sanctions_services):
        for name in _writes(module):
            if module is home and name == service:
                continue
            others[(module, name)] = mock.Mock(
                side_effect=AssertionError(f"{module.__name__}.{name} called")
            )
    target = mock.Mock(side_effect=ValidationError(REFUSAL))
    patches = [mock.patch.object(m, n, fake) for (m, n), fake in others.items()]
    patches.append(mock.patch.object(home, service, target))
    for p in patches:
        p.start()
    try:
        response = client.post(act(case, slug), payload)
    finally:
        for p in patches:
            p.stop()
    assert response.status_code == 200, response.content[:500]
    form = response.context["form"]
    assert not form.errors.get("__all__") or REFUSAL in form.non_field_errors()
    assert target.call_count == 1, form.errors
    kwargs = target.call_args.kwargs
    assert kwargs["actor"].pk == client.user.pk
    assert kwargs[keyword] == _expected_object(case, obj, keyword)
    assert REFUSAL in response.content.decode()
    assert REFUSAL in [str(m) for m in response.context["messages"]]
    assert not any(fake.called for fake in others.values())


def test_retry_and_corrigendum_call_their_services(
    world, heard, at, staff, django_capture_on_commit_callbacks, monkeypatch, settings
):
    from hearings import opinion as opinion_module

    at(f.day(70))
    decision = services.decision_open(case=heard.case, actor=SYSTEM)
    f.findings_complete(decision, world.criteria)
    f.sanctions_complete(decision, world.parties)
    at(f.day(85))
    settings.OPINION_RENDER_MAX_ATTEMPTS = 1

    def boom(*args, **kwargs):
        raise RuntimeError("the renderer fell over")

    monkeypatch.setattr(opinion_module, "decision_pdf", boom)
    with django_capture_on_commit_callbacks(execute=True):
        render = services.decision_issue(decision=decision, actor=SYSTEM)
    render.refresh_from_db()
    assert render.status == OpinionRender.Status.FAILED
    case = heard.case
    assert "render-retry" in steps_offered(staff, case)
    monkeypatch.undo()
    with (
        mock.patch.object(
            services, "opinion_render_retry", wraps=services.opinion_render_retry
        ) as spy,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = staff.post(act(case, "render-retry"), {"render": render.pk}, follow=True)
    assert spy.call_count == 1
    assert spy.call_args.kwargs["render"] == render
    assert f"Render #{render.pk} queued again." in [str(m) for m in response.context["messages"]]
    render.refresh_from_db()
    assert render.status == OpinionRender.Status.DONE
    assert "render-retry" not in steps_offered(staff, case)
    assert "corrigendum" in steps_offered(staff, case)
    empty = staff.post(
        act(case, "corrigendum"),
        {"reason": "Typo.", "corrections-TOTAL_FORMS": 1, "corrections-INITIAL_FORMS": 0},
    )
    assert "List the corrections." in empty.content.decode()
    with mock.patch.object(services, "corrigendum_issue", wraps=services.corrigendum_issue) as spy:
        staff.post(
            act(case, "corrigendum"),
            {
                "reason": "Typo.",
                "corrections-TOTAL_FORMS": 1,
                "corrections-INITIAL_FORMS": 0,
                "corrections-0-where": "Paragraph 1",
                "corrections-0-should_read": "Lima",
            },
        )
    assert spy.call_count == 1
    assert spy.call_args.kwargs["corrections"] == [
        {"where": "Paragraph 1", "reads": "", "should_read": "Lima"}
    ]


HEARINGS_SLUGS = [s[0] for s in STEPS] + ["render-retry", "corrigendum"]
STAFF_MAY = {
    "panel-select",
    "seat-fill",
    "hearing-schedule",
    "hearing-reschedule",
    "participant-register",
    "consultation",
    "hearing-held",
    "record-upload",
    "window-open",
    "render-retry",
    "corrigendum",
}
CHAIR_MAY = {
    "panel-select",
    "seat-fill",
    "conflict-declare",
    "decision-open",
    "finding-record",
    "fact-add",
    "criterion-apply",
    "sanction-specify",
    "decision-recommend",
    "decision-return",
    "decision-issue",
    "corrigendum",
}


def test_roles_and_steps(world, drafted):
    """Staff run the hearing; the panel drafts and adopts; nobody else acts."""
    case = drafted.case
    outsider = login(f.user_in("Nobody", "someone.else"))
    for client, allowed in (
        (login(world.staff), STAFF_MAY),
        (login(world.members.jurist_us.person.user), CHAIR_MAY),
        (outsider, set()),
    ):
        offered = steps_offered(client, case)
        for slug in HEARINGS_SLUGS:
            response = client.get(act(case, slug))
            # A step the role may take but the case's state does not offer sends the user
            # back to the case page with the reason (nothing is run).
            expected = (200 if slug in offered else 302) if slug in allowed else 403
            assert response.status_code == expected, (client.user.username, slug)


def test_steps_are_offered_by_the_cases_state(world, case, at, staff, chair, settings):
    assert {"panel-select", "consultation"} <= steps_offered(staff, case)
    assert "hearing-schedule" not in steps_offered(staff, case)
    assert "conflict-declare" not in steps_offered(staff, case)
    # The chair is a member off the case's panel: the case page is closed to them (ADR 0032),
    # but the declaration step is open.
    assert chair.get(page_of(case)).status_code == 403
    assert chair.get(act(case, "conflict-declare")).status_code == 200
    f.panel_seat(world.members, case)
    offered = steps_offered(staff, case)
    assert "hearing-schedule" in offered
    assert "panel-select" not in offered
    assert "decision-open" not in offered  # staff do not draft
    assert "decision-open" in steps_offered(chair, case)
    settings.HEARINGS_DECISION_ADOPTION = "commission"
    services.decision_open(case=case, actor=SYSTEM)
    offered = steps_offered(chair, case)
    assert {"finding-record", "decision-recommend"} <= offered
    assert "decision-issue" not in offered


def test_a_step_the_cases_state_does_not_offer_runs_nothing(world, heard, staff):
    """The window for written arguments is open already: a stale page's or a typed address's
    post is sent back to the case page with the reason, and no service runs."""
    case = heard.case
    assert "window-open" not in steps_offered(staff, case)
    with mock.patch.object(services, "written_arguments_window_open") as service:
        response = staff.post(act(case, "window-open"), {"days": 5}, follow=True)
    assert service.call_count == 0
    assert response.redirect_chain[-1][0] == page_of(case)
    assert "does not offer this step now" in response.content.decode()
