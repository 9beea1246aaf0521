from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from actions import selectors
from actions.models import Strategy
from actions.plan_file import check_and_apply
from partnership.models import Partnership
from vawg import tabular
from vawg.periods import FinancialYear, PeriodError, Quarter


class Command(BaseCommand):
    help = (
        "Import an action plan file (CSV or XLSX, one row per action and group) for a year: its final position (Q4) "
        "unless --quarter is given. Prints what changed (or would change, with --dry-run); exits non-zero on any error."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--partnership", required=True, help="The partnership's slug, e.g. tri-borough")
        parser.add_argument("--year", required=True, help="Financial year, e.g. 2015-16")
        parser.add_argument("--quarter", help="Q1 to Q4; without it, the year's final position (Q4)")
        parser.add_argument("--strategy", help="The strategy's slug, when more than one covers the year")
        parser.add_argument("--dry-run", action="store_true", help="Check and report, change nothing")
        tabular.add_large_option(parser)

    def handle(self, *args, **options):
        partnership = Partnership.objects.filter(slug=options["partnership"]).first()
        if partnership is None:
            raise CommandError(f"No partnership with the slug {options['partnership']!r}.")
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
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            with path.open("rb") as file:
                report = check_and_apply(
                    strategy=strategy,
                    period=period,
                    file=file,
                    filename=path.name,
                    user=None,
                    dry_run=options["dry_run"],
                    limits=tabular.command_limits(options["large"]),
                )
        except tabular.OverRequestLimits as error:
            raise CommandError(tabular.command_refusal(error)) from None
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(report.errors)} problem(s) in {path.name}: nothing was imported.")
        for line in report.summary_lines():
            self.stdout.write(line)
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was changed.")
