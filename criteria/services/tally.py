"""The count of a proposal's vote: quorum and majority are the round's own."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass
from typing import Any

from django.utils.translation import gettext as _

from commission.models import CommissionMember

from ..models import DeliberationRound, Proposal, Vote
from ._access import _today, sitting_q


@dataclass(frozen=True)
class Tally:
    yes: int
    no: int
    abstain: int
    sitting: int
    quorum_percent: int
    majority: str

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain

    @property
    def quorum_needed(self) -> int:
        return max(1, math.ceil(self.sitting * self.quorum_percent / 100))

    @property
    def quorum_met(self) -> bool:
        return self.cast >= self.quorum_needed

    @property
    def majority_met(self) -> bool:
        decided = self.yes + self.no
        if self.majority == DeliberationRound.Majority.TWO_THIRDS:
            return self.yes > 0 and 3 * self.yes >= 2 * decided
        if self.majority == DeliberationRound.Majority.ABSOLUTE:
            return 2 * self.yes > self.sitting
        return 2 * self.yes > decided

    @property
    def passes(self) -> bool:
        return self.quorum_met and self.majority_met

    def failure_reason(self) -> str:
        if not self.quorum_met:
            return _(
                "No quorum: %(cast)s of %(sitting)s sitting members voted; %(needed)s are needed."
            ) % {"cast": self.cast, "sitting": self.sitting, "needed": self.quorum_needed}
        return _(
            "The required majority (%(majority)s) was not reached: %(yes)s for, %(no)s against."
        ) % {
            "majority": dict(DeliberationRound.Majority.choices)[self.majority],
            "yes": self.yes,
            "no": self.no,
        }

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "quorum_needed": self.quorum_needed, "passes": self.passes}


def proposal_tally(*, proposal: Proposal, on: dt.date | None = None) -> Tally:
    """Count the votes of members sitting on `on` (today)."""
    on = on or _today()
    counts = {"yes": 0, "no": 0, "abstain": 0}
    for choice in Vote.objects.filter(sitting_q(on, "member__"), proposal=proposal).values_list(
        "choice", flat=True
    ):
        counts[choice] += 1
    return Tally(
        sitting=CommissionMember.objects.filter(sitting_q(on)).count(),
        quorum_percent=proposal.round.quorum_percent,
        majority=proposal.round.majority,
        **counts,
    )
