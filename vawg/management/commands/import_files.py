"""Copy a folder made by `export_files` (or a backup's unpacked files) into the storage, for a restore.

    manage.py import_files /restore/files

Into an empty storage: if any of the names is already stored, nothing is copied.
"""

from __future__ import annotations

from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from vawg.management.commands._stored_files import is_plain_name


class Command(BaseCommand):
    help = "Copy every file of a folder into the storage under the same names (refused if any is already stored)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", help="The folder to copy from.")

    def handle(self, *args, **options) -> None:
        folder = Path(options["folder"])
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        names = sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())
        for name in names:
            if not is_plain_name(name):
                raise CommandError(f"Refusing the file name {name!r}.")
        # Checked before anything is written: a restore never replaces or renames a stored file.
        present = [name for name in names if default_storage.exists(name)]
        if present:
            raise CommandError(
                f"{len(present)} file(s) are already stored, e.g. {present[0]}: restore into an empty storage."
            )
        size = 0
        for name in names:
            with (folder / name).open("rb") as source:
                saved = default_storage.save(name, File(source, name=name))
            if saved != name:
                raise CommandError(f"The storage saved {name} as {saved}.")
            size += (folder / name).stat().st_size
        self.stdout.write(f"Imported {len(names)} file(s), {size:,} bytes, from {folder}.")
