"""Writes of personal access tokens: created (the secret returned once, only its hash kept) and revoked."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from api.models import ApiToken
from partnership.models import Membership

# "vawg_" marks the secret as ours (secret scanners can be taught it); 32 random bytes make 43 characters.
SECRET_MARK = "vawg_"
PREFIX_LENGTH = len(SECRET_MARK) + 8


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return SECRET_MARK + secrets.token_urlsafe(32)


@transaction.atomic
def token_create(*, membership: Membership, name: str, days: int) -> tuple[ApiToken, str]:
    """A token for the member's partnership, valid `days` days (1 to API_TOKEN_MAX_DAYS). Returns it with its
    secret, which is never stored and cannot be shown again."""
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValidationError({"days": f"A token lasts from 1 to {settings.API_TOKEN_MAX_DAYS} days."})
    secret = new_secret()
    token = ApiToken(
        partnership=membership.partnership,
        user=membership.user,
        name=name.strip(),
        prefix=secret[:PREFIX_LENGTH],
        token_hash=hash_secret(secret),
        expires_at=timezone.now() + timedelta(days=days),
    )
    token.full_clean()
    token.save()
    return token, secret


@transaction.atomic
def token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoked at once and for good: the next request with it answers 401."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
