"""Import training, events, meetings, contracts or agencies from a CSV or XLSX file (all rows or none)."""

from __future__ import annotations

from activity.resources import IMPORTERS
from partnership.import_command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import the partnership's training delivered, events and campaigns, meetings and attendance, funding and "
        "contracts, or agencies from a CSV or XLSX file (all rows or none). See the import page for the columns."
    )
    maps_columns = True

    def add_import_arguments(self, parser) -> None:
        parser.add_argument("--kind", required=True, choices=sorted(IMPORTERS), help="What the file holds")

    def import_file(self, path, partnership, options):
        importer_class = IMPORTERS[options["kind"]]
        mapping = self.column_mapping(options, importer_class.columns())
        table = self.read(path, options, headings=[*importer_class.known_headings(), *mapping.values()])
        result = importer_class(partnership).run(table, dry_run=options["dry_run"], filename=path.name, mapping=mapping)
        if not result.ok:
            self.fail(result.errors.messages(), result.summary())
        if options["dry_run"] or options["verbosity"] > 1:
            for row in result.preview:
                self.stdout.write(f"Row {row.number:>5}  {row.action:<9}  " + " | ".join(str(c) for c in row.cells))
        self.stdout.write(self.style.SUCCESS(f"{path.name}: {result.summary()}"))
