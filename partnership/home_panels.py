"""What the apps above the partnership add to its home page: each registers a function of the partnership that
returns template context (the referrals app: the headline figures), so the home page shows them without this layer
importing the apps above it."""

from __future__ import annotations

from collections.abc import Callable

_panels: dict[str, Callable] = {}


def register(name: str, panel: Callable) -> None:
    """`panel(partnership)` returns the context the home page's template reads as `name`."""
    _panels[name] = panel


def context(partnership) -> dict:
    return {name: panel(partnership) for name, panel in _panels.items()}
