"""Main pages at scale: server time and query count on the demo partnership against one partnership of a large database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vawg_scale .venv/bin/python bench/pages_at_scale.py \
        [--partnerships 50] [--years 10] [--seed 1] [--repeat 7]

Uses the database in DATABASE_URL (SQLite /tmp/vawg-bench-scale.sqlite3 if unset): migrates it, loads the demo
partnership (`load_demo`, idempotent) and, unless it is there already, generates `--partnerships` x `--years`
with `generate_scale_data`. Then, side by side in one run, each page's median server time (Django test client,
in process, signed in) and query count on the demo partnership and on the largest generated partnership (most
actions), with the ratios. Targets: time within 2x, the same query count.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vawg.settings_test")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/vawg-bench-scale.sqlite3")
warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic needed here


def setup(partnerships: int, years: int, seed: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection

    # Keep one connection across requests, as the test client does (and as CONN_MAX_AGE does in production),
    # so that the query log survives the request and connecting is not timed.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    from actions.models import Strategy
    from partnership import scale_data
    from partnership.models import Partnership

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - silenced output for the command's life
    have = Partnership.objects.filter(slug__startswith=scale_data.SLUG_PREFIX).count()
    strategy = Strategy.objects.filter(partnership__slug=f"{scale_data.SLUG_PREFIX}001").first()
    have_years = strategy.last_year - strategy.first_year + 1 if strategy else 0
    if (have, have_years) != (partnerships, years):
        start = time.perf_counter()
        print(f"Generating {partnerships} partnerships x {years} years (seed {seed})...", flush=True)
        call_command(
            "generate_scale_data",
            partnerships=partnerships,
            years=years,
            seed=seed,
            replace=True,
            stdout=open(os.devnull, "w"),  # noqa: SIM115
        )
        print(f"  generated in {time.perf_counter() - start:.1f} s")
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def signed_in(user):
    from django.test import Client

    from partnership import mfa

    client = Client()
    client.force_login(user)
    # As a lead who has entered their second factor (tests/conftest.py SignedInClient does the same).
    session = client.session
    if session.get(mfa.SESSION_KEY) in (mfa.SETUP, mfa.VERIFY):
        session[mfa.SESSION_KEY] = mfa.VERIFIED
        session.save()
    return client


def subjects(partnership):
    """The lead, a coordinator (of the group answering for most actions), the action with the most updates and
    the consultation with the most results."""
    from django.db.models import Count

    from actions.models import Action
    from consultations.models import Consultation
    from partnership.models import Membership, OperationalGroup

    lead = Membership.objects.filter(partnership=partnership, role=Membership.Role.STRATEGIC_LEAD).first().user
    group = (
        OperationalGroup.objects.filter(partnership=partnership, coordinator__isnull=False)
        .annotate(n=Count("responsibilities"))
        .order_by("-n", "pk")
        .first()
    )
    action = (
        Action.objects.filter(strategy__partnership=partnership)
        .annotate(n=Count("progress_updates"))
        .order_by("-n", "pk")
        .first()
    )
    # The consultation with the most results: like the generated survey, it has charts, themes and quotes (the
    # demo's consultation with the most questions stores no counts, so it would draw no chart).
    consultation = (
        Consultation.objects.filter(partnership=partnership)
        .annotate(n=Count("questions__counts"))
        .order_by("-n", "pk")
        .first()
    )
    return {"lead": lead, "coordinator": group.coordinator, "action": action, "consultation": consultation}


def pages(partnership, s) -> list[tuple[str, str, str]]:
    from django.urls import reverse

    slug = partnership.slug
    return [
        ("Partnership home", reverse("partnership:home", args=[slug]), "lead"),
        ("Action plan", reverse("actions:plan", args=[slug]), "lead"),
        ("RAG summary", reverse("actions:summary", args=[slug]), "lead"),
        ("My updates", reverse("actions:my_updates", args=[slug]), "coordinator"),
        ("Action page", reverse("actions:action_detail", args=[slug, s["action"].pk]), "lead"),
        ("MARAC", reverse("referrals:marac", args=[slug]), "lead"),
        ("Referrals pivot", reverse("referrals:referrals", args=[slug]), "lead"),
        ("Justice", reverse("referrals:justice", args=[slug]), "lead"),
        ("Indicators", reverse("referrals:indicators", args=[slug]), "lead"),
        (
            "Consultation",
            reverse("consultations:consultation_detail", args=[slug, s["consultation"].slug]),
            "lead",
        ),
    ]


def measure(client, url: str, repeat: int) -> tuple[float, int]:
    """(median seconds of `repeat` calls after one warm-up call, queries of one call after the warm-up).

    Queries are counted after the warm-up too: a first view can draw and store charts (the consultation page
    does after `load_demo` has replaced the demo's results), which later views read back."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url, HTTP_HOST="localhost")
    assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_HOST="localhost")
    assert response.status_code == 200, (url, response.status_code)
    # Counted now: the next request's request_started signal empties the query log the capture reads from.
    query_count = len(queries.captured_queries)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url, HTTP_HOST="localhost")
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), query_count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partnerships", type=int, default=50)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    setup(args.partnerships, args.years, args.seed)

    from django.db import connection
    from django.db.models import Count

    from actions.models import ProgressUpdate
    from partnership import scale_data
    from partnership.models import Partnership

    demo = Partnership.objects.get(slug="tri-borough")
    large = (
        Partnership.objects.filter(slug__startswith=scale_data.SLUG_PREFIX)
        .annotate(n=Count("strategies__actions"))
        .order_by("-n", "slug")
        .first()
    )
    print(
        f"Database: {connection.vendor}, {Partnership.objects.count()} partnerships, "
        f"{ProgressUpdate.objects.count():,} progress updates in all"
    )
    print(
        f"Demo partnership ({demo.slug}) against {large.slug} ({large.n} actions) of "
        f"{args.partnerships} x {args.years} years; median of {args.repeat} after one warm-up call"
    )
    header = f"{'page':<18}{'demo ms':>9}{'scale ms':>10}{'ratio':>8}{'demo q':>8}{'scale q':>9}  verdict"
    print(header)
    ok = True
    sides = []
    for partnership in (demo, large):
        s = subjects(partnership)
        clients = {"lead": signed_in(s["lead"]), "coordinator": signed_in(s["coordinator"])}
        sides.append((clients, pages(partnership, s)))
    for index, (label, _, who) in enumerate(sides[0][1]):
        (demo_time, demo_q), (large_time, large_q) = (
            measure(clients[who], page_list[index][1], args.repeat) for clients, page_list in sides
        )
        ratio = large_time / demo_time
        good = ratio <= 2.0 and large_q == demo_q
        ok &= good
        print(
            f"{label:<18}{demo_time * 1000:>9.1f}{large_time * 1000:>10.1f}{ratio:>7.2f}x{demo_q:>8}{large_q:>9}  "
            + ("ok" if good else ("SLOW " if ratio > 2 else "") + ("QUERIES DIFFER" if large_q != demo_q else ""))
        )
    print("All targets met (time within 2x, same query count)." if ok else "Some targets missed.")


if __name__ == "__main__":
    main()
