"""Personal API tokens: issued (shown once, stored as their SHA-256), revoked, and
authenticated.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ApiToken
from ._common import logger

if TYPE_CHECKING:
    from django.contrib.auth.models import User


API_TOKEN_PREFIX = "lrc_"  # noqa: S105 - a marker, not a secret  # nosec B105


def _token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_issue(
    *, user: User, actor: User, name: str, days: int | None = None, revoke_others: bool = False
) -> tuple[ApiToken, str]:
    """A new personal API token for `user`; returns the row and the token itself, which is
    shown once and stored only as its SHA-256. Staff issue tokens to anyone; an account may
    issue its own only where a door allows it (the team workspace). `revoke_others` revokes
    the account's earlier tokens in the same transaction."""
    if actor.pk != user.pk and not (actor.is_active and actor.is_staff):
        raise PermissionDenied(_("Only staff issue API tokens to other accounts."))
    if not user.is_active:
        raise ValidationError(_("The account is inactive."))
    days = days if days is not None else settings.API_TOKEN_DAYS
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValidationError(
            _("A token lasts from 1 to %(max)d days.") % {"max": settings.API_TOKEN_MAX_DAYS}
        )
    raw = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        if revoke_others:
            ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            prefix=raw[:12],
            digest=_token_digest(raw),
            created_by=actor,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    logger.info("API token %s issued to account %s", token.prefix, user.pk)
    return token, raw


def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """Revoke a token (at once: the next request with it answers 401)."""
    if actor.pk != token.user_id and not (actor.is_active and actor.is_staff):
        raise PermissionDenied(_("Only staff revoke other accounts' API tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=token.revoked_at
        )
        logger.info("API token %s revoked", token.prefix)
    return token


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """The active token whose SHA-256 matches `raw` (None otherwise), its last-used time
    refreshed at most once a minute (so reading the API does not write on every request)."""
    if not raw.startswith(API_TOKEN_PREFIX) or len(raw) > 100:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_token_digest(raw), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
