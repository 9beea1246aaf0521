"""Walking the default storage (a folder or a bucket) through Django's storage API, for backups."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from django.core.files.storage import Storage


def stored_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file's name in the storage, folder by folder."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a folder storage that has never stored anything
        return
    for name in sorted(files):
        yield posixpath.join(folder, name) if folder else name
    for name in sorted(folders):
        yield from stored_names(storage, posixpath.join(folder, name) if folder else name)


def is_plain_name(name: str) -> bool:
    parts = name.split("/")
    return bool(name) and not name.startswith("/") and all(part not in ("", ".", "..") for part in parts)
