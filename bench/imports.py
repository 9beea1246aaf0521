"""Import framework benchmark: every figures kind imported through `partnership.resources` (django-import-export)
against a plain `bulk_create` of the same rows, side by side in one run.

    DATABASE_URL=postgres://... .venv/bin/python bench/imports.py [--repeat 3]

Builds, in a throwaway database (SQLite in /tmp unless DATABASE_URL is set), one partnership with 30 boroughs,
20 services and 20 indicators, and for each kind a CSV file of 30 years of a large partnership's figures, as it
would send them: 10,000 referral rows, 3,600 MARAC returns (30 boroughs x 30 years x 4 quarters), 900 populations,
8,100 justice figures (9 measures) and 6,000 indicator figures (10 boroughs). Small files are dominated by the
import's fixed work (the lookups, the file's audit event: about 40 ms), which a ratio at 300 rows would measure
instead of the per-row cost. Each is timed three ways, best of `--repeat`: the plain `bulk_create` of the model
objects the file describes (lookups already resolved), the preview (read, check every row: the dry run a page
shows), and the import (read, check, write in bulk with the audit log). Target: import within 5x the plain
`bulk_create`.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vawg.settings_test")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/vawg-bench-imports.sqlite3")

from bench._db import setup_database  # noqa: E402 (after the settings above)

BOROUGHS, SERVICES, INDICATORS, YEARS, FIRST_YEAR = 30, 20, 20, 30, 1996
REFERRAL_ROWS = 10_000


def csv_data(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def cases(partnership):
    """kind -> (file bytes, a function building the same rows as model objects, the model)."""
    from partnership.models import Borough, BoroughPopulation
    from referrals.models import (
        IndicatorFigure,
        JusticeFigure,
        MaracReturn,
        OutcomeIndicator,
        ReferralCount,
        Service,
        abuse_types_for,
        justice_measures_for,
    )
    from vawg.periods import FinancialYear

    boroughs = Borough.objects.bulk_create(
        Borough(partnership=partnership, name=f"Borough {i:02d}", short_name=f"B{i:02d}") for i in range(BOROUGHS)
    )
    services = Service.objects.bulk_create(
        Service(partnership=partnership, name=f"Service {i:02d}") for i in range(SERVICES)
    )
    types = list(abuse_types_for(partnership))
    measures = list(justice_measures_for(partnership))
    years = range(FIRST_YEAR, FIRST_YEAR + YEARS)
    found = {}

    cells = [(s, b, y, q, t) for y in years for q in range(1, 5) for s in services for b in boroughs for t in types]
    cells = cells[:REFERRAL_ROWS]
    found["referrals"] = (
        csv_data(
            [["Service", "Borough", "Year", "Quarter", "Abuse type", "New or repeat", "Count"]]
            + [[s.name, b.short_name, str(FinancialYear(y)), f"Q{q}", t.name, "", 5] for s, b, y, q, t in cells]
        ),
        lambda: [
            ReferralCount(service=s, borough=b, year=y, quarter=q, abuse_type=t, count=5) for s, b, y, q, t in cells
        ],
        ReferralCount,
    )
    returns = [(b, y, q) for b in boroughs for y in years for q in range(1, 5)]
    found["marac"] = (
        csv_data(
            [["Borough", "Year", "Quarter", "Meetings", "Cases discussed", "Repeat cases", "Children in household"]]
            + [[b.short_name, str(FinancialYear(y)), f"Q{q}", 3, 70, 18, 91] for b, y, q in returns]
        ),
        lambda: [
            MaracReturn(
                borough=b, year=y, quarter=q, meetings=3, cases_discussed=70, repeat_cases=18, children_in_household=91
            )
            for b, y, q in returns
        ],
        MaracReturn,
    )
    found["population"] = (
        csv_data(
            [["Borough", "Year", "Population", "Females 16+"]]
            + [[b.short_name, str(FinancialYear(y)), 180_000, 75_000] for b in boroughs for y in years]
        ),
        lambda: [
            BoroughPopulation(borough=b, year=y, population=180_000, females_16_plus=75_000)
            for b in boroughs
            for y in years
        ],
        BoroughPopulation,
    )
    found["justice"] = (
        csv_data(
            [["Borough", "Year", "Measure", "Value"]]
            + [[b.short_name, str(FinancialYear(y)), m.name, 12] for b in boroughs for y in years for m in measures]
        ),
        lambda: [
            JusticeFigure(borough=b, year=y, measure=m, value=12) for b in boroughs for y in years for m in measures
        ],
        JusticeFigure,
    )
    indicators = OutcomeIndicator.objects.bulk_create(
        OutcomeIndicator(partnership=partnership, name=f"Indicator {i:02d}", unit="count", display_order=i)
        for i in range(INDICATORS)
    )
    figures = [(i, b, y) for i in indicators for b in boroughs[:10] for y in years]
    found["indicators"] = (
        csv_data(
            [["Indicator", "Unit", "Polarity", "Year", "Borough", "Baseline", "Target", "Achieved"]]
            + [
                [i.name, "Count", "Higher is better", str(FinancialYear(y)), b.short_name, "", 40, 35]
                for i, b, y in figures
            ]
        ),
        lambda: [IndicatorFigure(indicator=i, borough=b, year=y, target=40, achieved=35) for i, b, y in figures],
        IndicatorFigure,
    )
    return found


def best(function, repeat: int, reset) -> float:
    times = []
    for _ in range(repeat):
        reset()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    setup_database()
    from django.db import connection, transaction

    from partnership.models import Partnership
    from referrals.resources import IMPORTERS
    from vawg.tabular import COMMAND_LIMITS, read_table

    print(f"Database: {connection.vendor}")
    partnership = Partnership.objects.create(name="Import partnership", slug="import", short_name="Import")
    found = cases(partnership)
    print(
        f"\n{'Kind':<12}{'rows':>8}{'bulk_create':>13}{'preview':>10}{'import':>10}{'import/bulk':>13}   target <= 5x"
    )
    worst = 0.0
    for kind, (data, objects, model) in found.items():
        resource = IMPORTERS[kind]
        scope = {model._meta.get_field(f).name for f in ("borough", "service", "indicator") if _has(model, f)}
        field = "service" if "service" in scope else "indicator" if "indicator" in scope else "borough"

        def reset(model=model, field=field):
            model.objects.filter(**{f"{field}__partnership": partnership}).delete()

        def plain(model=model, objects=objects):
            with transaction.atomic():
                model.objects.bulk_create(objects(), batch_size=1000)

        def run(dry_run, resource=resource, data=data, kind=kind):
            table = read_table(data, filename=f"{kind}.csv", limits=COMMAND_LIMITS)
            result = resource(partnership).run(table, dry_run=dry_run, filename=f"{kind}.csv")
            assert result.ok, result.errors.messages()[:3]
            return result

        rows = data.count(b"\n") - 1
        bulk = best(plain, args.repeat, reset)
        preview = best(lambda run=run: run(True), args.repeat, reset)
        imported = best(lambda run=run: run(False), args.repeat, reset)
        ratio = imported / bulk
        worst = max(worst, ratio)
        print(
            f"{kind:<12}{rows:>8,}{bulk:>12.2f}s{preview:>9.2f}s{imported:>9.2f}s{ratio:>12.2f}x   "
            f"{'ok' if ratio <= 5 else 'OVER'}"
        )
    print(f"\nWorst import / bulk_create: {worst:.2f}x ({'all within 5x' if worst <= 5 else 'OVER 5x'})")


def _has(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


if __name__ == "__main__":
    main()
