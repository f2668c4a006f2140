"""A decision cites the investigation findings the panel relies on: only the determined
findings of this case's investigations, while the decision is a draft; frozen once issued;
shown in the reasoned opinion (criterion version, result, measured value) and on the
decision's record and case page — never an interview, an interviewee or a statement."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from commission.actors import SYSTEM
from commission.integrity import IntegrityRefused
from commission.models import CaseEvent, TeamMembership
from criteria.selectors import criterion_version_in_force
from hearings import citations, services
from hearings.models import FindingCitation, Opinion
from investigations import services as inv
from investigations.models import Investigation
from tests.factories import hearings as f
from tests.factories.commission import PersonFactory, UserFactory
from tests.hearings.pdf import pdf_text
from tests.staff.conftest import login
from tests.staff.test_case_steps import act, page_of

pytestmark = pytest.mark.django_db

INTERVIEWEE = "Rosa Elvira Condori Huamán"
STATEMENT = "They told me not to come back after I said I was pregnant."


def _investigation(world, case, *, kind=Investigation.Kind.TARGETED):
    person = PersonFactory(full_name="Martín Salazar", country=world.parties.pe)
    team = inv.team_create(
        name=f"Lima team {Investigation.objects.count()}",
        country=world.parties.pe,
        staff=person,
        actor=SYSTEM,
    )
    membership = TeamMembership.objects.get(team=team, person=person)
    investigation = inv.investigation_open(
        kind=kind,
        team=team,
        title="Dismissals at Confecciones del Pacífico",
        complaint=case if kind == Investigation.Kind.TARGETED else None,
        subjects=[world.parties.employer, world.parties.prison],
        actor=SYSTEM,
    )
    return investigation, membership


def _finding(world, investigation, membership, *, determine=True):
    user = membership.person.user
    day = f.day(40).date()
    interview = inv.interview_record(
        investigation=investigation,
        held_on=day,
        place_description="Union hall",
        off_premises=True,
        interviewee_name=INTERVIEWEE,
        statement=STATEMENT,
        actor=user,
    )
    excerpt = inv.interview_excerpt_add(
        interview=interview, text="Worker 1: told not to return.", actor=user
    )
    finding = inv.finding_draft(
        investigation=investigation,
        criterion_version=criterion_version_in_force(
            criterion=world.criteria.pregnancy.criterion, on=day
        ),
        result="violation",
        summary="Pregnant seamstresses dismissed",
        facts="Fourteen seamstresses were dismissed after announcing their pregnancy.",
        observed_on=day,
        measured_value=Decimal("14"),
        measured_unit="workers dismissed",
        measuring_method="Payroll records compared with the union's list",
        workers_affected=14,
        excerpts=[excerpt],
        actor=user,
    )
    if determine:
        finding = inv.finding_determine(
            finding=finding,
            positions=[inv.PositionInput(membership, "violation", "Payroll records.")],
            actor=user,
        )
    return finding


@pytest.fixture
def draft(world, heard, at):
    at(f.day(60))
    investigation, membership = _investigation(world, heard.case)
    determined = _finding(world, investigation, membership)
    undetermined = _finding(world, investigation, membership, determine=False)
    other, other_membership = _investigation(world, None, kind=Investigation.Kind.AGENCY_MONITORING)
    unrelated = _finding(world, other, other_membership)
    at(f.day(70))
    decision = services.decision_open(case=heard.case, actor=SYSTEM)
    return decision, determined, undetermined, unrelated


def test_a_draft_cites_only_this_cases_determined_findings(world, draft):
    decision, determined, undetermined, unrelated = draft
    assert list(citations.citable_findings(decision=decision)) == [determined]
    for finding in (undetermined, unrelated):
        with pytest.raises(ValidationError, match="determined in an investigation of this case"):
            citations.decision_finding_cite(
                decision=decision, finding=finding, reliance="x", actor=SYSTEM
            )
    with pytest.raises(ValidationError, match="Say what the panel relies on"):
        citations.decision_finding_cite(
            decision=decision, finding=determined, reliance=" ", actor=SYSTEM
        )
    with pytest.raises(PermissionDenied):
        citations.decision_finding_cite(
            decision=decision, finding=determined, reliance="x", actor=UserFactory()
        )
    chair = world.members.jurist_us.person.user
    citation = citations.decision_finding_cite(
        decision=decision,
        finding=determined,
        reliance="The dismissals the team measured on the payroll.",
        actor=chair,
    )
    assert citation.position == 1
    with pytest.raises(ValidationError, match="already cites"):
        citations.decision_finding_cite(
            decision=decision, finding=determined, reliance="again", actor=SYSTEM
        )
    citations.decision_citation_withdraw(citation=citation, actor=chair)
    assert not FindingCitation.objects.exists()
    again = citations.decision_finding_cite(
        decision=decision, finding=determined, reliance="y", actor=SYSTEM
    )
    assert again.position == 1
    verbs = list(
        CaseEvent.objects.for_subject(decision.case)
        .filter(verb__startswith="investigation_finding")
        .values_list("verb", flat=True)
    )
    assert verbs == [
        "investigation_finding_cited",
        "investigation_finding_uncited",
        "investigation_finding_cited",
    ]


def test_the_issued_opinion_shows_the_cited_finding_never_the_interview(
    world, draft, at, django_capture_on_commit_callbacks
):
    decision, determined, _undetermined, _unrelated = draft
    citation = citations.decision_finding_cite(
        decision=decision,
        finding=determined,
        reliance="The dismissals the team measured on the payroll.",
        actor=SYSTEM,
    )
    f.findings_complete(decision, world.criteria)
    f.sanctions_complete(decision, world.parties)
    at(f.day(85, 11))
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_issue(decision=decision, actor=SYSTEM)
    decision.refresh_from_db()
    flat = " ".join(pdf_text(Opinion.objects.get(decision=decision).file.read()).split())
    assert "Investigation findings relied on" in flat
    assert determined.investigation.number in flat
    assert determined.criterion_version.identifier in flat
    assert "14 workers dismissed" in flat
    assert "Payroll records compared with the union's list" in flat
    assert "The dismissals the team measured on the payroll." in flat
    for secret in (INTERVIEWEE, STATEMENT, "Condori", "told not to return"):
        assert secret not in flat
    # Frozen with the decision: no new citation, no withdrawal, through any door.
    with pytest.raises(ValidationError, match="can no longer be changed"):
        citations.decision_citation_withdraw(citation=citation, actor=SYSTEM)
    with pytest.raises(ValidationError, match="can no longer be changed"):
        citations.decision_finding_cite(
            decision=decision, finding=determined, reliance="z", actor=SYSTEM
        )
    with pytest.raises(IntegrityRefused, match=r"hearings.FindingCitation:no_delete"):
        FindingCitation.objects.filter(pk=citation.pk).delete()
    with pytest.raises(DatabaseError, match=r"hearings.FindingCitation.reliance:frozen"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE hearings_findingcitation SET reliance = 'rewritten' WHERE id = %s",
                [citation.pk],
            )
    # The decision's record in the admin shows it too (no interview there either).
    staff = login(world.staff)
    record = staff.get(f"/admin/hearings/decision/{decision.pk}/change/").content.decode()
    assert "The dismissals the team measured on the payroll." in record
    assert "14 workers dismissed" in record
    assert INTERVIEWEE not in record
    assert STATEMENT not in record


def test_staff_cite_a_finding_from_the_case_page(world, draft):
    decision, determined, undetermined, _unrelated = draft
    case = decision.case
    chair = login(world.members.jurist_us.person.user)
    form = chair.get(act(case, "finding-cite")).content.decode()
    assert determined.summary in form
    assert determined.investigation.number in form
    response = chair.post(
        act(case, "finding-cite"),
        {"finding": determined.pk, "reliance": "Measured dismissals."},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    citation = FindingCitation.objects.get(decision=decision)
    refused = chair.post(
        act(case, "finding-cite"), {"finding": undetermined.pk, "reliance": "Draft."}
    )
    assert refused.status_code == 200
    page = chair.get(page_of(case)).content.decode()
    assert "Measured dismissals." in page
    assert "/act/citation-withdraw/" in page
    assert INTERVIEWEE not in page
    response = chair.post(act(case, "citation-withdraw"), {"citation": citation.pk})
    assert response.status_code == 302
    assert not FindingCitation.objects.exists()


def test_citation_rows_take_one_query(world, draft, django_assert_num_queries):
    decision, determined, _u, _x = draft
    citations.decision_finding_cite(
        decision=decision, finding=determined, reliance="x", actor=SYSTEM
    )
    with django_assert_num_queries(1):
        rows = citations.citation_rows(decision)
    assert rows[0].measured == "14 workers dismissed"
    assert rows[0].observed_on == determined.observed_on
