"""Writes the audit log: every create, change and delete of the partnership's data, whoever makes it.

Model signals catch every `save()` and `delete()`, from the browser, imports and commands alike. Bulk writes skip
the signals: write them with `audited_bulk_create` and `audited_bulk_update`, which record each row's before and
after in bulk, and name the file of an import with `record_import()`.
Failed sign-ins and refused access are recorded too.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import cache

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import connections, models, router
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal
from django.utils import timezone

from audit import context
from audit.models import AuditEvent

logger = logging.getLogger("audit")

AUDITED_APPS = {"partnership", "actions", "referrals", "consultations", "activity", "reports", "api"}
SECRET_FIELDS = {"password"}
# Fields whose words may identify a survivor before the redaction check: the log says they changed, never what
# they said, or the log would keep a name the lead has since edited out of a quote.
SECRET_FIELDS_BY_MODEL = {"consultations.Quote": {"text", "flags"}, "api.ApiToken": {"token_hash"}}
# Bookkeeping that changes on every sign-in or save and says nothing about the data.
IGNORED_FIELDS = {"last_login", "version", "updated_at", "modified_at"}

# Bookkeeping records that hold no decision of anyone's: an import waiting for confirmation keeps the uploaded file
# (survivors' data, megabytes) only until the import, which is itself recorded row by row.
NOT_AUDITED = {"partnership.PendingUpload", "partnership.ChartDrawing"}

_partnership_paths: dict[type, list[str] | None] = {}

# Sent once for each change recorded (a save, a delete, a bulk write, an import), with `object_type` (the model's
# label, "" for an import's event) and `partnership_ids`: what depends on a partnership's records (its stored
# charts) learns of every change, whatever path made it, in the one place every change already passes.
changed = Signal()
# The events that change a partnership's records; a sign-in, a refusal or an API read changes nothing.
CHANGES = {AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE, AuditEvent.Action.DELETE, AuditEvent.Action.IMPORT}


def _json_value(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return str(value)


@cache
def _fields(model: type[models.Model]) -> list[models.Field]:
    # Once a model: a bulk write reads every row's values through it.
    return [f for f in model._meta.concrete_fields if f.name not in IGNORED_FIELDS]


def _values(instance: models.Model) -> dict:
    values = {}
    for field in _fields(type(instance)):
        value = getattr(instance, field.attname)
        if isinstance(field, models.FileField):
            value = value.name if value else ""
        values[field.attname] = _json_value(value)
    return values


def _masked(changes: dict, model: type[models.Model]) -> dict:
    """Secrets are compared but never written: the log says a password or a quote changed, not what to."""
    secret = SECRET_FIELDS | SECRET_FIELDS_BY_MODEL.get(model._meta.label, set())
    if secret.isdisjoint(changes):
        return changes
    return {
        name: (["(secret)" if pair[0] else None, "(changed)" if pair[1] else None] if name in secret else pair)
        for name, pair in changes.items()
    }


def _partnership_path(model: type[models.Model]) -> list[str] | None:
    """The chain of foreign keys from a model to its Partnership, found once per model."""
    if model in _partnership_paths:
        return _partnership_paths[model]
    partnership_model = apps.get_model("partnership", "Partnership")
    path = None
    frontier: list[tuple[type, list[str]]] = [(model, [])]
    for _depth in range(4):
        next_frontier = []
        for current, trail in frontier:
            for field in current._meta.concrete_fields:
                if not isinstance(field, models.ForeignKey):
                    continue
                if field.related_model is partnership_model:
                    path = [*trail, field.name]
                    break
                if field.related_model is not current and field.related_model._meta.app_label in AUDITED_APPS:
                    next_frontier.append((field.related_model, [*trail, field.name]))
            if path:
                break
        if path:
            break
        frontier = next_frontier
    _partnership_paths[model] = path
    return path


def _partnership_id(instance: models.Model) -> int | None:
    if type(instance).__name__ == "Partnership" and instance._meta.app_label == "partnership":
        return instance.pk
    path = _partnership_path(type(instance))
    if path:
        target = instance
        for name in path[:-1]:
            target = getattr(target, name, None)
            if target is None:
                break
        else:
            return getattr(target, f"{path[-1]}_id", None)
    return context.current().partnership_id


def _describe(obj: models.Model | None) -> str:
    if obj is None:
        return ""
    if obj._meta.label in SECRET_FIELDS_BY_MODEL:  # its str() would show the secret words
        return f"{obj._meta.verbose_name} {obj.pk}"
    return str(obj)[:300]


def _event(
    *,
    action: str,
    obj: models.Model | None = None,
    changes: dict | None = None,
    detail: str = "",
    partnership_id: int | None = None,
    actor=None,
    actor_label: str | None = None,
) -> AuditEvent:
    ctx = context.current()
    actor = actor if actor is not None else ctx.actor
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent(
        actor=actor,
        actor_label=actor_label or (actor.get_username() if actor is not None else ctx.actor_label),
        partnership_id=partnership_id
        if partnership_id is not None
        else (_partnership_id(obj) if obj is not None else ctx.partnership_id),
        source=ctx.source,
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=_describe(obj),
        changes=changes or {},
        detail=detail[:500],
        request_path=ctx.request_path[:300],
        ip_address=ctx.ip_address,
    )


def record(**event) -> AuditEvent:
    """One event, written now: `action`, and optionally `obj`, `changes`, `detail`, `partnership_id`, `actor`,
    `actor_label`."""
    instance = _event(**event)
    instance.save()
    if instance.partnership_id is not None and instance.action in CHANGES:
        changed.send(AuditEvent, object_type=instance.object_type, partnership_ids={instance.partnership_id})
    return instance


def audited_bulk_create(
    model: type[models.Model], objs: Iterable[models.Model], *, partnership_id: int | None = None, **kwargs
) -> list[models.Model]:
    """`bulk_create`, with a create event for each row. Give `partnership_id` when every row belongs to one
    partnership: it spares a walk up each row's foreign keys."""
    created = model.objects.bulk_create(list(objs), **kwargs)
    if _audited(model) and created:
        items = []
        for obj in created:
            changes = {name: [None, value] for name, value in _values(obj).items() if value not in (None, "")}
            items.append((obj, _masked(changes, model)))
        _write_bulk_events(model, AuditEvent.Action.CREATE, items, partnership_id)
    return created


def audited_bulk_update(
    model: type[models.Model],
    objs: Sequence[models.Model],
    fields: Sequence[str],
    *,
    partnership_id: int | None = None,
    split_uniform: bool = False,
    **kwargs,
) -> int:
    """`bulk_update`, with an update event for each row that changed: before is read from the database in one query
    first (the rows are normally locked by the caller's transaction), after is what is written.

    `split_uniform`: the fields holding one value on every row (who saved, when, a status) are written with one
    plain UPDATE, and only the others with bulk_update's CASE per row, which costs time per row and field."""
    objs = list(objs)
    if not objs:
        return 0
    if not _audited(model):
        return model.objects.bulk_update(objs, fields, **kwargs)
    attnames = [model._meta.get_field(name).attname for name in fields]
    audited = [name for name in attnames if name not in IGNORED_FIELDS]
    before = {
        row["pk"]: row for row in model._base_manager.filter(pk__in=[obj.pk for obj in objs]).values("pk", *audited)
    }
    if split_uniform:
        uniform = {
            attname: getattr(objs[0], attname)
            for attname in attnames
            if all(getattr(obj, attname) == getattr(objs[0], attname) for obj in objs)
        }
        varying = [name for name, attname in zip(fields, attnames, strict=True) if attname not in uniform]
        updated = model.objects.bulk_update(objs, varying, **kwargs) if varying else len(objs)
        if uniform:
            model._base_manager.filter(pk__in=[obj.pk for obj in objs]).update(**uniform)
    else:
        updated = model.objects.bulk_update(objs, fields, **kwargs)
    items = []
    for obj in objs:
        old = before.get(obj.pk, {})
        changes = {}
        for name in audited:
            old_value, new_value = _json_value(old.get(name)), _json_value(getattr(obj, name))
            if old_value != new_value:
                changes[name] = [old_value, new_value]
        if changes:
            items.append((obj, _masked(changes, model)))
    _write_bulk_events(model, AuditEvent.Action.UPDATE, items, partnership_id)
    return updated


def _load_related(model: type[models.Model], objs: list[models.Model]) -> None:
    """Each event names its record (`str()`), which often reads a foreign key (an update's action and group): load
    them for the whole batch in one query per key, instead of one per row."""
    names = [field.name for field in model._meta.concrete_fields if isinstance(field, models.ForeignKey)]
    if objs and names:
        models.prefetch_related_objects(objs, *names)


# The columns of a bulk write's events, in the order `_insert_events` writes them.
_EVENT_COLUMNS = (
    ("occurred_at", "timestamptz"),
    ("actor_id", "integer"),
    ("actor_label", "text"),
    ("partnership_id", "integer"),
    ("source", "text"),
    ("action", "text"),
    ("object_type", "text"),
    ("object_id", "text"),
    ("object_repr", "text"),
    ("changes", "jsonb"),
    ("detail", "text"),
    ("request_path", "text"),
    ("ip_address", "inet"),
)


def _write_bulk_events(
    model: type[models.Model], action: str, items: list[tuple[models.Model, dict]], partnership_id: int | None
) -> None:
    """The events of one bulk write: who, where from and when are the same for every row, so they are worked out
    once; each row adds only what it changed and which record it is."""
    if not items:
        return
    _load_related(model, [obj for obj, _changes in items])
    ctx = context.current()
    actor = ctx.actor if getattr(ctx.actor, "is_authenticated", False) else None
    shared = {
        "occurred_at": timezone.now(),
        "actor_id": actor.pk if actor is not None else None,
        "actor_label": actor.get_username() if actor is not None else ctx.actor_label,
        "source": ctx.source,
        "action": action,
        "object_type": model._meta.label,
        "detail": "",
        "request_path": ctx.request_path[:300],
        "ip_address": ctx.ip_address,
    }
    rows = [
        {
            **shared,
            "partnership_id": partnership_id if partnership_id is not None else _partnership_id(obj),
            "object_id": str(obj.pk) if obj.pk is not None else "",
            "object_repr": _describe(obj),
            "changes": changes,
        }
        for obj, changes in items
    ]
    _insert_events(rows)
    partnership_ids = {row["partnership_id"] for row in rows} - {None}
    if partnership_ids:
        changed.send(AuditEvent, object_type=model._meta.label, partnership_ids=partnership_ids)


def _insert_events(rows: list[dict]) -> None:
    """Writes events in batches of 1,000. On PostgreSQL each batch is one statement with one parameter, the batch as
    JSON, which the database unpacks into rows: the ORM would prepare 13 values a row in Python, which made the
    audit log cost three times the write it records. Elsewhere, the ORM's `bulk_create`."""
    connection = connections[router.db_for_write(AuditEvent)]
    if connection.vendor != "postgresql":
        AuditEvent.objects.bulk_create([AuditEvent(**row) for row in rows], batch_size=1000)
        return
    names = ", ".join(name for name, _type in _EVENT_COLUMNS)
    record_type = ", ".join(f"{name} {type_}" for name, type_ in _EVENT_COLUMNS)
    sql = (
        f"INSERT INTO {AuditEvent._meta.db_table} ({names}) "  # noqa: S608 (names from the code, values bound)
        f"SELECT {names} FROM jsonb_to_recordset(%s::jsonb) AS event({record_type})"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            cursor.execute(sql, [json.dumps(rows[start : start + 1000], default=_json_value)])


def record_import(*, partnership, what: str, filename: str, counts: dict[str, int]) -> AuditEvent:
    """For importers that write with bulk_create/update: one event naming the file and what it changed."""
    summary = ", ".join(f"{name} {count}" for name, count in counts.items())
    return record(
        action=AuditEvent.Action.IMPORT,
        partnership_id=partnership.pk,
        detail=f"{what} from {filename}: {summary}",
        changes={"counts": counts, "file": filename},
    )


def _audited(sender) -> bool:
    if sender._meta.label in NOT_AUDITED:
        return False
    return sender._meta.app_label in AUDITED_APPS or sender is get_user_model()


def audited_object_types() -> list[tuple[str, str]]:
    """(`AuditEvent.object_type`, its name for people) of every kind of record the log can name, for the log's
    filter: known from the code, so the log page never scans a partnership's whole log to list them."""
    kinds = [(model._meta.label, str(model._meta.verbose_name)) for model in apps.get_models() if _audited(model)]
    return sorted(((label, name[:1].upper() + name[1:]) for label, name in kinds), key=lambda kind: kind[1])


def _before_save(sender, instance, raw=False, using=None, **kwargs):
    if raw or not _audited(sender) or instance.pk is None:
        return
    # From the database being written, never a lagging read replica (vawg.db_router).
    before = sender._base_manager.using(using).filter(pk=instance.pk).first()
    instance._audit_before = _values(before) if before is not None else None


def _after_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _audited(sender):
        return
    after = _values(instance)
    before = None if created else getattr(instance, "_audit_before", None)
    instance.__dict__.pop("_audit_before", None)
    if before is None:
        changes = {name: [None, value] for name, value in after.items() if value not in (None, "")}
        action = AuditEvent.Action.CREATE
    else:
        changes = {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}
        action = AuditEvent.Action.UPDATE
        if not changes:
            return
    record(action=action, obj=instance, changes=_masked(changes, sender))


def _after_delete(sender, instance, **kwargs):
    if not _audited(sender):
        return
    values = _values(instance)
    record(
        action=AuditEvent.Action.DELETE,
        obj=instance,
        changes=_masked({k: [v, None] for k, v in values.items()}, sender),
    )


def _signed_in(sender, request, user, **kwargs):
    record(action=AuditEvent.Action.SIGN_IN, actor=user, partnership_id=None)


def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(action=AuditEvent.Action.SIGN_OUT, actor=user, partnership_id=None)


def _sign_in_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    logger.warning("Failed sign-in for %r", username)
    record(action=AuditEvent.Action.SIGN_IN_FAILED, actor_label=f"{username} (not signed in)", detail=username)


def access_refused(*, request, reason: str) -> None:
    user = getattr(request, "user", None)
    logger.warning("Access refused: %s %s by %s (%s)", request.method, request.path, user, reason)
    record(action=AuditEvent.Action.ACCESS_REFUSED, detail=f"{request.method} {request.path}: {reason}")


def connect() -> None:
    pre_save.connect(_before_save, dispatch_uid="audit_pre_save")
    post_save.connect(_after_save, dispatch_uid="audit_post_save")
    post_delete.connect(_after_delete, dispatch_uid="audit_post_delete")
    user_logged_in.connect(_signed_in, dispatch_uid="audit_signed_in")
    user_logged_out.connect(_signed_out, dispatch_uid="audit_signed_out")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="audit_sign_in_failed")
