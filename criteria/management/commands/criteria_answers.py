"""Precompute the selector's answers for the register's current state (criteria.answers).

    manage.py criteria_answers

Beat does this every minute and the services queue it after every register write; the command
is for bulk loads and deployments that want the answers ready at once."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from criteria.answers import build


class Command(BaseCommand):
    help = "Precompute the criteria selector's answers for the register's current state."

    def handle(self, *args, **options):
        result = build()
        if result.answer_set is None:
            raise CommandError(
                _("No answers were precomputed: %(reason)s.") % {"reason": result.reason}
            )
        if result.built:
            message = _(
                "Precomputed %(count)d answers for register state %(state)s in %(seconds).1f s."
            )
        else:
            message = _(
                "The answers for register state %(state)s were already precomputed (%(count)d)."
            )
        self.stdout.write(
            message
            % {
                "count": result.answer_set.answers,
                "state": result.answer_set,
                "seconds": result.seconds,
            }
        )
