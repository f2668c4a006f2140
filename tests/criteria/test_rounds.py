"""Deliberation rounds: public notice, reports and proposals from participants, votes by
members only, quorum and majority enforced, adoption creates and publishes the version."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from commission.models import CaseEvent
from criteria import services
from criteria.models import Criterion, DeliberationRound, ParticipantRole, Proposal
from tests.criteria.support import adopt, at, historical, measure_draft, open_criterion, rule_draft
from tests.factories.commission import CommissionMemberFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 1)


def _convene(actor, **extra):
    values = {
        "actor": actor,
        "code": "2026-9",
        "title_en": "Round",
        "notice_en": "Notice.",
        "submissions_open_on": DAY,
        "submissions_close_on": DAY + dt.timedelta(days=10),
    }
    values.update(extra)
    with at(DAY):
        return services.round_convene(**values)


def test_convening_publishes_a_notice_and_needs_a_member_or_staff(members, staff_user, filer):
    with pytest.raises(ValidationError, match="convene"):
        _convene(filer)
    round_ = _convene(staff_user)
    assert round_.status == DeliberationRound.Status.CONVENED
    event = CaseEvent.objects.for_subject(round_).get()
    assert event.is_public
    assert event.verb == "round.convened"
    assert event.reason == "Notice."


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"submissions_open_on": DAY - dt.timedelta(days=1)}, "before the notice"),
        ({"submissions_close_on": DAY - dt.timedelta(days=1)}, "close after they open"),
        ({"meeting_on": DAY + dt.timedelta(days=3)}, "after reports and proposals close"),
        ({"notice_en": "  "}, "public notice"),
    ],
)
def test_convening_refuses_incoherent_dates(staff_user, extra, message):
    with pytest.raises(ValidationError, match=message):
        _convene(staff_user, **extra)


def test_reports_only_within_the_window_and_while_convened(members, staff_user, filer):
    round_ = _convene(staff_user)
    report = dict(
        round=round_,
        actor=filer,
        participant_role=ParticipantRole.WORKER_ORGANIZATION,
        title="Findings",
        body="Workers report…",
    )
    with at(DAY + dt.timedelta(days=2)):
        assert services.report_file(**report).is_public
    with at(DAY + dt.timedelta(days=11)), pytest.raises(ValidationError, match="accepted from"):
        services.report_file(**report)
    with at(DAY + dt.timedelta(days=11)):
        services.round_open_voting(round=round_, actor=staff_user)
        with pytest.raises(ValidationError, match="no longer accepts"):
            services.report_file(**report)


def test_participants_cannot_claim_roles_they_do_not_hold(members, staff_user, filer, countries):
    round_ = _convene(staff_user)
    from tests.factories.commission import OrganizationFactory

    union = OrganizationFactory(kind="labor_organization", name="Some union")
    with at(DAY):
        with pytest.raises(ValidationError, match="sitting commission member"):
            services.report_file(
                round=round_,
                actor=filer,
                participant_role=ParticipantRole.MEMBER,
                title="t",
                body="b",
            )
        with pytest.raises(ValidationError, match="not a delegate"):
            services.report_file(
                round=round_,
                actor=filer,
                participant_role=ParticipantRole.WORKER_ORGANIZATION,
                organization=union,
                title="t",
                body="b",
            )


def test_the_vote_opens_only_after_the_window(staff_user):
    round_ = _convene(staff_user)
    with at(DAY + dt.timedelta(days=10)), pytest.raises(ValidationError, match="open until"):
        services.round_open_voting(round=round_, actor=staff_user)


@pytest.fixture
def dust(rights, staff_user, countries, sectors):
    criterion = open_criterion(rights["OSH"], Criterion.Kind.MEASURE, "cotton-dust", staff_user)
    historical(criterion, measure_draft(200, effective_from=dt.date(2024, 1, 1)), staff_user)
    return criterion


def test_only_sitting_members_vote(dust, members, filer, staff_user):
    proposal = adopt(
        members=members,
        filer=filer,
        kind=Proposal.Kind.REVISION,
        criterion=dust,
        draft=measure_draft(150),
        votes=(),
        decide=False,
    )
    with at(DAY + dt.timedelta(days=7)):
        for outsider in (filer, staff_user):
            with pytest.raises(ValidationError, match="Only commission members"):
                services.proposal_vote(proposal=proposal, actor=outsider, choice="yes")
        former = CommissionMemberFactory(
            person=PersonFactory(user=UserFactory(username="former")),
            seated_on=dt.date(2020, 1, 1),
            left_on=dt.date(2026, 1, 1),
        )
        with pytest.raises(ValidationError, match="Only commission members"):
            services.proposal_vote(proposal=proposal, actor=former.person.user, choice="yes")
    assert not proposal.votes.exists()


@pytest.mark.parametrize(
    ("majority", "quorum", "votes", "adopted"),
    [
        ("simple", 50, ("yes", "yes", "no"), True),
        ("simple", 50, ("yes", "no"), False),  # a tie is not a majority
        ("simple", 50, ("yes",), False),  # 1 of 3 voted: quorum needs 2
        ("simple", 30, ("yes",), True),
        ("simple", 100, ("yes", "yes"), False),
        ("simple", 50, ("yes", "abstain", "abstain"), True),  # abstentions count for quorum only
        ("two_thirds", 50, ("yes", "yes", "no"), True),
        ("two_thirds", 50, ("yes", "no"), False),
        ("absolute", 50, ("yes", "abstain", "abstain"), False),  # 1 of 3 sitting is not > half
        ("absolute", 50, ("yes", "yes", "abstain"), True),
    ],
)
def test_quorum_and_majority_are_enforced(dust, members, filer, majority, quorum, votes, adopted):
    proposal = adopt(
        members=members,
        filer=filer,
        kind=Proposal.Kind.REVISION,
        criterion=dust,
        draft=measure_draft(150),
        votes=votes,
        majority=majority,
        quorum_percent=quorum,
    )
    assert proposal.status == (Proposal.Status.ADOPTED if adopted else Proposal.Status.REJECTED)
    assert dust.versions.count() == (2 if adopted else 1)
    assert proposal.tally["yes"] == votes.count("yes")


def test_a_version_cannot_be_created_without_a_passing_vote(dust, members, filer):
    proposal = adopt(
        members=members,
        filer=filer,
        kind=Proposal.Kind.REVISION,
        criterion=dust,
        draft=measure_draft(150),
        votes=("yes",),
        decide=False,
    )
    with at(DAY + dt.timedelta(days=7)), pytest.raises(ValidationError, match="No quorum"):
        services.criterion_revise(
            criterion=dust, draft=proposal.draft, proposal=proposal, actor=members[0].person.user
        )
    assert dust.versions.count() == 1


def test_adoption_publishes_the_version_and_records_events(dust, members, filer):
    proposal = adopt(
        members=members,
        filer=filer,
        kind=Proposal.Kind.REVISION,
        criterion=dust,
        draft=measure_draft(150),
    )
    verbs = list(CaseEvent.objects.for_subject(dust).values_list("verb", "is_public"))
    assert ("criterion.version_promulgated", True) in verbs
    proposal_verbs = [e.verb for e in CaseEvent.objects.for_subject(proposal)]
    assert proposal_verbs == [
        "proposal.filed",
        "proposal.vote_cast",
        "proposal.vote_cast",
        "proposal.vote_cast",
        "proposal.adopted",
    ]
    assert proposal.adopted_version.proposal == proposal


def test_new_criterion_gets_the_next_code_of_its_right(rights, members, filer, staff_user):
    with at(dt.date(2026, 11, 2)):
        open_criterion(rights["FOA"], Criterion.Kind.RULE, "x", staff_user, code="FOA-007")
    proposal = adopt(
        members=members,
        filer=filer,
        kind=Proposal.Kind.NEW_CRITERION,
        right=rights["FOA"],
        criterion_kind="rule",
        governs="union-access-lunch",
        title_en="Lunch access",
        draft=rule_draft(),
    )
    assert proposal.status == Proposal.Status.ADOPTED
    assert proposal.criterion.code == "FOA-008"
    assert proposal.adopted_version.identifier == "FOA-008/v1"


def test_closing_the_round_lapses_undecided_proposals(dust, members, filer):
    proposal = adopt(
        members=members,
        filer=filer,
        kind=Proposal.Kind.REVISION,
        criterion=dust,
        draft=measure_draft(150),
        decide=False,
    )
    with at(DAY + dt.timedelta(days=8)):
        services.round_close(round=proposal.round, actor=members[0].person.user)
        proposal.refresh_from_db()
        assert proposal.status == Proposal.Status.REJECTED
        with pytest.raises(ValidationError, match="cannot move"):
            services.round_open_voting(round=proposal.round, actor=members[0].person.user)
    assert dust.versions.count() == 1


def test_only_the_filer_withdraws(dust, members, filer, staff_user):
    proposal = adopt(
        members=members,
        filer=filer,
        kind=Proposal.Kind.REVISION,
        criterion=dust,
        draft=measure_draft(150),
        votes=(),
        decide=False,
    )
    with pytest.raises(ValidationError, match="Only the filer"):
        services.proposal_withdraw(proposal=proposal, actor=staff_user)
    services.proposal_withdraw(proposal=proposal, actor=filer)
    assert proposal.status == Proposal.Status.WITHDRAWN


def test_rule_resolution_is_recorded_by_a_member_only(rights, members, staff_user):
    rule = open_criterion(rights["FOA"], Criterion.Kind.RULE, "union-access", staff_user)
    kwargs = dict(
        governs="union-access",
        binding_criterion=rule,
        reason_en="Most protective.",
        effective_from=dt.date(2026, 12, 2),
    )
    with at(DAY):
        with pytest.raises(ValidationError, match="sitting commission member"):
            services.rule_resolution_record(actor=staff_user, **kwargs)
        with pytest.raises(ValidationError, match="earliest tomorrow"):
            services.rule_resolution_record(
                actor=members[0].person.user, **(kwargs | {"effective_from": DAY})
            )
        record = services.rule_resolution_record(actor=members[0].person.user, **kwargs)
    assert record.recorded_by == members[0]
