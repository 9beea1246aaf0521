"""Imports too large for a web request: checked, and once confirmed imported, by the task runner.

A web request reads an upload with `vawg.tabular.INLINE_LIMITS` (a few seconds of work at most). A file over
them but within the hard limits is kept as a `PendingUpload` in the CHECKING state and handed to the task runner;
the person follows it on one status page (`partnership:upload`), which shows the check's summary or its problems,
and confirms or cancels there. Each data kind brings its own `Handler`, registered from its app's `ready()`, so
the check and the import run the same code, with the same validation, as the kind's own page and command.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Protocol

from django.db import transaction

from audit.context import acting
from partnership.models import Membership, Partnership, PendingUpload
from partnership.services import pending_upload_create, pending_upload_update
from vawg import tabular
from vawg.tabular import COMMAND_LIMITS, OverRequestLimits, Table, TabularError, read_table

logger = logging.getLogger(__name__)

# The first problems are shown; a file with thousands of them needs fixing before the rest matter.
MAX_ERRORS_SHOWN = 200
DONE = {"check": "checked", "apply": "imported"}


@dataclass
class Outcome:
    """What a check or an import found: `ok`, the lines that summarise it, the problems, what to keep for the
    next step (`payload`), and where the person goes next (`next_url`: the data, or the kind's next step)."""

    ok: bool
    summary: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    payload: dict | None = None
    next_url: str = ""
    # False when the check is the last step here (the kind continues on its own page, at `next_url`).
    confirm: bool = True


class Handler(Protocol):
    title: str  # "MARAC returns", for the status page

    def permitted(self, membership: Membership) -> bool: ...

    def start_url(self, upload: PendingUpload) -> str: ...

    def check(self, upload: PendingUpload) -> Outcome: ...

    def apply(self, upload: PendingUpload) -> Outcome: ...


class KeptFileHandler:
    """The one handler of a kept file, for every kind: a kind gives its `title`, the `headings` its heading row is
    found by, `start_url`, `done_url` and `run` (a check or an import of the kept file as its person, the same code
    its page and command run); it may add to the check's payload (`payload`), which by default keeps what the
    preview was compared with."""

    title = ""
    headings: Collection[str] | None = None

    def permitted(self, membership: Membership) -> bool:
        return membership.is_strategic_lead

    def start_url(self, upload: PendingUpload) -> str:
        raise NotImplementedError

    def done_url(self, upload: PendingUpload, result) -> str:
        raise NotImplementedError

    def run(self, upload: PendingUpload, *, dry_run: bool):
        """The kind's check (dry run) or import of the kept file: an `ImportResult`."""
        raise NotImplementedError

    def table(self, upload: PendingUpload) -> Table:
        """The kept file's rows, read as a command reads them, with the headings the person's columns name."""
        mapping = upload.params.get("mapping") or {}
        headings = None if self.headings is None else [*self.headings, *mapping.values()]
        return read_table(bytes(upload.content), filename=upload.filename, limits=COMMAND_LIMITS, headings=headings)

    def payload(self, upload: PendingUpload, result) -> dict:
        return result.preview_state

    def finished_at_check(self, upload: PendingUpload, result) -> Outcome | None:
        """An outcome that ends the import at its check (a file that changes nothing, say), if any."""
        return None

    def check(self, upload: PendingUpload) -> Outcome:
        try:
            result = self.run(upload, dry_run=True)
        except TabularError as error:
            return Outcome(ok=False, errors=[str(error)])
        finished = self.finished_at_check(upload, result)
        if finished is not None:
            return finished
        return Outcome(
            ok=result.ok,
            summary=result.summary_lines(),
            errors=result.errors.messages(),
            payload=self.payload(upload, result),
        )

    def apply(self, upload: PendingUpload) -> Outcome:
        result = self.run(upload, dry_run=False)
        return Outcome(
            ok=result.ok,
            summary=result.summary_lines(),
            errors=result.errors.messages(),
            next_url=self.done_url(upload, result),
        )


_handlers: dict[str, Handler] = {}


def register(kind: str, handler: Handler) -> None:
    """`kind` is the part of `PendingUpload.kind` before any colon ("marac", "consultation-results")."""
    _handlers[kind] = handler


def handler_for(upload: PendingUpload) -> Handler:
    return _handlers[upload.kind.split(":", 1)[0]]


def check_in_background(
    *, partnership: Partnership, user, kind: str, filename: str, content: bytes, params: dict | None = None
) -> PendingUpload:
    """Keep the file and queue its check; the person follows it at `partnership:upload`."""
    from partnership.tasks import check_upload

    pending = pending_upload_create(
        partnership=partnership,
        user=user,
        kind=kind,
        filename=filename,
        content=content,
        params=params,
        state=PendingUpload.State.CHECKING,
    )
    check_upload.enqueue(pending.pk)
    return pending


def apply_in_background(upload: PendingUpload) -> bool:
    """Queue the import of a checked file. False if it is not waiting for confirmation (confirmed twice, say)."""
    from partnership.tasks import apply_upload

    claimed = PendingUpload.objects.filter(pk=upload.pk, state=PendingUpload.State.READY).update(
        state=PendingUpload.State.IMPORTING
    )
    if claimed:
        apply_upload.enqueue(upload.pk)
    return bool(claimed)


def run(upload_id: int, step: str) -> None:
    """The task runner's side: run the kind's check or import, and record its outcome on the upload."""
    busy = PendingUpload.State.CHECKING if step == "check" else PendingUpload.State.IMPORTING
    upload = PendingUpload.objects.select_related("partnership", "user").filter(pk=upload_id, state=busy).first()
    if upload is None:
        return  # cancelled, purged, or already run by another worker
    handler = handler_for(upload)
    user = upload.user
    # What the import writes is attributed to the person who confirmed it, as if done in their browser.
    with acting(source="web", actor=user, actor_label=user.get_username(), partnership_id=upload.partnership_id):
        try:
            outcome = handler.check(upload) if step == "check" else handler.apply(upload)
        except Exception as error:  # recorded for the person; the traceback goes to the log
            logger.exception("Import %s of upload %s failed", step, upload_id)
            outcome = Outcome(
                ok=False, errors=[f"The file could not be {DONE[step]} ({type(error).__name__}). The error is logged."]
            )
    _record(upload, step, outcome)


@transaction.atomic
def _record(upload: PendingUpload, step: str, outcome: Outcome) -> None:
    state = PendingUpload.State
    if step == "check":
        new_state = state.READY if outcome.ok else state.INVALID
    else:
        new_state = state.IMPORTED if outcome.ok else state.INVALID
    fields = {
        "state": new_state,
        "outcome": {
            "summary": outcome.summary,
            "errors": outcome.errors[:MAX_ERRORS_SHOWN],
            "error_count": len(outcome.errors),
            "next_url": outcome.next_url,
            "confirm": outcome.confirm,
        },
    }
    if outcome.payload is not None:
        fields["payload"] = outcome.payload
    if new_state != state.READY or not outcome.confirm:
        fields["content"] = b""  # nothing more will read the file: do not keep it
    PendingUpload.objects.filter(pk=upload.pk).update(**fields)


# --- The import pages' two checks, the same for every kind read through a resource ---------------------------------


@dataclass
class Checked:
    """A file checked on its import page (nothing written): the kept upload, the dry run's result and the table."""

    pending: PendingUpload
    result: object
    table: Table


def check_file(*, partnership: Partnership, user, kind: str, resource, upload) -> Checked | PendingUpload:
    """Check an uploaded file with `resource` (a dry run) and keep it for the confirmation, even with problems (a
    column read from the wrong heading is corrected on the page). A file too large for a request is kept and checked
    by the task runner instead: the PendingUpload returned then is followed at `partnership:upload`. A file that
    cannot be read raises TabularError."""
    try:
        table = read_table(upload, limits=tabular.INLINE_LIMITS, headings=resource.known_headings())
    except OverRequestLimits:
        upload.seek(0)
        return check_in_background(
            partnership=partnership, user=user, kind=kind, filename=upload.name, content=upload.read()
        )
    result = resource(partnership, user=user).run(table, dry_run=True)
    upload.seek(0)
    pending = pending_upload_create(
        partnership=partnership,
        user=user,
        kind=kind,
        filename=upload.name,
        content=upload.read(),
        params={"mapping": result.mapping},
        payload=result.preview_state,
    )
    return Checked(pending, result, table)


def check_again(*, partnership: Partnership, pending: PendingUpload, resource, posted, user) -> Checked:
    """Check a kept file again with the columns the person matched to headings on the page."""
    from partnership.forms import ColumnMappingForm

    table = handler_for(pending).table(pending)
    mapping = ColumnMappingForm.posted(posted, columns=resource.columns(), headings=table.headings)
    result = resource(partnership, user=user).run(table, dry_run=True, mapping=mapping)
    pending_upload_update(pending, params={"mapping": result.mapping}, payload=result.preview_state)
    return Checked(pending, result, table)
