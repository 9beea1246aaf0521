"""The import and report ratios again, with the 50 x 10 database present: the big tables hold 50 other partnerships.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vawg_scale .venv/bin/python bench/at_scale.py \
        [--partnerships 50] [--years 10] [--seed 1] [--repeat 5]

Uses the database of bench/pages_at_scale.py (the same DATABASE_URL; SQLite /tmp/vawg-bench-scale.sqlite3 if
unset) and its set-up: migrate, the demo partnership, and the generated partnerships unless they are there
already. Then runs the other benchmarks' own measurements, unchanged, against it:
- bench/actions.py: importing a 2,000-row action plan file into the largest generated partnership against a
  plain `bulk_create` of the same rows (target: within 5x);
- bench/referrals.py: importing 10,000 referral rows into a new partnership against a plain `bulk_create`
  (target: within 5x);
- bench/consultations.py: importing a raw survey export (5,000 respondents x 40 columns) into a consultation of
  the largest generated partnership against parsing the file alone (target: within 3x);
- bench/report_build.py: the demo's 2015-16 annual report, full build against WeasyPrint alone on the same HTML
  (target: within 1.10x), and downloading a stored edition against a trivial view (target: within 3x).

Everything runs in one transaction that is rolled back at the end, so the database is left as it was and the
script can be run again; no commit is timed on either side of a ratio. Stored report files go to a temporary
folder.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import warnings
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vawg.settings_test")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/vawg-bench-scale.sqlite3")  # as pages_at_scale.py
warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic needed here


def bench_module(name: str):
    """Another benchmark script, imported under a name of its own (bench/actions.py is not the actions app)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def largest_generated():
    """The generated partnership with the most actions, its lead, and five groups G0-G4 for the plan file."""
    from django.db.models import Count

    from partnership import scale_data
    from partnership.models import Membership, OperationalGroup, Partnership

    partnership = (
        Partnership.objects.filter(slug__startswith=scale_data.SLUG_PREFIX)
        .annotate(n=Count("strategies__actions"))
        .order_by("-n", "slug")
        .first()
    )
    lead = Membership.objects.filter(partnership=partnership, role=Membership.Role.STRATEGIC_LEAD).first().user
    bench_actions = bench_module("actions")
    OperationalGroup.objects.bulk_create(
        OperationalGroup(partnership=partnership, name=f"Import group {i}", abbreviation=f"G{i}")
        for i in range(bench_actions.IMPORT_GROUPS)
    )
    return partnership, lead


def verdict(ratio: float, target: float) -> str:
    return "ok" if ratio <= target else "OVER"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partnerships", type=int, default=50)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="vawg-bench-at-scale-")
    pages_at_scale = bench_module("pages_at_scale")
    pages_at_scale.setup(args.partnerships, args.years, args.seed)

    import logging

    from django.db import connection, transaction

    from actions.models import ProgressUpdate
    from partnership.models import Partnership
    from referrals.models import ReferralCount

    logging.disable(logging.WARNING)  # the report build's progress lines
    bench_actions, bench_referrals = bench_module("actions"), bench_module("referrals")
    bench_consultations, bench_report = bench_module("consultations"), bench_module("report_build")
    print(
        f"Database: {connection.vendor}, {Partnership.objects.count()} partnerships, "
        f"{ProgressUpdate.objects.count():,} progress updates and {ReferralCount.objects.count():,} referral "
        "counts in all"
    )
    ratios = []  # (what, ratio, target)
    with transaction.atomic():
        partnership, lead = largest_generated()
        print(f"Imports of the action plan and the survey land in {partnership.slug}.\n")

        import_ms, bulk_ms = bench_actions.import_times(args.repeat, (partnership, lead, None))
        rows = bench_actions.IMPORT_ACTIONS * bench_actions.IMPORT_GROUPS
        ratio = import_ms / bulk_ms
        print(
            f"Import of {rows:,} action plan rows: {import_ms:.0f} ms; plain bulk_create of the same rows: "
            f"{bulk_ms:.0f} ms; ratio {ratio:.2f}x (target within 5x) {verdict(ratio, 5)}"
        )
        ratios.append((f"Action plan import, {rows:,} rows / bulk_create", ratio, 5))

        ratios.append(("Referral import, 10,000 rows / bulk_create", bench_referrals.bench_import(), 5))

        print()
        ratio = bench_consultations.bench_raw_import(partnership, lead, args.repeat)
        ratios.append(("Raw survey import / parsing alone", ratio, 3))

        print("\nAnnual report (demo partnership, 2015-16)")
        builds = bench_report.measure_builds()
        ratio = builds["full"] / builds["alone"]
        print(
            f"  full build {builds['full']:.2f} s ({builds['pages']} pages), WeasyPrint alone {builds['alone']:.2f} s:"
            f" {ratio:.2f}x (target <= 1.10x) {verdict(ratio, 1.10)}"
        )
        ratios.append(("Report: full build / WeasyPrint alone", ratio, 1.10))
        download = bench_report.measure_download()
        ratio = download["download_ms"] / download["trivial_ms"]
        print(
            f"  download {download['download_ms']:.2f} ms ({download['size']:,} bytes), trivial view "
            f"{download['trivial_ms']:.2f} ms: {ratio:.2f}x (target <= 3x) {verdict(ratio, 3)}"
        )
        ratios.append(("Report: download / trivial view", ratio, 3))
        transaction.set_rollback(True)

    print(f"\nWith {args.partnerships} x {args.years} years present ({connection.vendor}):")
    for what, ratio, target in ratios:
        print(f"  {what:<48}{ratio:>7.2f}x  target <= {target:g}x  {verdict(ratio, target)}")
    met = all(ratio <= target for _, ratio, target in ratios)
    print("All targets met." if met else "Some targets missed.")


if __name__ == "__main__":
    main()
