"""manage.py import_consultation_results FILE --partnership SLUG --consultation SLUG [--user NAME] [--dry-run]"""

from consultations import importers
from consultations.management.commands._common import (
    acting_user,
    add_consultation_arguments,
    consultation_for,
    fail_with,
)
from consultations.models import ResultsChange
from partnership.import_command import ImportCommand


class Command(ImportCommand):
    maps_columns = True
    help = (
        "Import aggregated consultation results: one row per count with the columns Question ref, Question, Type, "
        "Item, Response, Count (and Rank for ranking questions). All or nothing."
    )

    def add_import_arguments(self, parser):
        add_consultation_arguments(parser)

    def import_file(self, path, partnership, options):
        consultation = consultation_for(partnership, options)
        user = acting_user(options, consultation)
        mapping = self.column_mapping(options, importers.RESULTS_COLUMNS)
        table = self.read(path, options, headings=[*importers.RESULTS_HEADINGS, *mapping.values()])
        rows, errors, used = importers.read_results_file(table, partnership=partnership, mapping=mapping)
        if errors:
            fail_with(self, errors)
        outcome = importers.import_results(
            consultation=consultation,
            rows=rows,
            user=user,
            source=ResultsChange.Source.COMMAND_LINE,
            dry_run=options["dry_run"],
            filename=path.name,
            mapping=used,
        )
        if outcome.errors:
            fail_with(self, outcome.errors)
        for preview in outcome.previews:
            created = " (new question)" if preview.created else ""
            self.stdout.write(f"  {preview.ref}{created}: {len(preview.rows)} rows of results")
        verb = "Would import" if options["dry_run"] else "Imported"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} results of {len(outcome.previews)} questions into {consultation}.")
        )
