from actions.resources import CaseReviewResource
from partnership.import_command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import the case review register (DHRs, SARs, SCRs) from a CSV or XLSX file, one review a row, matched on its "
        "reference (all rows or none). Themes are separated by semicolons."
    )
    maps_columns = True

    def import_file(self, path, partnership, options):
        mapping = self.column_mapping(options, CaseReviewResource.columns())
        table = self.read(path, options, headings=[*CaseReviewResource.known_headings(), *mapping.values()])
        result = CaseReviewResource(partnership).run(
            table, dry_run=options["dry_run"], filename=path.name, mapping=mapping
        )
        if not result.ok:
            self.fail(result.errors.messages(), result.summary())
        if options["dry_run"] or options["verbosity"] > 1:
            for row in result.preview:
                self.stdout.write(f"Row {row.number:>5}  {row.action:<9}  " + " | ".join(row.cells))
        self.stdout.write(self.style.SUCCESS(f"{path.name}: {result.summary()}"))
