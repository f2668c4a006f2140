"""Helpers for criteria tests: drafts, time travel, and a whole round (file, vote, adopt)."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

import time_machine

from criteria import services
from criteria.models import DeliberationRound, ParticipantRole

LIMA = zoneinfo.ZoneInfo("America/Lima")
_round_numbers = itertools.count(1)


def at(day: dt.date, hour: int = 10):
    """Travel to `hour` o'clock (Lima) on `day`."""
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=LIMA), tick=False)


def measure_draft(threshold, unit="µg/m³", effective_from=dt.date(2027, 1, 1), **extra):
    draft = {
        "text_en": f"Exposure shall not exceed {threshold} {unit}.",
        "effective_from": effective_from,
        "direction": "at_most",
        "threshold": str(threshold),
        "unit": unit,
        "averaging_period": "twa_8h",
        "measuring_method_en": "Vertical elutriator, 8-hour sample.",
        "sources": [
            {"kind": "international_law", "instrument": "ILO Convention No. 155", "article": "4"}
        ],
    }
    draft.update(extra)
    return draft


def rule_draft(text="Employers must permit organizers to meet workers at lunch.", **extra):
    draft = {
        "text_en": text,
        "effective_from": dt.date(2027, 1, 1),
        "sources": [
            {"kind": "international_law", "instrument": "ILO Convention No. 87", "article": "3"}
        ],
    }
    draft.update(extra)
    return draft


def historical(criterion, draft, actor, reference="Minutes 1"):
    return services.criterion_version_record_historical(
        criterion=criterion, draft=draft, record_reference=reference, actor=actor
    )


def open_criterion(right, kind, governs, actor, title="A criterion", code=""):
    return services.criterion_record_historical(
        right=right, kind=kind, governs=governs, title_en=title, actor=actor, code=code
    )


def adopt(
    *,
    members,
    filer,
    kind,
    draft,
    criterion=None,
    right=None,
    criterion_kind="",
    governs="",
    title_en="",
    rationale="Stronger protection shown necessary by the teams' reports.",
    day=dt.date(2026, 12, 1),
    votes=("yes", "yes", "no"),
    decide=True,
    majority=DeliberationRound.Majority.SIMPLE,
    quorum_percent=50,
):
    """File `draft` in a fresh round on `day`, open the vote a week later, vote, decide."""
    with at(day):
        round_ = services.round_convene(
            actor=members[0].person.user,
            code=f"T-{next(_round_numbers)}",
            title_en="Test round",
            notice_en="The commission convenes a round.",
            submissions_open_on=day,
            submissions_close_on=day + dt.timedelta(days=5),
            majority=majority,
            quorum_percent=quorum_percent,
        )
        proposal = services.proposal_submit(
            round=round_,
            actor=filer,
            kind=kind,
            draft=draft,
            rationale=rationale,
            participant_role=ParticipantRole.WORKER_ORGANIZATION,
            criterion=criterion,
            right=right,
            criterion_kind=criterion_kind,
            governs=governs,
            title_en=title_en,
        )
    with at(day + dt.timedelta(days=6)):
        services.round_open_voting(round=round_, actor=members[0].person.user)
        for member, choice in zip(members, votes, strict=False):
            services.proposal_vote(proposal=proposal, actor=member.person.user, choice=choice)
        if decide:
            services.proposal_decide(proposal=proposal, actor=members[0].person.user)
    proposal.refresh_from_db()
    return proposal
