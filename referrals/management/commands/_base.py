"""Shared by the import_* commands: read a CSV/XLSX, check every row, print a preview or import all of it."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partnership.models import Partnership
from referrals.resources import IMPORTERS
from vawg.tabular import TabularError, add_large_option, command_limits, command_refusal, read_table


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV or XLSX file with a heading row")
        parser.add_argument("--partnership", required=True, help="The partnership's web address name, e.g. tri-borough")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and show what would change, without saving anything"
        )
        add_large_option(parser)

    def handle(self, *args, file: str, partnership: str, dry_run: bool, large: bool, **options):
        try:
            owner = Partnership.objects.get(slug=partnership)
        except Partnership.DoesNotExist:
            raise CommandError(f"No partnership '{partnership}'.") from None
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        try:
            with path.open("rb") as upload:  # read_table stops at the size limit; the whole file is never loaded
                table = read_table(
                    upload,
                    filename=path.name,
                    limits=command_limits(large),
                    headings=IMPORTERS[self.kind].known_headings(),
                )
        except TabularError as error:
            raise CommandError(command_refusal(error)) from None
        importer = IMPORTERS[self.kind](owner)
        result = importer.run(table, dry_run=dry_run, filename=path.name)
        if not result.ok:
            for message in result.errors.messages():
                self.stderr.write(message)
            raise CommandError(result.summary())
        if dry_run or options["verbosity"] > 1:
            for row in result.preview:
                self.stdout.write(f"Row {row.number:>5}  {row.action:<9}  " + " | ".join(row.cells))
        self.stdout.write(self.style.SUCCESS(f"{path.name}: {result.summary()}"))
