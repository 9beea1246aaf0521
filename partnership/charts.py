"""The one chart pipeline's storing half: each partnership's charts are drawn when their data changes, by the task
runner, and kept with the storage backend (`ChartDrawing`), so pages only read them and every server shows the same
drawings. `vawg.charts` draws; this module decides when, and where the drawings live.

An app that shows charts registers a provider in its AppConfig.ready: the models its charts are drawn from and a
function listing every chart it shows for a partnership (`register`). Any change to one of those models, whatever
path made it (a page, an import, a command, the admin, a bulk write), reaches `audit.recorder.changed`; once the
change commits, the task runner draws that provider's charts which are not stored yet and deletes the ones it no
longer shows. A page asks `charts_for` for the charts it shows: the stored ones come back by address, and one not
drawn yet (the task has not run) is drawn for that view alone, never stored by a GET.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from audit.recorder import changed
from partnership.models import ChartDrawing, Partnership
from vawg.db_router import use_primary

if TYPE_CHECKING:  # vawg.charts loads matplotlib: only the processes that draw or show a chart load it
    from vawg.charts import Chart, ChartSpec

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Provider:
    name: str
    specs: str  # "module:function" listing every chart the app shows for a partnership; imported when needed
    models: frozenset[str]  # labels of the models its charts are drawn from

    def charts(self, partnership: Partnership) -> list[ChartSpec]:
        module, function = self.specs.split(":")
        listed: Callable[[Partnership], Iterable[ChartSpec]] = getattr(import_module(module), function)
        return list({spec.key: spec for spec in listed(partnership)}.values())


PROVIDERS: dict[str, Provider] = {}


def register(name: str, *, specs: str, models: Iterable[str]) -> None:
    PROVIDERS[name] = Provider(name=name, specs=specs, models=frozenset(models))


# --- Reading ---------------------------------------------------------------------------------------------------


def charts_for(partnership: Partnership, specs: Iterable[ChartSpec | None]) -> dict[str, Chart]:
    """The charts of `specs` by key, in one query: stored ones served from their address, any other drawn now."""
    from vawg.charts import Chart, draw

    wanted = {spec.key: spec for spec in specs if spec is not None}
    if not wanted:
        return {}
    stored = set(
        ChartDrawing.objects.filter(partnership=partnership, key__in=list(wanted)).values_list("key", flat=True)
    )
    found = {}
    for key, spec in wanted.items():
        if key in stored:
            url = reverse("partnership:chart", args=[partnership.slug, key])
            found[key] = Chart(title=spec.title, alt=spec.alt, url=url)
        else:
            found[key] = draw(spec)  # the task runner has not drawn it yet: drawn for this view, not kept
    return found


def chart_for(partnership: Partnership, spec: ChartSpec | None) -> Chart | None:
    """One page's chart: `charts_for` of a single spec (None when there is nothing to chart)."""
    return charts_for(partnership, [spec])[spec.key] if spec is not None else None


def svg_of(partnership: Partnership, spec: ChartSpec) -> str:
    """The SVG text of one chart (a download): the stored drawing, or drawn now when there is none yet."""
    from vawg.charts import draw

    drawing = ChartDrawing.objects.filter(partnership=partnership, key=spec.key).first()
    if drawing is not None:
        with drawing.svg.open("rb") as stored:
            return stored.read().decode("utf-8")
    return draw(spec).svg


def drawings_for(partnership: Partnership, specs: Iterable[ChartSpec], *, provider: str) -> dict[str, Chart]:
    """The charts of `specs` with their SVG text, for a document that embeds them (the annual report, built by the
    task runner or a command, never a page view): stored drawings are read, missing ones drawn and stored. Two
    queries at most."""
    from vawg.charts import Chart, draw

    wanted = {spec.key: spec for spec in specs}
    if not wanted:
        return {}
    found = {}
    for drawing in ChartDrawing.objects.filter(partnership=partnership, key__in=list(wanted)):
        with drawing.svg.open("rb") as stored:
            spec = wanted[drawing.key]
            found[drawing.key] = Chart(title=spec.title, alt=spec.alt, svg=stored.read().decode("utf-8"))
    new = []
    for key, spec in wanted.items():
        if key not in found:
            found[key] = draw(spec)
            new.append(_stored(partnership, provider, spec, found[key].svg))
    ChartDrawing.objects.bulk_create(new, ignore_conflicts=True)
    return found


def _stored(partnership: Partnership, provider: str, spec: ChartSpec, svg: str) -> ChartDrawing:
    drawing = ChartDrawing(
        partnership=partnership, provider=provider, key=spec.key, title=spec.title[:300], alt=spec.alt
    )
    drawing.svg.save(f"{spec.key}.svg", ContentFile(svg.encode("utf-8")), save=False)
    return drawing


# --- Drawing (the task runner) ---------------------------------------------------------------------------------


def draw_stored(partnership: Partnership, names: Iterable[str] | None = None) -> int:
    """Draw and store the providers' charts that are not stored yet; delete the ones they no longer show. Returns
    how many were drawn. Safe to run twice at once: a drawing stored meanwhile is kept, not doubled.

    Reads the primary: it follows a change, which a lagging replica might not show yet."""
    with use_primary():
        return _draw_stored(partnership, names)


def _draw_stored(partnership: Partnership, names: Iterable[str] | None) -> int:
    from vawg.charts import draw

    drawn = 0
    for name in sorted(names if names is not None else PROVIDERS):
        provider = PROVIDERS[name]
        specs = {spec.key: spec for spec in provider.charts(partnership)}
        existing = ChartDrawing.objects.filter(partnership=partnership, provider=name)
        stale = list(existing.exclude(key__in=list(specs)))
        stored = set(existing.filter(key__in=list(specs)).values_list("key", flat=True))
        for key, spec in specs.items():
            if key in stored:
                continue
            drawing = _stored(partnership, name, spec, draw(spec).svg)
            try:
                with transaction.atomic():
                    drawing.save()
            except IntegrityError:
                drawing.svg.delete(save=False)  # another worker stored the same chart first
                continue
            drawn += 1
        for drawing in stale:
            drawing.svg.delete(save=False)
            drawing.delete()
    return drawn


@dataclass(frozen=True)
class _Redraw:
    """A callback waiting for the commit; equal to another for the same partnership and provider."""

    partnership_id: int
    name: str

    def __call__(self) -> None:
        from partnership.tasks import draw_charts

        draw_charts.enqueue(self.partnership_id, [self.name])


def redraw(partnership_id: int, names: Iterable[str]) -> None:
    """Have the task runner draw these providers' charts once the current transaction commits: once however many
    changes it made (a callback already waiting is not added again; a rolled-back one is gone with its changes)."""
    connection = transaction.get_connection()
    waiting = {callback for _savepoints, callback, _robust in connection.run_on_commit}
    for name in names:
        callback = _Redraw(partnership_id, name)
        if callback not in waiting:
            transaction.on_commit(callback)


def _on_change(sender, *, object_type: str, partnership_ids: set[int], **kwargs) -> None:
    # An import's own event names no model: everything the partnership shows may have moved.
    names = [name for name, p in PROVIDERS.items() if not object_type or object_type in p.models]
    if names:
        for partnership_id in partnership_ids:
            redraw(partnership_id, names)


def connect() -> None:
    changed.connect(_on_change, dispatch_uid="partnership_charts_redraw")
