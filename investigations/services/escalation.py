"""Escalating a failed remedial order: a missed step of an order not verified as complied fails
the order and files a complaint through `complaints.services.case_file`, exactly once.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commission.actors import SYSTEM, Actor, actor_require
from commission.models import (
    Clock,
    InvestigativeTeam,
    Organization,
)
from complaints.models import Case, Respondent
from complaints.services import (
    AllegationInput,
    ComplainantInput,
    FilingInput,
    RespondentInput,
    case_file,
    evidence_add,
)

from ..models import (
    RemedialOrder,
    RemedialStep,
)
from ._common import PERM_REVIEW, _event, _lock, _transition, logger


def _step_clocks(order: RemedialOrder) -> list[Clock]:
    from django.contrib.contenttypes.models import ContentType

    step_ids = [str(pk) for pk in order.steps.values_list("pk", flat=True)]
    return list(
        Clock.objects.filter(
            subject_type=ContentType.objects.get_for_model(RemedialStep),
            subject_id__in=step_ids,
            kind=Clock.Kind.REMEDIAL_ORDER_DUE,
        ).order_by("due_at")
    )


def _day_end(day: dt.date) -> dt.datetime:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(settings.TIME_ZONE)
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz)


def _team_complainant(team: InvestigativeTeam) -> Organization:
    """The team as a complainant in the core records (teams file complaints, l. 2563–2567)."""
    org, _created = Organization.objects.get_or_create(
        kind=Organization.Kind.OTHER,
        name=f"{team.name} (investigative team)"[:200],
        country=team.country,
    )
    return org


RESPONDENT_KIND: dict[str, str] = {
    Organization.Kind.EMPLOYER: Respondent.Kind.EMPLOYER,
    Organization.Kind.GLOBAL_CORPORATION: Respondent.Kind.GLOBAL_CORPORATION,
    Organization.Kind.GOVERNMENT_AGENCY: Respondent.Kind.GOVERNMENT_AGENCY,
    Organization.Kind.GOVERNMENT: Respondent.Kind.GOVERNMENT,
}


def findings_report(order: RemedialOrder) -> str:
    """The plain-text report of an order's findings, attached to the team's complaint. It
    carries pseudonymised excerpts only — never an interviewee's identity or statement."""
    lines = [
        _("Investigation %(number)s — %(title)s")
        % {"number": order.investigation.number, "title": order.investigation.title},
        _("Remedial order issued %(day)s to %(to)s")
        % {"day": timezone.localtime(order.issued_at).date().isoformat(), "to": order.addressee},
        order.text,
        "",
    ]
    for step in order.steps.all():
        lines.append(f"{step.number}. {step.description} ({step.days} d)")
    for finding in order.findings.select_related("criterion_version", "determination").order_by(
        "pk"
    ):
        lines += [
            "",
            f"{finding.criterion_version.identifier}: {finding.get_result_display()} — "
            f"{finding.summary}",
            finding.facts,
        ]
        if finding.measured_value is not None:
            lines.append(
                _("Measured: %(value)s %(unit)s (%(method)s)")
                % {
                    "value": format(finding.measured_value.normalize(), "f"),
                    "unit": finding.measured_unit,
                    "method": finding.measuring_method,
                }
            )
        if finding.workers_affected is not None:
            lines.append(_("Workers affected: %(n)s") % {"n": finding.workers_affected})
        for position in finding.determination.positions.all() if finding.determination else []:
            if position.is_dissent:
                lines.append(
                    _("Dissent (%(role)s): %(position)s — %(reasoning)s")
                    % {
                        "role": position.get_role_display(),
                        "position": position.position,
                        "reasoning": position.reasoning,
                    }
                )
        for excerpt in finding.excerpts.select_related("interview"):
            lines.append(f"{excerpt.interview.pseudonym}: “{excerpt.text}”")
    for visit in order.verifications.all():
        lines += [
            "",
            _("Verification %(day)s (%(basis)s): %(outcome)s — %(observations)s")
            % {
                "day": visit.visited_on.isoformat(),
                "basis": visit.get_basis_display(),
                "outcome": visit.get_outcome_display(),
                "observations": visit.observations,
            },
        ]
    return "\n".join(str(line) for line in lines) + "\n"


def remedial_order_escalate(*, order_id: int, reason: str = "", actor: Actor) -> RemedialOrder:
    """See `_remedial_order_escalate`; the complaint is written in the commission's language
    (English), whichever language the request that triggered it was in. `actor` is the system
    (the sweep, a failed verification) or staff who review investigations (the workspace's
    "file the complaint"); the investigation's events record who."""
    from django.utils import translation

    actor_require(actor, PERM_REVIEW, system_allowed=True)
    with translation.override(settings.LANGUAGE_CODE):
        return _remedial_order_escalate(order_id=order_id, reason=reason, actor=actor)


def _remedial_order_escalate(*, order_id: int, reason: str, actor: Actor) -> RemedialOrder:
    """A remedial order whose due date passed without verified compliance fails, and the team
    files a complaint through the complaints service with its findings attached — exactly
    once: the order row is locked and the complaint is linked to it in the same transaction.
    The system acts (the sweep's miss, or a failed verification after the due date)."""
    with transaction.atomic():
        order = _lock(RemedialOrder, order_id)
        if order.complaint_id is not None or order.status == RemedialOrder.Status.VERIFIED_COMPLIED:
            return order
        clocks = _step_clocks(order)
        now = timezone.now()
        if not clocks or min(c.due_at for c in clocks) >= now:
            raise ValidationError(_("The order's due date has not passed."))
        investigation = order.investigation
        team = investigation.team
        if order.status == RemedialOrder.Status.OPEN:
            previous = _transition(order, RemedialOrder.Status.FAILED)
            order.failed_at = now
            order.failure_reason = reason or _("The due date passed without verified compliance.")
            order.save(update_fields=["status", "failed_at", "failure_reason"])
            _event(
                investigation,
                "remedial_order_failed",
                actor,
                from_status=previous,
                to_status=order.status,
                reason=order.failure_reason,
                data={"order": order.pk},
            )
        findings = list(
            order.findings.select_related("criterion_version__criterion", "organization")
            .prefetch_related("site_visits")
            .order_by("pk")
        )
        respondents = [
            RespondentInput(
                kind=RESPONDENT_KIND.get(order.addressee.kind, Respondent.Kind.EMPLOYER),
                organization=order.addressee,
                country=order.addressee.country,
            )
        ]
        for subject in investigation.subjects.exclude(pk=order.addressee_id).order_by("pk"):
            if subject.kind in RESPONDENT_KIND:
                respondents.append(
                    RespondentInput(
                        kind=RESPONDENT_KIND[subject.kind],
                        organization=subject,
                        country=subject.country,
                    )
                )
        allegations = []
        for finding in findings:
            facts = [finding.facts]
            if finding.measured_value is not None:
                facts.append(
                    _("Measured: %(value)s %(unit)s (%(method)s).")
                    % {
                        "value": format(finding.measured_value.normalize(), "f"),
                        "unit": finding.measured_unit,
                        "method": finding.measuring_method,
                    }
                )
            facts.append(
                _("Found by investigation %(number)s; remedial order not complied with.")
                % {"number": investigation.number}
            )
            place = next(
                (v.place for v in finding.site_visits.all()),
                (finding.organization or order.addressee).location or investigation.country.name,
            )
            allegations.append(
                AllegationInput(
                    summary=finding.summary,
                    facts="\n".join(str(f) for f in facts),
                    period_start=finding.observed_on,
                    place=place,
                    workers_affected=finding.workers_affected or None,
                    criteria=[finding.criterion_version.criterion],
                )
            )
        filing = FilingInput(
            kind=Case.Kind.COMPLAINT,
            language=settings.LANGUAGE_CODE,
            complainants=[
                ComplainantInput(kind="organization", organization=_team_complainant(team))
            ],
            respondents=respondents,
            allegations=allegations,
            remedies_sought=_(
                "Sanctions until the remedial order of %(day)s is carried out and verified: "
                "%(text)s"
            )
            % {"day": timezone.localtime(order.issued_at).date().isoformat(), "text": order.text},
        )
        complaint, _code = case_file(
            filing=filing, actor=SYSTEM, received_via=Case.Channel.INVESTIGATION
        )
        order.complaint = complaint
        order.save(update_fields=["complaint"])
        report = findings_report(order).encode("utf-8")
        evidence_add(
            upload=SimpleUploadedFile(
                f"findings-{investigation.number}.txt", report, content_type="text/plain"
            ),
            description=_("Findings of investigation %(number)s")
            % {"number": investigation.number},
            case=complaint,
            actor=SYSTEM,
        )
        _event(
            investigation,
            "complaint_filed",
            actor,
            reason=order.failure_reason,
            data={"order": order.pk, "complaint": complaint.docket_number},
        )
    logger.info("remedial order %s escalated: %s", order.pk, complaint.docket_number)
    return order


def remedial_orders_escalate_due(*, now: dt.datetime | None = None) -> list[int]:
    """Escalate every order with a missed step clock and no verified compliance (the safety
    net of the clock-miss signal; safe to run at any time)."""
    from django.contrib.contenttypes.models import ContentType

    now = now or timezone.now()
    missed = Clock.objects.filter(
        subject_type=ContentType.objects.get_for_model(RemedialStep),
        kind=Clock.Kind.REMEDIAL_ORDER_DUE,
        status=Clock.Status.MISSED,
    ).values_list("subject_id", flat=True)
    step_ids = [int(s) for s in missed]
    order_ids = list(
        RemedialOrder.objects.filter(steps__pk__in=step_ids, complaint__isnull=True)
        .exclude(status=RemedialOrder.Status.VERIFIED_COMPLIED)
        .values_list("pk", flat=True)
        .distinct()
    )
    for order_id in order_ids:
        remedial_order_escalate(order_id=order_id, actor=SYSTEM)
    return order_ids
