"""The optional read replica (`DATABASE_REPLICA_URL`): used only where code asks for it with `use_replica()`.

A replica lags behind the primary, by milliseconds or by minutes. Someone who saves a progress update and sees the
page without it would think it lost, so every ordinary request reads the primary. Read-only heavy work that can
stand a little lag (a draft report written to a file on the command line) opts in:

    with use_replica():
        built = builder.build(report, draft=True)

Even then, reads inside a transaction on the primary stay on the primary (they may lock rows or need to see the
transaction's own writes), and every write goes to the primary. Without a replica, `use_replica()` changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)


@contextmanager
def use_replica() -> Iterator[None]:
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


@contextmanager
def use_primary() -> Iterator[None]:
    """Reads from the primary even inside `use_replica`: for work that follows a write and must see it."""
    token = _reading_from_replica.set(False)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


def replica_in_use() -> bool:
    """Whether a read here would go to the replica."""
    return (
        _reading_from_replica.get()
        and REPLICA in connections.settings
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
    )


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        # Always an answer: otherwise Django would follow an object read from the replica back to the replica.
        return REPLICA if replica_in_use() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # The same rows either way.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints) -> bool:
        # The replica gets its tables by replication.
        return db == DEFAULT_DB_ALIAS
