from datetime import timedelta

from django.utils import timezone

from api.models import ApiToken
from api.services import token_create
from partnership.models import Membership


def token_for(user, partnership, *, days: int = 30, **changes) -> tuple[ApiToken, str]:
    """A token of the user's membership, and its secret; `changes` are written over it (expires_at, revoked_at)."""
    membership = Membership.objects.get(user=user, partnership=partnership)
    token, secret = token_create(membership=membership, name="Power BI", days=days)
    if changes:
        ApiToken.objects.filter(pk=token.pk).update(**changes)
        token.refresh_from_db()
    return token, secret


def expired_token_for(user, partnership) -> tuple[ApiToken, str]:
    return token_for(user, partnership, expires_at=timezone.now() - timedelta(seconds=1))
