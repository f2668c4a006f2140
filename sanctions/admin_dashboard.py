"""The sanctions' part of the admin home: benchmarks verified met awaiting a lift hearing, and
lift hearings due within 14 days (one query each, linking to the list)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from commission.dashboard import Row, Section, dashboard_section_register

from . import selectors


@dashboard_section_register
def sanctions_section(request: Any) -> Section | None:
    if not request.user.has_perm("sanctions.view_sanctionorder"):
        return None
    return Section(
        str(_("Sanctions")),
        [
            Row(
                str(_("Benchmarks verified, to review for a lift hearing")),
                len(selectors.benchmark_reviews_due()),
                reverse("admin:sanctions_benchmarkverification_changelist") + "?met__exact=1",
                str(_("Give notice of the lift hearing from the case page.")),
            ),
            Row(
                str(_("Lift hearings within 14 days or not yet recorded")),
                len(selectors.lift_hearings_due()),
                reverse("admin:sanctions_liftnotice_changelist"),
                str(_("Hold the hearing; record it; issue the determination.")),
            ),
        ],
    )
