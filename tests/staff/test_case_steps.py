"""The steps of a case from panel to issued opinion, run from the case page of the admin:
each calls its one service, shows the service's refusal (with the clock's arithmetic) and
its success, and is offered only to the roles and in the states it fits."""

import datetime as dt
import re

from django.core.files.uploadedfile import SimpleUploadedFile

from commission.actors import SYSTEM
from complaints.models import Case
from hearings import selectors, services
from hearings.models import Decision, Hearing, HearingRecordItem, Opinion, Panel
from tests.factories import hearings as f

from .conftest import login


def act(case, slug):
    return f"/admin/complaints/case/{case.pk}/act/{slug}/"


def page_of(case):
    return f"/admin/complaints/case/{case.pk}/change/"


def local(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def messages_of(response) -> list[str]:
    if not response.context:
        return []
    form = response.context.get("form")
    errors = [str(e) for e in form.non_field_errors()] if form is not None else []
    if form is not None and form.errors:
        errors.append(str(form.errors))
    return [str(m) for m in response.context["messages"]] + errors


def steps_offered(client, case) -> set[str]:
    html = client.get(page_of(case)).content.decode()
    return set(re.findall(r"/act/([a-z-]+)/", html))


def test_a_case_runs_from_panel_to_issued_opinion_in_the_admin(
    world, case, at, staff, chair, django_capture_on_commit_callbacks
):
    m = world.members
    at(f.day(2))
    for member in m.all():
        client = login(member.person.user)
        response = client.post(act(case, "conflict-declare"), {"statement": ""}, follow=True)
        assert "Declared: no conflict of interest in this case." in messages_of(response)
    response = staff.post(
        act(case, "panel-select"),
        {"seat_1": m.jurist_us.pk, "seat_2": m.worker_pe.pk, "seat_3": m.worker_us.pk},
        follow=True,
    )
    assert any(msg.startswith("Panel selected: Eleanor Whitfield") for msg in messages_of(response))
    assert Panel.objects.get(case=case).status == Panel.Status.SEATED

    at(f.day(20))
    response = staff.post(
        act(case, "hearing-schedule"),
        {
            "scheduled_for": local(f.day(50, 9)),
            "location": "Commission hearing room, Lima",
            "virtual_url": "",
            "duration_minutes": 180,
        },
        follow=True,
    )
    assert "Hearing scheduled for 2026-04-21 09:00; its public notice is published." in (
        messages_of(response)
    )
    hearing = Hearing.objects.get(case=case)
    response = staff.post(
        act(case, "participant-register"),
        {"organization": world.parties.gov_us.pk, "role": "complaining_government"},
        follow=True,
    )
    assert hearing.participants.get().role == "complaining_government"

    at(f.day(50, 15))
    staff.post(
        act(case, "hearing-held"),
        {"held_at": local(f.day(50, 9)), "written_arguments_days": 14},
    )
    hearing.refresh_from_db()
    assert hearing.status == Hearing.Status.HELD
    upload = SimpleUploadedFile("transcript.txt", b"The transcript.", "text/plain")
    staff.post(
        act(case, "record-upload"),
        {"kind": "transcript", "description": "Transcript", "upload": upload, "is_public": "on"},
    )
    assert HearingRecordItem.objects.get(hearing=hearing).original_name == "transcript.txt"

    at(f.day(70))
    response = chair.post(act(case, "decision-open"), {}, follow=True)
    assert "Draft decision opened: one finding per allegation." in messages_of(response)
    decision = Decision.objects.get(case=case)
    versions = {1: world.criteria.pregnancy, 2: world.criteria.recognition}
    versions[3] = world.criteria.prison_labor
    for finding in decision.findings.select_related("allegation"):
        n = finding.allegation.number
        chair.post(
            act(case, "criterion-apply"),
            {"finding": finding.pk, "criterion": versions[n].criterion.pk, "analysis": "Applies."},
        )
        chair.post(
            act(case, "fact-add"),
            {"finding": finding.pk, "text": "A fact.", "source_label": "Transcript, p. 3"},
        )
        chair.post(
            act(case, "finding-record"),
            {"finding": finding.pk, "determination": "violation", "reasoning": "Breached."},
        )
    response = chair.post(
        act(case, "sanction-specify"),
        {
            "target": "firm",
            "target_organization": world.parties.employer.pk,
            "instrument": "tariff",
            "magnitude": "35",
            "unit": "percent_ad_valorem",
            "description": "Tariff on the firm's garments.",
            "deterrence_reasoning": "Exceeds the savings from the violations.",
            "estimated_benefit": "12",
            "benefit_method": "Labor cost saved, as a share of the export value.",
            "findings": [fi.pk for fi in decision.findings.all()],
            "benchmarks-TOTAL_FORMS": 3,
            "benchmarks-INITIAL_FORMS": 0,
            "benchmarks-0-description": "Reinstatement",
            "benchmarks-0-metric": "share reinstated",
            "benchmarks-0-direction": "at_least",
            "benchmarks-0-target_value": "100",
            "benchmarks-0-unit": "%",
            "benchmarks-0-verification_method": "Payroll audit.",
            "benchmarks-0-lift_share_percent": "100",
        },
        follow=True,
    )
    assert "Sanction 1 specified with 1 benchmark(s)." in messages_of(response)

    at(f.day(85, 11))
    with django_capture_on_commit_callbacks(execute=True):
        response = chair.post(act(case, "decision-issue"), {"adoption_record": ""}, follow=True)
    assert any(msg.startswith("Decision adopted") for msg in messages_of(response))
    decision.refresh_from_db()
    assert decision.status == Decision.Status.ISSUED
    opinion = Opinion.objects.get(decision=decision)
    case.refresh_from_db()
    assert case.status == Case.Status.DECIDED

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            act(case, "corrigendum"),
            {
                "reason": "A typing error.",
                "corrections-TOTAL_FORMS": 3,
                "corrections-INITIAL_FORMS": 0,
                "corrections-0-where": "Paragraph 3",
                "corrections-0-reads": "Ate",
                "corrections-0-should_read": "Ate, Lima",
            },
            follow=True,
        )
    assert any(msg.startswith("Corrigendum ordered") for msg in messages_of(response))
    assert Opinion.objects.filter(decision=decision, kind="corrigendum").count() == 1
    page = chair.get(page_of(case)).content.decode()
    assert f'class="opinion-link" href="/hearings/opinions/{opinion.sha256}.pdf"' in page
    assert "decision_adopted" in page  # the timeline


def test_a_refusal_is_shown_with_the_clocks_arithmetic(world, seated, at, staff):
    at(f.day(20))
    response = staff.post(
        act(seated, "hearing-schedule"),
        {"scheduled_for": local(f.day(65, 9)), "location": "Lima", "duration_minutes": 180},
        follow=True,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert not Hearing.objects.filter(case=seated).exists()
    errors = messages_of(response)
    assert any("Hearing held by:" in e for e in errors), errors
    clock = selectors.case_clock(case=seated, kind="hearing_by")
    assert clock.explain() in " ".join(errors)
    assert "2026-04-30" in page


def test_when_the_commission_adopts_the_panel_recommends_and_the_commission_adopts(
    world, heard, at, chair, settings, django_capture_on_commit_callbacks
):
    settings.HEARINGS_DECISION_ADOPTION = "commission"
    case = heard.case
    at(f.day(70))
    decision = services.decision_open(case=case, actor=SYSTEM)
    assert decision.adoption == Decision.Adoption.COMMISSION
    f.findings_complete(decision, world.criteria)
    f.sanctions_complete(decision, world.parties)
    offered = steps_offered(chair, case)
    assert "decision-recommend" in offered
    assert "decision-issue" not in offered
    response = chair.post(act(case, "decision-recommend"), {}, follow=True)
    assert "Decision recommended to the commission." in messages_of(response)
    chair.post(act(case, "decision-return"), {"reason": "Reconsider sanction 2."})
    decision.refresh_from_db()
    assert decision.status == Decision.Status.DRAFT
    chair.post(act(case, "decision-recommend"), {})
    at(f.day(85))
    refused = chair.post(act(case, "decision-issue"), {"adoption_record": ""})
    assert "Record the commission’s adoption" in refused.content.decode() or (
        "Record the commission's adoption" in " ".join(messages_of(refused))
    )
    with django_capture_on_commit_callbacks(execute=True):
        chair.post(act(case, "decision-issue"), {"adoption_record": "Minutes of 26 May 2026"})
    decision.refresh_from_db()
    assert decision.status == Decision.Status.ISSUED
    assert decision.adoption_record == "Minutes of 26 May 2026"
