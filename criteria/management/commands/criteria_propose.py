"""File a proposal in a deliberation round from a JSON file, as a given user.

    manage.py criteria_propose --round 2027-1 --user worker.pe --kind revision \
        --criterion OSH-001 --draft draft.json --rationale "Why it is stronger" \
        --role worker_organization

The proposal goes through `criteria.services.proposal_submit`, so a draft that would be less
protective than the version in force is refused with the service's reasons."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from criteria import services
from criteria.models import Criterion, DeliberationRound, ParticipantRole, Proposal, Right


class Command(BaseCommand):
    help = "File a proposal (new criterion, revision, retirement) in a deliberation round."

    def add_arguments(self, parser):
        parser.add_argument("--round", required=True, dest="round_code")
        parser.add_argument("--user", required=True)
        parser.add_argument("--kind", required=True, choices=Proposal.Kind.values)
        parser.add_argument("--draft", required=True, help="JSON file with the proposed version")
        parser.add_argument("--rationale", required=True)
        parser.add_argument("--role", default=ParticipantRole.OTHER, choices=ParticipantRole.values)
        parser.add_argument("--criterion", default="")
        parser.add_argument("--right", default="")
        parser.add_argument("--criterion-kind", default="", choices=["", *Criterion.Kind.values])
        parser.add_argument("--governs", default="")
        parser.add_argument("--title-en", default="")
        parser.add_argument("--title-es", default="")

    def handle(self, *args, **o):
        try:
            round_ = DeliberationRound.objects.get(code=o["round_code"])
            user = get_user_model().objects.get(username=o["user"])
            criterion = Criterion.objects.get(code=o["criterion"]) if o["criterion"] else None
            right = Right.objects.get(code=o["right"]) if o["right"] else None
        except (
            DeliberationRound.DoesNotExist,
            Criterion.DoesNotExist,
            Right.DoesNotExist,
            get_user_model().DoesNotExist,
        ) as exc:
            raise CommandError(str(exc)) from exc
        try:
            draft = json.loads(Path(o["draft"]).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"Cannot read the draft: {exc}") from exc
        try:
            proposal = services.proposal_submit(
                round=round_,
                actor=user,
                kind=o["kind"],
                draft=draft,
                rationale=o["rationale"],
                participant_role=o["role"],
                criterion=criterion,
                right=right,
                criterion_kind=o["criterion_kind"],
                governs=o["governs"],
                title_en=o["title_en"],
                title_es=o["title_es"],
            )
        except ValidationError as exc:
            raise CommandError("Refused: " + " ".join(exc.messages)) from exc
        self.stdout.write(f"Filed proposal {proposal} ({proposal.get_kind_display()}).")
