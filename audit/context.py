"""Who is acting, for the audit log: set per request by middleware and per command by manage.py."""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class AuditContext:
    source: str = "system"
    actor: object | None = None  # a User, or None
    actor_label: str = "system"
    partnership_id: int | None = None
    request_path: str = ""
    ip_address: str | None = None


# AuditContext is frozen, so sharing one default instance is safe.
_current: contextvars.ContextVar[AuditContext] = contextvars.ContextVar("audit_context", default=AuditContext())  # noqa: B039


def current() -> AuditContext:
    return _current.get()


@contextmanager
def acting(**values):
    token = _current.set(replace(_current.get(), **values))
    try:
        yield
    finally:
        _current.reset(token)


def set_partnership(partnership_id: int) -> None:
    """Called by the access layer once it knows which partnership a request is about."""
    _current.set(replace(_current.get(), partnership_id=partnership_id))
