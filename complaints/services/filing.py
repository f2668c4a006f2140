"""Filing: `case_file` and its steps — the receipt instant, the validation of what is filed,
the docket allocation, and the writing of the case, its parties and allegations."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commission import audit
from commission.actors import Actor, actor_require, actor_user
from commission.forms import INT32_MAX
from commission.models import (
    Organization,
    OrganizationMembership,
)
from commission.services import case_event_record, clocks_start_statutory

from ..models import (
    Allegation,
    Case,
    Complainant,
    Evidence,
    Respondent,
    case_filed,
    new_access_code,
)
from ._common import (
    MAX_ALLEGATIONS,
    PERM_RECORD_PAPER,
    STAFF_CHANNELS,
    AllegationInput,
    FilingInput,
    _code_hash,
    _docket_allocate,
    _is_authenticated,
    _pk,
    connection_returns_ids,
    pseudonym_letter,
)

logger = logging.getLogger(__name__)

# --- filing ------------------------------------------------------------------------------


def _validate_filing(filing: FilingInput, *, actor: Actor, channel: str) -> None:
    """Every problem of the filing at once (the portal shows them together)."""
    errors = [
        *_filing_shape_errors(filing),
        *_complainant_errors(filing, actor=actor, channel=channel),
        *_respondent_errors(filing),
        *_filing_size_errors(filing),
    ]
    today = timezone.localdate()
    earliest = dt.date.fromisoformat(settings.FILING_EARLIEST_DATE)
    for number, allegation in enumerate(filing.allegations, start=1):
        errors += _allegation_errors(number, allegation, today=today, earliest=earliest)
    if errors:
        raise ValidationError(errors)


def _filing_shape_errors(filing: FilingInput) -> list[str]:
    errors: list[str] = []
    if filing.kind not in Case.Kind.values:
        errors.append(_("Choose whether this is a complaint or a petition."))
    if filing.language not in dict(settings.LANGUAGES):
        errors.append(_("Choose the language of the filing."))
    if not filing.complainants:
        errors.append(_("A filing names at least one complainant."))
    if not filing.respondents:
        errors.append(_("A filing names at least one respondent."))
    if not filing.allegations:
        errors.append(_("A filing makes at least one allegation."))
    if not (filing.remedies_sought or "").strip():
        errors.append(_("Say which remedies you seek."))
    return errors


def _complainant_errors(filing: FilingInput, *, actor: Actor, channel: str) -> list[str]:
    errors: list[str] = []
    for c in filing.complainants:
        if c.kind == Complainant.Kind.ORGANIZATION:
            if c.organization is None:
                errors.append(_("An organization complainant must be chosen from the records."))
            elif channel == Case.Channel.PORTAL and not _is_delegate(actor, c.organization):
                name = Organization.objects.filter(pk=_pk(c.organization)).values_list(
                    "name", flat=True
                )
                errors.append(
                    _("You may file for %(org)s only as one of its delegates.")
                    % {"org": name.first() or _pk(c.organization)}
                )
        elif c.kind == Complainant.Kind.WORKER:
            if not c.name.strip():
                errors.append(_("A worker complainant gives a name (it stays confidential)."))
        else:
            errors.append(_("Unknown kind of complainant."))
    return errors


def _respondent_errors(filing: FilingInput) -> list[str]:
    errors: list[str] = []
    for r in filing.respondents:
        if r.kind not in Respondent.Kind.values:
            errors.append(_("Unknown kind of respondent."))
        elif r.kind == Respondent.Kind.SECTOR:
            if r.sector is None:
                errors.append(_("A sector respondent must be chosen from the sectors."))
        elif r.organization is None and not r.name_given.strip():
            errors.append(_("Each respondent is chosen from the records or named."))
    return errors


def _filing_size_errors(filing: FilingInput) -> list[str]:
    errors: list[str] = []
    if len(filing.allegations) > MAX_ALLEGATIONS:
        errors.append(_("A filing makes at most %(n)s allegations.") % {"n": MAX_ALLEGATIONS})
    for text in (filing.remedies_sought, filing.confidentiality_request):
        if len(text or "") > settings.FILING_TEXT_MAX_LENGTH:
            errors.append(
                _("A text of the filing is too long (at most %(n)s characters).")
                % {"n": settings.FILING_TEXT_MAX_LENGTH}
            )
    return errors


def _allegation_errors(
    number: int, a: AllegationInput, *, today: dt.date, earliest: dt.date
) -> list[str]:
    errors: list[str] = []
    label = _("Allegation %(n)s") % {"n": number}
    if not (a.summary.strip() and a.facts.strip() and a.place.strip()):
        errors.append(_("%(a)s: give a summary, the facts and the place.") % {"a": label})
    if a.period_start is None or a.period_start > today:
        errors.append(_("%(a)s: the period cannot start in the future.") % {"a": label})
    elif a.period_start < earliest or (a.period_end is not None and a.period_end < earliest):
        errors.append(
            _("%(a)s: the commission hears what happened from %(day)s on.")
            % {"a": label, "day": earliest.isoformat()}
        )
    elif a.period_end is not None and a.period_end < a.period_start:
        errors.append(_("%(a)s: the period ends before it starts.") % {"a": label})
    if a.workers_affected is not None and a.workers_affected < 1:
        errors.append(_("%(a)s: the number of workers affected is at least 1.") % {"a": label})
    elif a.workers_affected is not None and a.workers_affected > INT32_MAX:
        errors.append(
            _("%(a)s: the number of workers affected is at most %(max)s.")
            % {"a": label, "max": INT32_MAX}
        )
    if len(a.facts) > settings.FILING_FACTS_MAX_LENGTH:
        errors.append(
            _("%(a)s: the facts are too long (at most %(n)s characters).")
            % {"a": label, "n": settings.FILING_FACTS_MAX_LENGTH}
        )
    if not a.criteria and not a.proposed_standard.strip():
        errors.append(
            _(
                "%(a)s: cite at least one criterion of the register, or describe the "
                "standard that was breached when no criterion fits."
            )
            % {"a": label}
        )
    return errors


def _is_delegate(user: Any, organization: Organization | int) -> bool:
    if not _is_authenticated(user):
        return False
    return OrganizationMembership.objects.filter(
        organization_id=_pk(organization), person__user=user
    ).exists()


def case_file(
    *,
    filing: FilingInput,
    actor: Actor,
    received_via: str = Case.Channel.PORTAL,
    received_at: dt.datetime | None = None,
    intake_reference: str = "",
    originating_petition: Case | None = None,
) -> tuple[Case, str]:
    """File a complaint or a petition. Returns the case and, when the filer has no account,
    the access code to follow it (shown once; only its hash is stored), else "".

    The receipt instant is the server's clock for the portal and for filings by the
    commission; for paper and email filings staff record when it was received, which may
    not be in the future. The statutory clocks start from it, inside this transaction."""
    now = timezone.now()
    received_at = _filing_received_at(
        filing=filing,
        actor=actor,
        channel=received_via,
        received_at=received_at,
        originating_petition=originating_petition,
        now=now,
    )
    importing = audit.importing()
    # A legacy case is entered by staff whatever its original channel: its filer's delegation
    # is checked as for paper (the records say who filed it, not who is signed in now).
    _validate_filing(filing, actor=actor, channel=Case.Channel.PAPER if importing else received_via)
    access_code = "" if _is_authenticated(actor) else new_access_code()
    # Tell the clocks which step triggered them ("Complaint filed 2 March 2026, 14:10 …").
    trigger_event = f"{filing.kind}_filed"

    with transaction.atomic():
        docket = _docket_allocate(kind=filing.kind, received_at=received_at)
        case = Case.objects.create(
            kind=filing.kind,
            docket_number=docket,
            status=Case.Status.FILED,
            received_at=received_at,
            received_via=received_via,
            intake_reference=intake_reference.strip(),
            recorded_at=now,
            recorded_by=actor_user(actor),
            filed_by=actor_user(actor) if received_via == Case.Channel.PORTAL else None,
            language=filing.language,
            remedies_sought=filing.remedies_sought.strip(),
            withhold_organization_names=filing.withhold_organization_names,
            confidentiality_request=filing.confidentiality_request.strip(),
            contact_email=filing.contact_email.strip(),
            access_code_hash=_code_hash(access_code) if access_code else "",
            originating_petition=originating_petition,
        )
        _case_parties_create(case, filing)
        _case_allegations_create(case, filing)
        evidence_ids = [e.pk for e in filing.evidence]
        if evidence_ids:
            Evidence.objects.filter(pk__in=evidence_ids, case__isnull=True).update(case=case)
        case_event_record(
            subject=case,
            verb="filed",
            actor=actor,
            to_status=Case.Status.FILED,
            data={
                "kind": case.kind,
                "received_via": received_via,
                "received_at": received_at.isoformat(),
                "recorded_at": now.isoformat(),
                "complainants": len(filing.complainants),
                "respondents": len(filing.respondents),
                "allegations": len(filing.allegations),
                "evidence": len(evidence_ids),
                "originating_petition": originating_petition.docket_number
                if originating_petition
                else "",
            },
            is_public=True,
            docket_number=docket,
            occurred_at=received_at,
        )
        clocks_start_statutory(
            subject=case, trigger_at=received_at, actor=actor, trigger_event=trigger_event
        )
        case_id = case.pk
        if not importing:
            # A past case was acknowledged (and investigated) when it was received: its
            # import sends no acknowledgment and opens no investigation.
            transaction.on_commit(lambda: _queue_acknowledgment(case_id))
            transaction.on_commit(lambda: case_filed.send(sender=Case, case_id=case_id))
    logger.info("filing received: %s via %s", docket, received_via)
    return case, access_code


COMMISSION_CHANNELS = frozenset({Case.Channel.COMMISSION, Case.Channel.COURT_ORDER})
LEGACY_CHANNELS = frozenset({Case.Channel.PORTAL, Case.Channel.PAPER, Case.Channel.EMAIL})


def _filing_received_at(
    *,
    filing: FilingInput,
    actor: Actor,
    channel: str,
    received_at: dt.datetime | None,
    originating_petition: Case | None,
    now: dt.datetime,
) -> dt.datetime:
    """The receipt instant by channel: the server's clock, or for paper and email the one
    staff record (by staff with the permission, never in the future)."""
    if originating_petition is not None and channel not in COMMISSION_CHANNELS:
        raise ValidationError(_("Only the commission files a complaint on a petition."))
    if audit.importing():
        # The legacy-import mode (complaints.importing): the receipt instant of the past
        # record, whatever its channel, entered by staff who may record paper filings.
        if channel not in LEGACY_CHANNELS:
            raise ValidationError(
                _("A legacy case was received on the portal, on paper or by email.")
            )
        actor_require(actor, PERM_RECORD_PAPER)
        return _staff_received_at(received_at, now=now)
    if channel == Case.Channel.PORTAL:
        if received_at is not None:
            raise ValidationError(_("A portal filing is received when the server receives it."))
        return now
    if channel in STAFF_CHANNELS:
        actor_require(actor, PERM_RECORD_PAPER)
        return _staff_received_at(received_at, now=now)
    if channel == Case.Channel.INVESTIGATION:
        # An investigative team files when a remedial order failed (investigations.services);
        # received when the server records it, like a portal filing.
        if filing.kind != Case.Kind.COMPLAINT:
            raise ValidationError(_("An investigative team files complaints."))
        return now
    if channel in COMMISSION_CHANNELS:
        if originating_petition is None or filing.kind != Case.Kind.COMPLAINT:
            raise ValidationError(_("Only a complaint on a petition is filed by the commission."))
        return now
    raise ValidationError(_("Unknown channel of receipt."))


def _staff_received_at(received_at: dt.datetime | None, *, now: dt.datetime) -> dt.datetime:
    if received_at is None:
        raise ValidationError(_("Record when the paper or emailed filing was received."))
    if timezone.is_naive(received_at):
        raise ValidationError(_("The receipt time must carry its time zone."))
    if received_at > now:
        raise ValidationError(_("A filing cannot be recorded as received in the future."))
    return received_at


def _case_parties_create(case: Case, filing: FilingInput) -> None:
    """The complainants (pseudonymised in order: A, B, ...) and respondents of a new case."""
    Complainant.objects.bulk_create(
        [
            Complainant(
                case=case,
                kind=c.kind,
                position=position,
                organization_id=_pk(c.organization) if c.kind == "organization" else None,
                name=c.name.strip() if c.kind == "worker" else "",
                contact=c.contact.strip() if c.kind == "worker" else "",
                pseudonym=pseudonym_letter(position - 1),
                identity_withheld=(
                    True
                    if c.kind == "worker"
                    else (c.identity_withheld or filing.withhold_organization_names)
                ),
                user=c.user if _is_authenticated(c.user) else None,
            )
            for position, c in enumerate(filing.complainants, start=1)
        ]
    )
    Respondent.objects.bulk_create(
        [
            Respondent(
                case=case,
                kind=r.kind,
                organization_id=_pk(r.organization) if r.kind != "sector" else None,
                sector_id=_pk(r.sector) if r.kind == "sector" else None,
                name_given="" if r.organization or r.kind == "sector" else r.name_given.strip(),
                country_id=_pk(r.country),
            )
            for r in filing.respondents
        ]
    )


def _case_allegations_create(case: Case, filing: FilingInput) -> None:
    """The numbered allegations of a new case and the criteria each cites."""
    allegations = [
        Allegation(
            case=case,
            number=number,
            summary=a.summary.strip(),
            facts=a.facts.strip(),
            period_start=a.period_start,
            period_end=a.period_end,
            place=a.place.strip(),
            workers_affected=a.workers_affected,
            proposed_standard=a.proposed_standard.strip(),
            flagged_for_deliberation=bool(a.proposed_standard.strip()),
        )
        for number, a in enumerate(filing.allegations, start=1)
    ]
    Allegation.objects.bulk_create(allegations)
    if connection_returns_ids():
        created = allegations
    else:  # pragma: no cover - every supported database returns ids
        created = list(Allegation.objects.filter(case=case).order_by("number"))
    through = Allegation.criteria.through
    through.objects.bulk_create(
        [
            through(allegation_id=allegation.pk, criterion_id=_pk(criterion))
            for allegation, a in zip(created, filing.allegations, strict=True)
            for criterion in a.criteria
        ]
    )


def _queue_acknowledgment(case_id: int) -> None:
    from ..tasks import filing_acknowledge

    filing_acknowledge.delay(case_id)


# --- drafts ------------------------------------------------------------------------------
