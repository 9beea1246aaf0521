"""Bulk "My updates" benchmark: saving a whole 40-action quarter in one request against saving one update.

    .venv/bin/python bench/my_updates.py [--repeat 9] [--actions 40]

Builds, in a throwaway database (SQLite in /tmp unless DATABASE_URL is set), a partnership whose coordinator's group
answers for 40 actions, with a quarter open. Then prints, side by side in one run, the median server time (Django
test client, signed in) of:
- "Save drafts" on "My updates" with every one of the 40 rows changed (one request, the bulk service);
- saving one update on its own page ("Save as draft" on the update's page);
- saving one row through the page's draft endpoint (what the script sends as the person types);
and the ratio of the first to the second (target: within 3x). Each save changes every row it sends, so none is
skipped as unchanged.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vawg.settings_test")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/vawg-bench-my-updates.sqlite3")

from bench._db import setup_database  # noqa: E402 (after the settings above)


def build(actions: int):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from actions.models import Action, ActionGroup, Priority, Strategy, UpdateRound, ref_sort_key
    from partnership.models import Membership, OperationalGroup, Partnership

    partnership = Partnership.objects.create(name="Bench partnership", slug="bench", short_name="Bench")
    group = OperationalGroup.objects.create(partnership=partnership, name="Children and health", abbreviation="CHOG")
    coordinator = get_user_model().objects.create(username="bench-coordinator", email="c@example.org")
    Membership.objects.create(user=coordinator, partnership=partnership, role=Membership.Role.COORDINATOR).groups.set(
        [group]
    )
    strategy = Strategy.objects.create(
        partnership=partnership, title="Bench strategy", slug="bench", first_year=2015, last_year=2017
    )
    priority = Priority.objects.create(strategy=strategy, number=1, title="Access")
    created = Action.objects.bulk_create(
        [
            Action(strategy=strategy, priority=priority, ref=f"1.{n}", sort_key=ref_sort_key(f"1.{n}"), text=f"A{n}")
            for n in range(1, actions + 1)
        ]
    )
    ActionGroup.objects.bulk_create([ActionGroup(action=action, group=group) for action in created])
    update_round = UpdateRound.objects.create(
        strategy=strategy, year=2016, quarter=1, deadline=timezone.localdate() + timezone.timedelta(days=30)
    )
    return partnership, group, coordinator, created, update_round


def client_for(user):
    from django.test import Client

    from partnership import mfa

    client = Client()
    client.force_login(user)
    session = client.session
    session[mfa.SESSION_KEY] = mfa.VERIFIED
    session.save()
    return client


def median_ms(prepare, send, repeat: int) -> float:
    """Median time of `send(prepare())`: the data is read before the clock starts."""
    send(prepare(0))  # warm up
    times = []
    for n in range(1, repeat + 1):
        data = prepare(n)
        start = time.perf_counter()
        send(data)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--actions", type=int, default=40)
    options = parser.parse_args()

    setup_database()
    from django.conf import settings
    from django.urls import reverse

    from actions.forms import BulkUpdateRowForm
    from actions.models import ProgressUpdate

    partnership, group, coordinator, actions, update_round = build(options.actions)
    client = client_for(coordinator)

    def versions() -> dict[int, int]:
        return dict(
            ProgressUpdate.objects.filter(group=group, year=2016, quarter=1).values_list("action_id", "version")
        )

    def row(action, version, n):
        prefix = BulkUpdateRowForm.prefix_for(action.pk, group.pk)
        return {
            f"{prefix}-version": version,
            f"{prefix}-successes_and_challenges": f"Progress on {action.ref}, save {n}",
            f"{prefix}-next_steps": f"Next for {action.ref}",
            f"{prefix}-proposed_rating": ("green", "amber", "red")[(action.pk + n) % 3],
        }

    bulk_url = reverse("actions:my_updates", args=[partnership.slug]) + f"?round={update_round.pk}"

    def bulk_data(n):
        current = versions()
        data = {"save": "draft"}
        for action in actions:
            data.update(row(action, current.get(action.pk, 0), n))
        return data

    def bulk_send(data):
        response = client.post(bulk_url, data)
        assert response.status_code == 302, response.status_code

    one = actions[0]
    one_url = reverse("actions:update_edit", args=[partnership.slug, update_round.pk, one.pk, group.pk])

    def one_data(n):
        return {
            "version": versions().get(one.pk, 0),
            "successes_and_challenges": f"Progress on {one.ref}, page save {n}",
            "next_steps": "Keep going",
            "impact": "",
            "proposed_rating": "green",
            "submit": "draft",
        }

    def one_send(data):
        response = client.post(one_url, data)
        assert response.status_code == 302, response.status_code

    draft_url = reverse("actions:update_draft", args=[partnership.slug, update_round.pk, one.pk, group.pk])

    def draft_data(n):
        return row(one, versions().get(one.pk, 0), n + 100)

    def draft_send(data):
        response = client.post(draft_url, data)
        assert response.status_code == 200, response.content

    bulk_ms = median_ms(bulk_data, bulk_send, options.repeat)
    one_ms = median_ms(one_data, one_send, options.repeat)
    draft_ms = median_ms(draft_data, draft_send, options.repeat)
    ratio = bulk_ms / one_ms
    print(f"Database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; median of {options.repeat}\n")
    print(f"{'Save':<52}{'ms':>9}")
    print(f"{f'{options.actions} actions in one request (Save drafts)':<52}{bulk_ms:>9.1f}")
    print(f"{'one update on its own page (Save as draft)':<52}{one_ms:>9.1f}")
    print(f"{'one row through the draft endpoint (as typed)':<52}{draft_ms:>9.1f}")
    print(
        f"\nRatio {options.actions} actions / one update: {ratio:.2f}x (target within 3x) "
        f"{'ok' if ratio <= 3 else 'OVER'}"
    )


if __name__ == "__main__":
    main()
