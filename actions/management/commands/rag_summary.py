import csv
import json

from django.core.management.base import BaseCommand, CommandError

from actions import selectors
from actions.models import Strategy
from partnership.models import Partnership
from vawg.periods import FinancialYear, PeriodError


class Command(BaseCommand):
    help = "Print the RAG summary by priority for a year (its Q4) or a quarter, as CSV or JSON, as the summary page."

    def add_arguments(self, parser):
        parser.add_argument("--partnership", required=True)
        parser.add_argument("--year", required=True, help="Financial year, e.g. 2015-16")
        parser.add_argument("--quarter", help="Q1 to Q4; without it, the year's final position (Q4)")
        parser.add_argument("--strategy", help="The strategy's slug, when more than one covers the year")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args, **options):
        partnership = Partnership.objects.filter(slug=options["partnership"]).first()
        if partnership is None:
            raise CommandError(f"No partnership with the slug {options['partnership']!r}.")
        try:
            year = FinancialYear.parse(options["year"]).start
        except PeriodError as error:
            raise CommandError(str(error)) from None
        quarter = None
        if options["quarter"]:
            try:
                quarter = int(options["quarter"].upper().removeprefix("Q"))
            except ValueError:
                quarter = 0
            if quarter not in (1, 2, 3, 4):
                raise CommandError("--quarter is Q1, Q2, Q3 or Q4.")
        if options["strategy"]:
            strategy = Strategy.objects.filter(partnership=partnership, slug=options["strategy"]).first()
        else:
            strategy = selectors.strategy_for_year(partnership, year)
        if strategy is None:
            raise CommandError(f"No strategy of {partnership.short_name} covers {FinancialYear(year)}.")
        summary = selectors.rag_summary(strategy=strategy, year=year, quarter=quarter)
        if options["format"] == "json":
            self.stdout.write(json.dumps(summary.as_dict(), indent=2))
            return
        head, rows = summary.table()
        writer = csv.writer(self.stdout)
        writer.writerow(head)
        writer.writerows(rows)
