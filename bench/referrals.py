"""Service-figures benchmark: page server time at scale against the demo data, and import speed.

    .venv/bin/python bench/referrals.py [--repeat 5]

Builds, in a throwaway database (SQLite in /tmp unless DATABASE_URL is set), the demo partnership and a large
one: 30 boroughs x 10 years x 4 quarters x 12 abuse types x 20 services (288,000 referral counts, 1,200 MARAC
returns, justice and indicator figures for every borough and year). Then prints, side by side in one run:
- each page's median server time (Django test client, signed in) on the demo data and on the large data,
  with the ratio (target: within 2x);
- importing 10,000 referral rows from CSV (read, check every row, write) against a plain `bulk_create` of
  the same 10,000 objects (target: within 5x).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vawg.settings_test")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/vawg-bench-referrals.sqlite3")

from bench._db import setup_database  # noqa: E402 (after the settings above)

BOROUGHS, YEARS, QUARTERS, ABUSE_TYPES, SERVICES = 30, 10, 4, 12, 20
FIRST_YEAR = 2010
IMPORT_ROWS = 10_000


def build_demo():
    from partnership import demo as partnership_demo
    from referrals import demo as referrals_demo

    partnership = partnership_demo.load(with_passwords=False)
    referrals_demo.load(partnership)
    return partnership


def build_large():
    from partnership.models import Borough, BoroughPopulation, Partnership
    from referrals.models import (
        AbuseType,
        IndicatorFigure,
        JusticeFigure,
        MaracReturn,
        OutcomeIndicator,
        ReferralCount,
        Service,
        abuse_types_for,
        justice_measures_for,
    )

    partnership = Partnership.objects.create(name="Large partnership", slug="large", short_name="Large")
    for i in range(ABUSE_TYPES - AbuseType.objects.filter(partnership=None).count()):
        AbuseType.objects.create(partnership=partnership, name=f"Local abuse type {i + 1}", display_order=50 + i)
    types = list(abuse_types_for(partnership))
    assert len(types) == ABUSE_TYPES
    boroughs = Borough.objects.bulk_create(
        Borough(partnership=partnership, name=f"Borough {i:02d}", short_name=f"B{i:02d}") for i in range(BOROUGHS)
    )
    services = Service.objects.bulk_create(
        Service(partnership=partnership, name=f"Service {i:02d}") for i in range(SERVICES)
    )
    years = range(FIRST_YEAR, FIRST_YEAR + YEARS)
    BoroughPopulation.objects.bulk_create(
        BoroughPopulation(borough=b, year=y, population=200_000, females_16_plus=80_000)
        for b in boroughs
        for y in years
    )
    MaracReturn.objects.bulk_create(
        MaracReturn(
            borough=b,
            year=y,
            quarter=q,
            meetings=3,
            cases_discussed=80,
            repeat_cases=20,
            children_in_household=100,
            referrals_police=50,
            referrals_idva=15,
            referrals_housing=15,
        )
        for b in boroughs
        for y in years
        for q in range(1, QUARTERS + 1)
    )
    ReferralCount.objects.bulk_create(
        (
            ReferralCount(service=s, borough=b, year=y, quarter=q, abuse_type=t, count=(q * 7 + t.pk) % 40)
            for s in services
            for b in boroughs
            for y in years
            for q in range(1, QUARTERS + 1)
            for t in types
        ),
        batch_size=5000,
    )
    measures = list(justice_measures_for(partnership))
    JusticeFigure.objects.bulk_create(
        JusticeFigure(measure=m, borough=b, year=y, value=500) for m in measures for b in boroughs for y in years
    )
    indicators = OutcomeIndicator.objects.bulk_create(
        OutcomeIndicator(partnership=partnership, name=f"Indicator {i:02d}", unit="percent") for i in range(20)
    )
    IndicatorFigure.objects.bulk_create(
        IndicatorFigure(indicator=i, borough=b, year=y, target=70, achieved=60 + (y % 20))
        for i in indicators
        for b in boroughs
        for y in years
    )
    return partnership


def reader_for(partnership):
    from django.contrib.auth import get_user_model

    from partnership.models import Membership

    user, _ = get_user_model().objects.get_or_create(username=f"bench-{partnership.slug}")
    # A board member: reading needs no second factor, so the plain test client can sign in.
    Membership.objects.get_or_create(user=user, partnership=partnership, defaults={"role": "board_member"})
    return user


# (label, URL name, query, page whose <img> names the chart): a chart is timed at the address its page gives
# it, as a browser asks for it: its stored drawing (partnership.charts), drawn when the figures were saved.
PAGES = [
    ("Headlines", "referrals:index", "", None),
    ("MARAC", "referrals:marac", "?year={year}", None),
    ("MARAC chart", "referrals:marac_chart", "?year={year}", "referrals:marac"),
    ("Referrals pivot", "referrals:referrals", "?year={year}", None),
    ("Referrals chart", "referrals:referrals_chart", "?year={year}", "referrals:referrals"),
    ("Justice table", "referrals:justice", "?year={year}", None),
    ("Indicators", "referrals:indicators", "?year={year}", None),
]


def chart_address(client, page_url: str, slug: str) -> str:
    page = client.get(page_url, HTTP_HOST="localhost").content.decode()
    start = page.index(f'src="/{slug}/charts/') + len('src="')
    return page[start : page.index('"', start)]


def page_times(requests: list[tuple[object, str]], repeat: int) -> list[tuple[float, float]]:
    """Per (client, url): (first call, median of the next `repeat`). Calls alternate between the urls, so a busy
    moment of the machine falls on both alike."""
    times: list[list[float]] = [[] for _ in requests]
    for _ in range(repeat + 1):
        for position, (client, url) in enumerate(requests):
            start = time.perf_counter()
            response = client.get(url, HTTP_HOST="localhost")
            times[position].append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
    return [(series[0], statistics.median(series[1:])) for series in times]


def bench_pages(demo, large, repeat: int) -> bool:
    from django.test import Client
    from django.urls import reverse

    print(
        f"\nPage server time (median of {repeat}), demo data against {BOROUGHS} boroughs x {YEARS} years x "
        f"{QUARTERS} quarters x {ABUSE_TYPES} abuse types x {SERVICES} services"
    )
    print(f"{'page':<18}{'demo ms':>10}{'large ms':>10}{'ratio':>8}  target <= 2.0x  (first call: demo, large ms)")
    ok = True
    clients = {}
    for partnership in (demo, large):
        client = Client()
        client.force_login(reader_for(partnership))
        clients[partnership.slug] = client
    for label, name, query, page_name in PAGES:
        requests = []
        for partnership, year in (
            (demo, "2015-16"),
            (large, f"{FIRST_YEAR + YEARS - 1}-{(FIRST_YEAR + YEARS) % 100:02d}"),
        ):
            client = clients[partnership.slug]
            url = reverse(name, args=[partnership.slug]) + query.format(year=year)
            if page_name:
                page_url = reverse(page_name, args=[partnership.slug]) + query.format(year=year)
                url = chart_address(client, page_url, partnership.slug)
            requests.append((client, url))
        results = page_times(requests, repeat)
        firsts = [first for first, _ in results]
        results = [median for _, median in results]
        ratio = results[1] / results[0]
        ok &= ratio <= 2.0
        print(
            f"{label:<18}{results[0] * 1000:>10.1f}{results[1] * 1000:>10.1f}{ratio:>7.2f}x  "
            + ("ok  " if ratio <= 2 else "OVER")
            + f"          ({firsts[0] * 1000:.0f}, {firsts[1] * 1000:.0f})"
        )
    return ok


def bench_import() -> float:
    """Prints the import figures and returns the import / bulk_create ratio."""
    from django.db import transaction

    from partnership.models import Borough, Partnership
    from referrals.models import ReferralCount, Service, abuse_types_for
    from referrals.resources import IMPORTERS
    from vawg.periods import FinancialYear
    from vawg.tabular import read_table

    partnership = Partnership.objects.create(name="Import partnership", slug="import", short_name="Import")
    boroughs = Borough.objects.bulk_create(
        Borough(partnership=partnership, name=f"Borough {i:02d}", short_name=f"B{i:02d}") for i in range(BOROUGHS)
    )
    services = Service.objects.bulk_create(
        Service(partnership=partnership, name=f"Service {i:02d}") for i in range(SERVICES)
    )
    types = list(abuse_types_for(partnership))
    cells = [
        (s, b, y, q, t)
        for y in range(FIRST_YEAR, FIRST_YEAR + YEARS)
        for q in range(1, QUARTERS + 1)
        for s in services
        for b in boroughs
        for t in types
    ][:IMPORT_ROWS]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Service", "Borough", "Year", "Quarter", "Abuse type", "New or repeat", "Count"])
    for s, b, y, q, t in cells:
        writer.writerow([s.name, b.short_name, str(FinancialYear(y)), f"Q{q}", t.name, "", 5])
    data = buffer.getvalue().encode()

    def plain():
        with transaction.atomic():
            ReferralCount.objects.bulk_create(
                [
                    ReferralCount(service=s, borough=b, year=y, quarter=q, abuse_type=t, count=5)
                    for s, b, y, q, t in cells
                ],
                batch_size=1000,
            )

    def imported():
        result = IMPORTERS["referrals"](partnership).run(read_table(data, filename="referrals.csv"), dry_run=False)
        assert result.ok and result.created == IMPORT_ROWS, result.errors.messages()[:5]

    timings = {}
    for label, work in (("plain bulk_create", plain), ("import from CSV", imported)):
        ReferralCount.objects.filter(service__partnership=partnership).delete()
        start = time.perf_counter()
        work()
        timings[label] = time.perf_counter() - start
    start = time.perf_counter()
    unchanged = IMPORTERS["referrals"](partnership).run(read_table(data, filename="referrals.csv"), dry_run=True)
    timings["re-import preview (all unchanged)"] = time.perf_counter() - start
    assert unchanged.unchanged == IMPORT_ROWS
    ratio = timings["import from CSV"] / timings["plain bulk_create"]
    print(f"\nImport of {IMPORT_ROWS:,} referral rows")
    for label, seconds in timings.items():
        print(f"  {label:<36}{seconds:>8.2f} s")
    print(f"  import / bulk_create: {ratio:.2f}x  target <= 5.0x  {'ok' if ratio <= 5 else 'OVER'}")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    setup_database()
    from django.db import connection

    print(f"Database: {connection.vendor}")
    start = time.perf_counter()
    demo = build_demo()
    large = build_large()
    if connection.vendor == "postgresql":
        # As autovacuum would soon after a bulk load: planner statistics, and the visibility map that lets
        # the pivot be read from its covering index alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"Data built in {time.perf_counter() - start:.1f} s")
    # The data above is written in bulk behind the audit log's back, so nothing told the task runner: draw the
    # charts as its task would after an import (partnership.charts).
    from partnership.charts import draw_stored
    from partnership.models import Partnership

    for partnership in (demo, large):
        draw_stored(Partnership.objects.get(pk=partnership.pk))  # as stored, as the task reads it
    pages_ok = bench_pages(demo, large, args.repeat)
    import_ok = bench_import() <= 5
    print("\nAll targets met." if pages_ok and import_ok else "\nSome targets missed.")


if __name__ == "__main__":
    main()
