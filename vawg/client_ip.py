"""The client's address: the one place that reads REMOTE_ADDR and X-Forwarded-For.

Sign-in throttling (django-axes, through AXES_CLIENT_IP_CALLABLE), the audit log and the password-reset throttle
all ask this function, so they agree on who is asking.

With TRUSTED_PROXY_COUNT = 0 the application is reached directly: REMOTE_ADDR is the client and X-Forwarded-For is
whatever the client chose to send, so it is ignored. With N trusted proxies in front, each proxy appends the address
it received the request from, so the right-most N entries were written by our own proxies and the N-th from the
right is the client as the outermost proxy saw it. Entries further left came from the client and may be forged.
"""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings

logger = logging.getLogger(__name__)


def _address(value: str) -> str | None:
    """A bare IPv4 or IPv6 address from a header entry ("203.0.113.7", "203.0.113.7:5123", "[2001:db8::1]:443")."""
    value = value.strip()
    candidates = [value]
    if value.startswith("[") and "]" in value:
        candidates.append(value[1 : value.index("]")])
    elif value.count(":") == 1:
        candidates.append(value.split(":", 1)[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def client_ip(request) -> str | None:
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    # Several X-Forwarded-For headers reach WSGI joined by commas, in order, so one split reads them all.
    forwarded = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if len(forwarded) < proxies:
        # Fewer entries than proxies: the request did not come through them all (or they are misconfigured).
        # The connecting address is the only one nobody could have forged.
        logger.warning(
            "X-Forwarded-For has %d entries but TRUSTED_PROXY_COUNT is %d; using REMOTE_ADDR", len(forwarded), proxies
        )
        return remote
    client = _address(forwarded[-proxies])
    if client is None:
        logger.warning("X-Forwarded-For entry %r is not an address; using REMOTE_ADDR", forwarded[-proxies][:100])
        return remote
    return client
