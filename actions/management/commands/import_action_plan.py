from django.core.management.base import CommandError

from actions import selectors
from actions.models import Strategy
from actions.plan_file import KNOWN_HEADINGS, PLAN_COLUMNS, check_and_apply
from partnership.import_command import ImportCommand
from vawg.periods import FinancialYear, PeriodError, Quarter


class Command(ImportCommand):
    maps_columns = True
    help = (
        "Import an action plan file (CSV or XLSX, one row per action and group) for a year: its final position (Q4) "
        "unless --quarter is given. Prints what changed (or would change, with --dry-run); exits non-zero on any error."
    )

    def add_import_arguments(self, parser):
        parser.add_argument("--year", required=True, help="Financial year, e.g. 2015-16")
        parser.add_argument("--quarter", help="Q1 to Q4; without it, the year's final position (Q4)")
        parser.add_argument("--strategy", help="The strategy's slug, when more than one covers the year")

    def import_file(self, path, partnership, options):
        try:
            year = FinancialYear.parse(options["year"]).start
            quarter = int(options["quarter"].upper().removeprefix("Q")) if options["quarter"] else 4
            period = Quarter(year, quarter)
        except (PeriodError, ValueError) as error:
            message = str(error) if isinstance(error, PeriodError) else "--quarter is Q1, Q2, Q3 or Q4."
            raise CommandError(message) from None
        if options["strategy"]:
            strategy = Strategy.objects.filter(partnership=partnership, slug=options["strategy"]).first()
            if strategy is None:
                raise CommandError(f"{partnership.short_name} has no strategy {options['strategy']!r}.")
        else:
            strategy = selectors.strategy_for_year(partnership, year)
            if strategy is None:
                raise CommandError(f"No strategy of {partnership.short_name} covers {FinancialYear(year)}.")
        mapping = self.column_mapping(options, PLAN_COLUMNS)
        report = check_and_apply(
            strategy=strategy,
            period=period,
            table=self.read(path, options, headings=[*KNOWN_HEADINGS, *mapping.values()]),
            filename=path.name,
            user=None,
            dry_run=options["dry_run"],
            mapping=mapping,
        )
        if not report.ok:
            self.fail(report.errors, f"{len(report.errors)} problem(s) in {path.name}: nothing was imported.")

        for line in report.summary_lines():
            self.stdout.write(line)
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was changed.")
