"""Forcing interleavings on PostgreSQL: threads with their own connections, stopped at chosen SQL statements.

A `Worker` runs a function in a thread (so on its own database connection, closed when it ends). A `Pause`
stops the worker just before or after the first statement matching a pattern, holding whatever its transaction
has locked, until the test releases it. `wait_until_blocked` returns once PostgreSQL reports one worker waiting
for another's lock (pg_blocking_pids), so a test steps through an interleaving without sleeping and hoping.
Every wait is bounded: a deadlock or a lost wake-up fails the test after TIMEOUT seconds instead of hanging.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable

from django.db import connection

TIMEOUT = 10.0


class Pause:
    """Stops a worker at the first statement matching `pattern` (after it ran, or `before=True`)."""

    def __init__(self, pattern: str, *, before: bool = False):
        self.pattern = re.compile(pattern)
        self.before = before
        self.reached = threading.Event()
        self.released = threading.Event()

    def __call__(self, execute, sql, params, many, context):
        hit = not self.reached.is_set() and self.pattern.search(sql) is not None
        if hit and self.before:
            self._stop()
        result = execute(sql, params, many, context)
        if hit and not self.before:
            self._stop()
        return result

    def _stop(self) -> None:
        self.reached.set()
        if not self.released.wait(TIMEOUT):
            raise AssertionError(f"Paused at /{self.pattern.pattern}/ and never released.")

    def release(self) -> None:
        self.released.set()


class Worker(threading.Thread):
    """`target()` in a thread of its own; `outcome()` joins it and returns its result or raises its exception."""

    def __init__(self, target: Callable, *, name: str, pause: Pause | None = None):
        super().__init__(name=name, daemon=True)
        self.target, self.pause = target, pause
        self.pid: int | None = None
        self.connected = threading.Event()
        self.result = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.connected.set()
            if self.pause is None:
                self.result = self.target()
            else:
                with connection.execute_wrapper(self.pause):
                    self.result = self.target()
        except BaseException as error:  # handed to the test by outcome()
            self.error = error
        finally:
            self.connected.set()
            connection.close()

    def start_and_connect(self) -> Worker:
        self.start()
        if not self.connected.wait(TIMEOUT):
            raise AssertionError(f"{self.name} did not connect.")
        return self

    def paused(self) -> Worker:
        """Wait until the worker stands at its pause; raises if it finished (or failed) before reaching it."""
        deadline = time.monotonic() + TIMEOUT
        while not self.pause.reached.wait(0.005):
            if not self.is_alive():
                self.outcome()
                raise AssertionError(f"{self.name} finished without reaching /{self.pause.pattern.pattern}/.")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} did not reach /{self.pause.pattern.pattern}/.")
        return self

    def outcome(self):
        self.join(TIMEOUT)
        if self.is_alive():
            raise AssertionError(f"{self.name} was still running after {TIMEOUT:.0f}s: deadlocked or never released.")
        if self.error is not None:
            raise self.error
        return self.result


def wait_until_blocked(waiter: Worker, *, by: Worker) -> None:
    """Return once PostgreSQL says `waiter` is waiting for a lock that `by` holds."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if not waiter.is_alive():
            waiter.outcome()
            raise AssertionError(f"{waiter.name} did not wait for {by.name}: it finished while {by.name} was open.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s = ANY(pg_blocking_pids(%s))", [by.pid, waiter.pid])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.005)
    raise AssertionError(f"{waiter.name} was never seen waiting for {by.name}.")


class Workers:
    """Starts workers for one test and, however the test ends, releases and joins them all."""

    def __init__(self):
        self.started: list[Worker] = []

    def start(self, target: Callable, *, name: str, pause: Pause | None = None) -> Worker:
        worker = Worker(target, name=name, pause=pause)
        self.started.append(worker)
        return worker.start_and_connect()

    def stop_all(self) -> None:
        for worker in self.started:
            if worker.pause is not None:
                worker.pause.release()
        for worker in self.started:
            worker.join(TIMEOUT)
        running = [w.name for w in self.started if w.is_alive()]
        assert not running, f"Threads still running after the test: {running}"
