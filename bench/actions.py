"""Action plan benchmark: page server time on a large plan against the demo plan, and import speed.

    .venv/bin/python bench/actions.py [--repeat 7]

Builds, in a throwaway database (SQLite in /tmp unless DATABASE_URL is set), the demo partnership (seed 003's
43-action plan) and a large one: 400 actions x 6 groups x 12 quarters (4,800 ratings with their history rows,
28,800 progress updates). Then prints, side by side in one run:
- the median server time (Django test client, signed in) of the action plan, the RAG summary, "My updates" and
  an action's page on the demo plan and on the large plan, with the ratio (target: within 2x);
- importing a 2,000-row action plan file (read, check every row, write actions, groups, updates, ratings and
  history) against a plain `bulk_create` of the same actions, groups, updates and ratings (target: within 5x).
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
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/vawg-bench-actions.sqlite3")

from bench._db import setup_database  # noqa: E402 (after the settings above)

ACTIONS, GROUPS, PRIORITIES = 400, 6, 7
QUARTERS = [(year, quarter) for year in (2013, 2014, 2015) for quarter in (1, 2, 3, 4)]  # 12 quarters
IMPORT_ACTIONS, IMPORT_GROUPS = 400, 5  # 2,000 rows


def build_demo():
    from actions import demo as actions_demo
    from partnership import demo as partnership_demo

    partnership = partnership_demo.load(with_passwords=False)
    actions_demo.load(partnership)
    return partnership


def build_large():
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from actions.models import (
        Action,
        ActionGroup,
        Priority,
        ProgressUpdate,
        RagRating,
        RagRatingChange,
        Strategy,
        UpdateRound,
        ref_sort_key,
    )
    from partnership.models import Membership, OperationalGroup, Partnership

    partnership = Partnership.objects.create(name="Large partnership", slug="large", short_name="Large")
    groups = [
        OperationalGroup.objects.create(partnership=partnership, name=f"Group {i}", abbreviation=f"G{i}")
        for i in range(GROUPS)
    ]
    User = get_user_model()
    lead = User.objects.create(username="large-lead")
    coordinator = User.objects.create(username="large-coordinator")
    Membership.objects.create(user=lead, partnership=partnership, role=Membership.Role.STRATEGIC_LEAD)
    Membership.objects.create(user=coordinator, partnership=partnership, role=Membership.Role.COORDINATOR).groups.set(
        groups[:2]
    )
    strategy = Strategy.objects.create(
        partnership=partnership, title="Large", slug="large", first_year=2013, last_year=2016
    )
    priorities = [
        Priority.objects.create(strategy=strategy, number=n + 1, title=f"Priority {n + 1}") for n in range(PRIORITIES)
    ]
    refs = [f"{i % PRIORITIES + 1}.{i // PRIORITIES + 1}" for i in range(ACTIONS)]
    actions = Action.objects.bulk_create(
        [
            Action(
                strategy=strategy,
                priority=priorities[i % PRIORITIES],
                ref=ref,
                sort_key=ref_sort_key(ref),
                text=f"Action {ref}: a strategic action of some length, as the plan words them. " * 3,
            )
            for i, ref in enumerate(refs)
        ]
    )
    ActionGroup.objects.bulk_create([ActionGroup(action=a, group=g) for a in actions for g in groups])
    now = timezone.now()
    scale = ["red", "amber", "green", "complete"]
    ratings = RagRating.objects.bulk_create(
        [
            RagRating(action=a, year=y, quarter=q, rating=scale[(i + q + y) % 4], reason="Why", set_at=now, set_by=lead)
            for i, a in enumerate(actions)
            for y, q in QUARTERS
        ]
    )
    RagRatingChange.objects.bulk_create(
        [
            RagRatingChange(
                rating=r,
                action_id=r.action_id,
                year=r.year,
                quarter=r.quarter,
                new=r.rating,
                reason="Why",
                version=1,
                changed_by=lead,
                changed_at=now,
            )
            for r in ratings
        ],
        batch_size=2000,
    )
    ProgressUpdate.objects.bulk_create(
        [
            ProgressUpdate(
                action=a,
                group=g,
                year=y,
                quarter=q,
                status=ProgressUpdate.Status.ACCEPTED,
                updated_at=now,
                successes_and_challenges=f"Progress of {g.abbreviation} on {a.ref} in {y} Q{q}. " * 4,
                next_steps="Next steps for the coming quarter.",
            )
            for a in actions
            for g in groups
            for y, q in QUARTERS
        ],
        batch_size=2000,
    )
    UpdateRound.objects.create(strategy=strategy, year=2016, quarter=1, deadline=now.date(), opened_by=lead)
    # The rows above are written directly, so no change reaches the task runner: draw and store the charts as it
    # would once the data changed (the demo's were stored as it loaded), so both plans' pages read stored drawings.
    from partnership.charts import draw_stored

    draw_stored(partnership)
    return partnership, lead, coordinator


def median_ms(function, repeat: int) -> float:
    function()  # warm up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def page_times(repeat: int, demo, large) -> list[tuple[str, float, float]]:
    from django.test import Client
    from django.urls import reverse

    from actions.models import Action
    from partnership.models import Membership

    def client_for(user):
        client = Client()
        client.force_login(user)
        try:  # signed in with the second factor already entered, as the test suite's client is
            from partnership import mfa
        except ImportError:
            return client
        session = client.session
        session[mfa.SESSION_KEY] = mfa.VERIFIED
        session.save()
        return client

    results = []
    demo_lead = Membership.objects.filter(partnership=demo, role="strategic_lead").first().user
    demo_coordinator = Membership.objects.filter(partnership=demo, role="coordinator").first().user
    large_partnership, large_lead, large_coordinator = large
    pages = [
        ("Action plan", "actions:plan", {}, "lead"),
        ("RAG summary (year)", "actions:summary", {}, "lead"),
        ("My updates", "actions:my_updates", {}, "coordinator"),
        ("Action page", "actions:action_detail", {"action_id": None}, "lead"),
    ]
    for label, name, kwargs, who in pages:
        timings = []
        for partnership, lead, coordinator, query in (
            (demo, demo_lead, demo_coordinator, "?strategy=2015-18&year=2015"),
            (large_partnership, large_lead, large_coordinator, "?strategy=large&year=2015"),
        ):
            args = dict(kwargs)
            if "action_id" in args:
                args["action_id"] = (
                    Action.objects.filter(strategy__partnership=partnership).order_by("sort_key").first().pk
                )
            url = reverse(name, kwargs={"partnership_slug": partnership.slug, **args}) + query
            client = client_for(lead if who == "lead" else coordinator)

            def fetch(client=client, url=url):
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)

            timings.append(median_ms(fetch, repeat))
        results.append((label, *timings))
    return results


def import_rows(prefix: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Priority", "Ref", "Action", "Group", "Progress", "RAG", "Next steps"])
    scale = ["Red", "Amber", "Green", "Complete"]
    for i in range(IMPORT_ACTIONS):
        ref = f"{i % PRIORITIES + 1}.{i // PRIORITIES + 1}"
        for g in range(IMPORT_GROUPS):
            writer.writerow(
                [
                    i % PRIORITIES + 1,
                    ref,
                    f"{prefix} action {ref}",
                    f"G{g}",
                    f"Progress {ref} G{g}",
                    scale[i % 4],
                    "More",
                ]
            )
    return buffer.getvalue().encode()


def import_times(repeat: int, large) -> tuple[float, float]:
    from django.db import transaction
    from django.utils import timezone

    from actions.models import Action, ActionGroup, Priority, ProgressUpdate, RagRating, Strategy, ref_sort_key
    from actions.plan_file import check_and_apply
    from partnership.models import OperationalGroup
    from vawg.periods import Quarter

    partnership, lead, _ = large
    data = import_rows("Imported")

    class Rollback(Exception):
        pass

    def new_strategy():
        strategy = Strategy.objects.create(
            partnership=partnership, title="Import", slug="import", first_year=2020, last_year=2020
        )
        Priority.objects.bulk_create(
            [Priority(strategy=strategy, number=n + 1, title=f"P{n + 1}") for n in range(PRIORITIES)]
        )
        return strategy

    def run_import():
        try:
            with transaction.atomic():
                strategy = new_strategy()
                report = check_and_apply(
                    strategy=strategy, period=Quarter(2020, 4), file=data, filename="plan.csv", user=lead, dry_run=False
                )
                assert report.ok and len(report.actions_created) == IMPORT_ACTIONS, report.errors.messages()
                raise Rollback
        except Rollback:
            pass

    groups = {g.abbreviation: g for g in OperationalGroup.objects.filter(partnership=partnership)}

    def run_bulk_create():
        try:
            with transaction.atomic():
                strategy = new_strategy()
                priorities = {p.number: p for p in strategy.priorities.all()}
                reader = csv.DictReader(io.StringIO(data.decode()))
                rows = list(reader)
                now = timezone.now()
                actions = {}
                for row in rows:
                    if row["Ref"] not in actions:
                        actions[row["Ref"]] = Action(
                            strategy=strategy,
                            priority=priorities[int(row["Priority"])],
                            ref=row["Ref"],
                            sort_key=ref_sort_key(row["Ref"]),
                            text=row["Action"],
                        )
                Action.objects.bulk_create(list(actions.values()))
                ActionGroup.objects.bulk_create(
                    [ActionGroup(action=actions[r["Ref"]], group=groups[r["Group"]]) for r in rows]
                )
                ProgressUpdate.objects.bulk_create(
                    [
                        ProgressUpdate(
                            action=actions[r["Ref"]],
                            group=groups[r["Group"]],
                            year=2020,
                            quarter=4,
                            successes_and_challenges=r["Progress"],
                            next_steps=r["Next steps"],
                            status="accepted",
                            updated_at=now,
                        )
                        for r in rows
                    ]
                )
                RagRating.objects.bulk_create(
                    [
                        RagRating(action=a, year=2020, quarter=4, rating=rows[0]["RAG"].lower(), set_at=now)
                        for a in actions.values()
                    ]
                )
                raise Rollback
        except Rollback:
            pass

    return median_ms(run_import, repeat), median_ms(run_bulk_create, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    options = parser.parse_args()

    setup_database()
    started = time.perf_counter()
    demo = build_demo()
    large = build_large()
    from django.conf import settings

    print(
        f"Database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; "
        f"data built in {time.perf_counter() - started:.1f} s"
    )
    print(
        f"Large plan: {ACTIONS} actions x {GROUPS} groups x {len(QUARTERS)} quarters "
        f"({ACTIONS * len(QUARTERS):,} ratings, {ACTIONS * GROUPS * len(QUARTERS):,} progress updates)\n"
    )
    print(f"{'Page':<22}{'demo (ms)':>12}{'large (ms)':>12}{'ratio':>8}   target within 2x")
    worst = 0.0
    for label, demo_ms, large_ms in page_times(options.repeat, demo, large):
        ratio = large_ms / demo_ms
        worst = max(worst, ratio)
        print(f"{label:<22}{demo_ms:>12.1f}{large_ms:>12.1f}{ratio:>7.2f}x   {'ok' if ratio <= 2 else 'OVER'}")
    import_ms, bulk_ms = import_times(max(3, options.repeat // 2), large)
    ratio = import_ms / bulk_ms
    print(
        f"\nImport of {IMPORT_ACTIONS * IMPORT_GROUPS:,} rows: {import_ms:.0f} ms; plain bulk_create of the same rows: "
        f"{bulk_ms:.0f} ms; ratio {ratio:.2f}x (target within 5x) {'ok' if ratio <= 5 else 'OVER'}"
    )
    print(f"Worst page ratio {worst:.2f}x")


if __name__ == "__main__":
    main()
