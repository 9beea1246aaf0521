"""API feed benchmark: the referrals feed (CSV and JSON) streamed through the whole API (token, rate limit, audit,
suppression, formula-safe CSV) against a plain `values_list` dump of the same rows to CSV, side by side in one run;
and the feed's peak memory at 10,000 and 100,000 rows.

    DATABASE_URL=postgres://... .venv/bin/python bench/api_feeds.py [--repeat 5]

Builds, in a throwaway database (SQLite in /tmp unless DATABASE_URL is set; a PostgreSQL database is emptied first),
two partnerships: one with 10,000 referral rows, one with 100,000. Each feed is read with Django's test client, a
chunk at a time as a client would, and thrown away. Times are the best of `--repeat`, the three measured in turn;
peak memory is measured in a separate pass with tracemalloc (Python allocations during the request and the
streaming). Targets: the 10,000-row feed within 2x the plain dump; peak memory at 100,000 rows within 1.2x of that
at 10,000.
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vawg.settings_test")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/vawg-bench-api-feeds.sqlite3")
os.environ.setdefault("API_RATE_LIMIT", "1000000")  # the benchmark's own requests must not be limited

from bench._db import setup_database  # noqa: E402 (after the settings above)

SIZES = (10_000, 100_000)
SERVICES, BOROUGHS = 25, 25


class Sink:
    """Where both sides write: nowhere, so the comparison is of the work, not of a buffer growing."""

    def write(self, text: str) -> int:
        return len(text)


def build(size: int, name: str):
    from partnership.models import Borough, Membership, Partnership
    from referrals.models import ReferralCount, Service, abuse_types_for
    from tests.factories import UserFactory

    partnership = Partnership.objects.create(name=f"Bench {name}", slug=f"bench-{name}", short_name=name)
    boroughs = Borough.objects.bulk_create(
        Borough(partnership=partnership, name=f"Borough {i:02d}", short_name=f"B{i:02d}") for i in range(BOROUGHS)
    )
    services = Service.objects.bulk_create(
        Service(partnership=partnership, name=f"Service {i:02d}") for i in range(SERVICES)
    )
    types = list(abuse_types_for(partnership))
    cells = (
        (s, b, y, q, t)
        for y in range(2000, 2030)
        for q in range(1, 5)
        for s in services
        for b in boroughs
        for t in types
    )
    batch = []
    for n, (s, b, y, q, t) in enumerate(cells):
        if n == size:
            break
        # Some small counts, so suppression has work to do.
        batch.append(ReferralCount(service=s, borough=b, year=y, quarter=q, abuse_type=t, count=n % 40))
        if len(batch) == 5000:
            ReferralCount.objects.bulk_create(batch)
            batch = []
    ReferralCount.objects.bulk_create(batch)
    user = UserFactory(username=f"bench-{name}")
    membership = Membership.objects.create(user=user, partnership=partnership, role=Membership.Role.BOARD_MEMBER)
    return partnership, membership


def plain_dump(partnership) -> int:
    """The same rows, the same columns and order, written as CSV with nothing else: the floor."""
    from referrals.models import ReferralCount

    writer = csv.writer(Sink())
    rows = 0
    queryset = ReferralCount.objects.filter(service__partnership=partnership).order_by(
        "year", "quarter", "borough__short_name", "service__name", "abuse_type__display_order", "kind", "pk"
    )
    for row in queryset.values_list(
        "pk", "service__name", "borough__short_name", "year", "quarter", "abuse_type__name", "kind", "count"
    ).iterator(chunk_size=2000):
        writer.writerow(row)
        rows += 1
    return rows


def feed(client, partnership, extension: str) -> int:
    from django.urls import reverse

    response = client.get(reverse(f"api_v1:feed_referrals_{extension}", args=[partnership.slug]))
    assert response.status_code == 200, response.status_code
    size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
    response.close()
    return size


def best(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def peak(function) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup_database()
    from django.db import connection
    from django.test import Client

    from api.services import token_create

    print(f"Database: {connection.vendor}")
    built = {}
    for size in SIZES:
        start = time.perf_counter()
        partnership, membership = build(size, f"p{size}")
        _token, secret = token_create(membership=membership, name="bench", days=1)
        built[size] = (partnership, Client(HTTP_AUTHORIZATION=f"Bearer {secret}"))
        print(f"built {size:,} referral rows in {time.perf_counter() - start:.1f} s")

    failures = []
    partnership, client = built[SIZES[0]]
    assert plain_dump(partnership) == SIZES[0]
    feed(client, partnership, "csv")  # warm up: the first request loads the URL configuration and the API
    # Interleaved, so a busy moment on a shared machine slows both sides, not one; the best of each.
    runs = {"dump": [], "csv": [], "json": []}
    for _ in range(args.repeat):
        runs["dump"].append(best(lambda: plain_dump(partnership), 1))
        for extension in ("csv", "json"):
            runs[extension].append(best(lambda extension=extension: feed(client, partnership, extension), 1))
    dump = min(runs["dump"])
    for extension in ("csv", "json"):
        took = min(runs[extension])
        ratio = took / dump
        flag = "" if ratio <= 2 else "  SLOW"
        failures += [f"{extension} time"] if flag else []
        print(
            f"{SIZES[0]:,}-row {extension.upper()} feed {took * 1000:.0f} ms, plain values_list dump "
            f"{dump * 1000:.0f} ms: {ratio:.2f}x (target within 2x){flag}"
        )

    for extension in ("csv", "json"):
        peaks = {size: peak(lambda s=size, e=extension: feed(built[s][1], built[s][0], e)) for size in SIZES}
        ratio = peaks[SIZES[1]] / peaks[SIZES[0]]
        flag = "" if ratio <= 1.2 else "  OVER"
        failures += [f"{extension} memory"] if flag else []
        print(
            f"{extension.upper()} feed peak memory: {peaks[SIZES[0]] / 1e6:.2f} MB at {SIZES[0]:,} rows, "
            f"{peaks[SIZES[1]] / 1e6:.2f} MB at {SIZES[1]:,} rows: {ratio:.2f}x (target within 1.2x){flag}"
        )
    dump_peaks = {size: peak(lambda s=size: plain_dump(built[s][0])) for size in SIZES}
    print(f"(plain dump peak memory: {dump_peaks[SIZES[0]] / 1e6:.2f} MB and {dump_peaks[SIZES[1]] / 1e6:.2f} MB)")
    print("every target met" if not failures else f"missed: {', '.join(failures)}")


if __name__ == "__main__":
    main()
