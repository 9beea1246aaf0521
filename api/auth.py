"""Who a request is: the personal access token in `Authorization: Bearer <token>`, checked on every request.

Order: a token we know (else 401), within its rate limit (429), not revoked or expired (401), for the partnership
in the address (another partnership's answers 404, as its pages do), held by a current member (403 once the
membership has ended), asking for unsuppressed figures only as a strategic lead (403). Every request with a known
token writes one audit event (who, the token's prefix, the address), never the token itself.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer

from api import ratelimit, selectors
from api.disclosure import Disclosure
from api.models import ApiToken
from api.services import SECRET_MARK
from audit import context as audit_context
from audit.models import AuditEvent
from audit.recorder import record
from partnership.models import Membership
from vawg.client_ip import client_ip

logger = logging.getLogger("api")

# last_used_at is written at most this often a token: it tells its owner whether it is in use, not every call.
LAST_USED_EVERY_SECONDS = 60


class Unauthorized(Exception):
    """401 with a reason the client can act on."""


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"Too many requests: try again in {retry_after} seconds.")
        self.retry_after = retry_after


def wants_unsuppressed(request: HttpRequest) -> bool:
    return request.GET.get("suppressed", "").strip().lower() in {"false", "0", "no", "off"}


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest):
        # Ninja's own reader logs a malformed header in DEBUG, which could write a secret to the log.
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthorized("Send a personal access token: Authorization: Bearer <token>.")
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        found = selectors.token_for_secret(token) if token.startswith(SECRET_MARK) else None
        if found is None:
            logger.warning("API request with an unknown token: %s %s", request.method, request.path)
            # Guessing is limited by address: each wrong guess counts against the limit of a token.
            retry_after = ratelimit.hit(f"unknown-token:{client_ip(request)}")
            if retry_after is not None:
                raise RateLimited(retry_after)
            raise Unauthorized("This token is not valid.")
        retry_after = ratelimit.hit(f"token:{found.pk}")
        if retry_after is not None:
            raise RateLimited(retry_after)
        if found.is_revoked or found.is_expired or not found.user.is_active:
            reason = "revoked" if found.is_revoked else "expired" if found.is_expired else "account disabled"
            _audit(request, found, AuditEvent.Action.ACCESS_REFUSED, f"token {reason}")
            raise Unauthorized(f"This token is {reason}." if reason != "account disabled" else "This account is off.")
        slug = request.resolver_match.kwargs.get("partnership_slug") if request.resolver_match else None
        if slug != found.partnership.slug:
            _audit(request, found, AuditEvent.Action.ACCESS_REFUSED, "another partnership")
            raise HttpError(404, "Not found.")
        membership = (
            Membership.objects.select_related("partnership", "user")
            .filter(user=found.user, partnership=found.partnership)
            .first()
        )
        if membership is None:
            _audit(request, found, AuditEvent.Action.ACCESS_REFUSED, "no longer a member")
            raise HttpError(403, "The token's owner is no longer a member of this partnership.")
        unsuppressed = wants_unsuppressed(request)
        if unsuppressed and not membership.is_strategic_lead:
            _audit(request, found, AuditEvent.Action.ACCESS_REFUSED, "unsuppressed figures asked by a non-lead")
            raise HttpError(403, "Only the partnership's strategic leads may read unsuppressed figures.")
        now = timezone.now()
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > LAST_USED_EVERY_SECONDS:
            # update(): bookkeeping, not a change anyone made, so not an audit event of its own.
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        _audit(request, found, AuditEvent.Action.API_READ, "unsuppressed figures" if unsuppressed else "")
        request.partnership = membership.partnership
        request.membership = membership
        request.disclosure = Disclosure.for_partnership(membership.partnership, suppressed=not unsuppressed)
        return found


def _audit(request: HttpRequest, token: ApiToken, action: str, note: str) -> None:
    detail = f"token {token.prefix}: {request.method} {request.get_full_path()}"
    with audit_context.acting(source=AuditEvent.Source.API, actor=token.user, actor_label=token.user.get_username()):
        record(
            action=action,
            actor=token.user,
            partnership_id=token.partnership_id,
            detail=f"{detail} ({note})" if note else detail,
        )
