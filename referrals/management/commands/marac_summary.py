import csv
import json

from django.core.management.base import BaseCommand, CommandError

from partnership.models import Partnership
from referrals.selectors import marac_window
from referrals.summary import marac_summary_rows
from vawg.periods import FinancialYear, PeriodError, Quarter


class Command(BaseCommand):
    help = (
        "Print MARAC figures per borough for a financial year (or any four quarters ending with --ending): cases, "
        "repeat cases and rate, cases per 10,000 women aged 16+, expected cases and % of expected."
    )

    def add_arguments(self, parser):
        parser.add_argument("--partnership", required=True)
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--year", help="Financial year, e.g. 2015-16")
        group.add_argument("--ending", help="The last of four consecutive quarters, e.g. '2015-16 Q3'")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args, partnership: str, year: str | None, ending: str | None, format: str, **options):
        try:
            owner = Partnership.objects.get(slug=partnership)
        except Partnership.DoesNotExist:
            raise CommandError(f"No partnership '{partnership}'.") from None
        try:
            last = Quarter.parse(ending) if ending else FinancialYear.parse(year).quarters()[-1]
        except PeriodError as error:
            raise CommandError(str(error)) from None
        headings, rows = marac_summary_rows(marac_window(owner, last=last))
        if format == "json":
            records = [dict(zip(headings, [_plain(v) for v in row], strict=True)) for row in rows]
            self.stdout.write(json.dumps(records, indent=2))
        else:
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(headings)
            writer.writerows(rows)


def _plain(value):
    if value == "":
        return None
    if isinstance(value, int | str):
        return value
    return float(value)
