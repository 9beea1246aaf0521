"""The figures' import_* commands: read a CSV/XLSX, check every row, print a preview or import all of it."""

from __future__ import annotations

from partnership.import_command import ImportCommand as BaseImportCommand
from referrals.resources import IMPORTERS


class ImportCommand(BaseImportCommand):
    kind = ""
    maps_columns = True

    def import_file(self, path, partnership, options):
        importer_class = IMPORTERS[self.kind]
        mapping = self.column_mapping(options, importer_class.columns())
        table = self.read(path, options, headings=[*importer_class.known_headings(), *mapping.values()])
        result = importer_class(partnership).run(table, dry_run=options["dry_run"], filename=path.name, mapping=mapping)
        if not result.ok:
            self.fail(result.errors.messages(), result.summary())
        if options["dry_run"] or options["verbosity"] > 1:
            for row in result.preview:
                self.stdout.write(f"Row {row.number:>5}  {row.action:<9}  " + " | ".join(row.cells))
        self.stdout.write(self.style.SUCCESS(f"{path.name}: {result.summary()}"))
