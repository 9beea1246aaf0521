"""manage.py import_consultation_results FILE --partnership SLUG --consultation SLUG [--user NAME] [--dry-run]"""

from pathlib import Path

from django.core.management.base import BaseCommand

from consultations import importers
from consultations.management.commands._common import (
    acting_user,
    add_common_arguments,
    consultation_for,
    fail_with,
    read,
)
from consultations.models import ResultsChange


class Command(BaseCommand):
    help = (
        "Import aggregated consultation results: one row per count with the columns Question ref, Question, Type, "
        "Item, Response, Count (and Rank for ranking questions). All or nothing."
    )

    def add_arguments(self, parser):
        add_common_arguments(parser)

    def handle(self, *args, **options):
        consultation = consultation_for(options)
        user = acting_user(options, consultation)
        rows, errors = importers.parse_results_table(
            read(options["file"], large=options["large"], headings=importers.RESULTS_HEADINGS)
        )
        if errors:
            fail_with(errors)
        outcome = importers.import_results(
            consultation=consultation,
            rows=rows,
            user=user,
            source=ResultsChange.Source.COMMAND_LINE,
            dry_run=options["dry_run"],
            filename=Path(options["file"]).name,
        )
        if outcome.errors:
            fail_with(outcome.errors)
        for preview in outcome.previews:
            created = " (new question)" if preview.created else ""
            self.stdout.write(f"  {preview.ref}{created}: {len(preview.rows)} rows of results")
        verb = "Would import" if options["dry_run"] else "Imported"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} results of {len(outcome.previews)} questions into {consultation}.")
        )
