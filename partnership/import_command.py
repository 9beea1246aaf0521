"""The one base of the import_* commands: the file, the partnership, --dry-run, --large and --map; reading the file
through vawg.tabular with the importer's headings; problems written one a line and a non-zero exit. Each command adds
its own arguments (`add_import_arguments`) and does its import (`import_file`) through the same services as the pages.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partnership.models import Partnership
from partnership.resources import parse_map_option
from vawg.tabular import Table, TabularError, add_large_option, command_limits, command_refusal, read_table


class ImportCommand(BaseCommand):
    # Kinds on the import framework (partnership.resources) read their columns through a mapping: --map.
    maps_columns = False

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="CSV or XLSX file with a heading row")
        parser.add_argument("--partnership", required=True, help="The partnership's web address name, e.g. tri-borough")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and show what would change, without saving anything"
        )
        add_large_option(parser)
        if self.maps_columns:
            self.add_map_option(parser)
        self.add_import_arguments(parser)

    def add_map_option(self, parser) -> None:
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="OURS=YOURS",
            help="Read a column from a heading of your own, e.g. --map 'Count=Number of referrals' (repeatable; "
            "'Quarter=' says the file has no such column). Without it, the partnership's last confirmed mapping, "
            "then the closest headings, are used.",
        )

    def add_import_arguments(self, parser) -> None:
        """The command's own arguments."""

    def handle(self, *args, file: Path, partnership: str, **options) -> None:
        owner = Partnership.objects.filter(slug=partnership).first()
        if owner is None:
            raise CommandError(f"No partnership '{partnership}'.")
        if not file.is_file():
            raise CommandError(f"No file at {file}.")
        self.import_file(file, owner, options)

    def import_file(self, path: Path, partnership: Partnership, options: dict) -> None:
        raise NotImplementedError

    def read(self, path: Path, options: dict, *, headings: Collection[str] | None = None) -> Table:
        """The file's rows; read_table stops at the size limit, so the whole file is never loaded."""
        try:
            with path.open("rb") as file:
                return read_table(file, filename=path.name, limits=command_limits(options["large"]), headings=headings)
        except TabularError as error:
            raise CommandError(command_refusal(error)) from None

    def column_mapping(self, options: dict, columns) -> dict[str, str]:
        """--map as field name -> the file's heading (empty: no such column)."""
        try:
            return parse_map_option(options["map"], columns)
        except ValueError as error:
            raise CommandError(str(error)) from None

    def fail(self, problems: Iterable[object], summary: str) -> None:
        """Every problem on its own line, then the summary as the command's error: nothing was imported."""
        for problem in problems:
            self.stderr.write(str(problem))
        raise CommandError(summary)
