"""Reads of tokens: a person's own for one partnership, and the token a request presents."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from api.models import ApiToken
from api.services import hash_secret
from partnership.models import Membership


def tokens_of(membership: Membership) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=membership.user, partnership=membership.partnership)


def token_of(membership: Membership, token_id: int) -> ApiToken:
    """Only the person's own token: anyone else's (even a fellow member's) answers 404."""
    return get_object_or_404(tokens_of(membership), pk=token_id)


def token_for_secret(secret: str) -> ApiToken | None:
    """The token with this secret, with its person and partnership (one query), whatever its state."""
    return ApiToken.objects.select_related("user", "partnership").filter(token_hash=hash_secret(secret)).first()
