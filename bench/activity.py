"""Activity benchmark: importing training and meetings through the import framework against a plain bulk_create,
and the list pages' server time on large data against small.

    .venv/bin/python bench/activity.py [--repeat 3]

Builds, in a throwaway database (SQLite in /tmp unless DATABASE_URL is set), a partnership with 20 agencies and
two groups. Prints, side by side in one run:
- importing 2,000 training rows (read, checked, matched on natural keys, written in bulk with an audit event a row)
  against a bare bulk_create of the same rows (no checks, no audit);
- importing 500 meetings with 6 agencies' attendance each against a bare bulk_create of meetings and attendance;
- the median server time (Django test client, signed in) of the training and meetings list pages with 2,000
  records against 20 (the pages read a fixed number of queries: the ratio is the rows' rendering, one page).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vawg.settings_test")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/vawg-bench-activity.sqlite3")

from bench._db import setup_database  # noqa: E402 (after the settings above)


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    setup_database()

    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from activity.models import Agency, Attendance, Meeting, TrainingSession
    from activity.resources import IMPORTERS
    from partnership.models import Membership, OperationalGroup, Partnership
    from tests.factories import UserFactory
    from vawg.tabular import read_table

    partnership = Partnership.objects.create(name="Bench partnership", slug="bench", short_name="Bench")
    agencies = Agency.objects.bulk_create([Agency(partnership=partnership, name=f"Agency {n}") for n in range(20)])
    groups = [
        OperationalGroup.objects.create(partnership=partnership, name=f"Group {n}", abbreviation=f"G{n}")
        for n in range(2)
    ]
    training = [["Year", "Topic", "Strand", "Audience agency", "Number trained", "Sessions"]] + [
        ["2015-16", f"Topic {n}", "Domestic abuse", agencies[n % 20].name, 10 + n % 30, 1 + n % 3] for n in range(2000)
    ]
    meetings = [["Group", "Date", "Present", "Apologies"]] + [
        [
            groups[n % 2].abbreviation,
            (date(2015, 4, 1) + timedelta(days=n // 2)).isoformat(),
            "; ".join(agencies[(n + k) % 20].name for k in range(5)),
            agencies[(n + 7) % 20].name,
        ]
        for n in range(500)
    ]

    def framework(kind, rows):
        def work():
            with transaction.atomic():
                result = IMPORTERS[kind](partnership).run(read_table(csv_bytes(rows), filename="f.csv"), dry_run=False)
                assert result.ok, result.errors.messages()[:3]
                transaction.set_rollback(True)

        return work

    def bare_training():
        with transaction.atomic():
            TrainingSession.objects.bulk_create(
                [
                    TrainingSession(
                        partnership=partnership,
                        year=2015,
                        topic=r[1],
                        strand="domestic_abuse",
                        agency=agencies[n % 20],
                        number_trained=r[4],
                        sessions=r[5],
                    )
                    for n, r in enumerate(training[1:])
                ]
            )
            transaction.set_rollback(True)

    def bare_meetings():
        with transaction.atomic():
            made = Meeting.objects.bulk_create(
                [
                    Meeting(partnership=partnership, group=groups[n % 2], date=date.fromisoformat(r[1]))
                    for n, r in enumerate(meetings[1:])
                ]
            )
            Attendance.objects.bulk_create(
                [
                    Attendance(meeting=m, agency=agencies[(n + k) % 20], status="present")
                    for n, m in enumerate(made)
                    for k in range(6)
                ]
            )
            transaction.set_rollback(True)

    def median(work) -> float:
        return statistics.median(timed(work) for _ in range(args.repeat))

    rows = [
        (
            "Import 2,000 training rows vs bare bulk_create",
            median(framework("training", training)),
            median(bare_training),
        ),
        (
            "Import 500 meetings (6 agencies each) vs bare",
            median(framework("meetings", meetings)),
            median(bare_meetings),
        ),
    ]

    lead = UserFactory()
    Membership.objects.create(user=lead, partnership=partnership, role=Membership.Role.STRATEGIC_LEAD)
    client = Client()
    client.force_login(lead)

    def page_time(kind) -> float:
        address = reverse("activity:list", args=[partnership.slug, kind])
        return median(lambda: client.get(address))

    IMPORTERS["training"](partnership).run(read_table(csv_bytes(training[:21]), filename="f.csv"), dry_run=False)
    IMPORTERS["meetings"](partnership).run(read_table(csv_bytes(meetings[:21]), filename="f.csv"), dry_run=False)
    small = (page_time("training"), page_time("meetings"))
    IMPORTERS["training"](partnership).run(read_table(csv_bytes(training), filename="f.csv"), dry_run=False)
    IMPORTERS["meetings"](partnership).run(read_table(csv_bytes(meetings), filename="f.csv"), dry_run=False)
    large = (page_time("training"), page_time("meetings"))
    rows += [
        ("Training list page, 2,000 records vs 20", large[0], small[0]),
        ("Meetings list page, 500 meetings vs 20", large[1], small[1]),
    ]
    width = max(len(r[0]) for r in rows)
    for label, ours, base in rows:
        print(f"{label:<{width}}  {ours * 1000:9.1f} ms  vs {base * 1000:9.1f} ms  = {ours / base:5.2f}x")


if __name__ == "__main__":
    main()
