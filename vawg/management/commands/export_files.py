"""Copy every stored file (report PDFs and their web pages) out of the storage into a folder, for a backup.

    manage.py export_files /backups/vawg-2026-11-23/files

Works with either storage (STORAGE_BACKEND): scripts/backup.sh uses it for a bucket, and packs the folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from vawg.management.commands._stored_files import is_plain_name, stored_names


class Command(BaseCommand):
    help = "Copy every stored file into an empty folder, keeping the storage's names."

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", help="An empty or missing folder to write the files into.")

    def handle(self, *args, **options) -> None:
        folder = Path(options["folder"])
        if folder.exists() and any(folder.iterdir()):
            raise CommandError(f"{folder} is not empty.")
        folder.mkdir(parents=True, exist_ok=True)
        count = size = 0
        for name in stored_names(default_storage):
            if not is_plain_name(name):
                raise CommandError(f"Refusing the stored name {name!r}: it would land outside {folder}.")
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with default_storage.open(name, "rb") as source, target.open("xb") as copy:
                shutil.copyfileobj(source, copy)
            count += 1
            size += target.stat().st_size
        self.stdout.write(f"Exported {count} file(s), {size:,} bytes, to {folder}.")
