"""The demo partnerships, one per partnership the seed documents describe; loaded idempotently by `manage.py load_demo`.

- tri-borough (fixtures/demo_partnership.json): seeds 003 and 004;
- tower-hamlets (fixtures/demo_tower_hamlets.json): seeds 000 and 001;
- barking-dagenham (fixtures/demo_barking_dagenham.json): seed 002.

Each is whole and isolated: its own boroughs, groups and accounts. An account may appear in more than one file
(with the same name and e-mail): it then belongs to each of those partnerships, with the role each file gives it.
What goes into each partnership beyond this is each app's `demo.STEPS[slug]` (see the load_demo command).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from partnership.models import (
    Borough,
    BoroughPopulation,
    Membership,
    OperationalGroup,
    Partnership,
)

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
FIXTURE = FIXTURES / "demo_partnership.json"
# Loaded in this order; the slug is the partnership's address (/tri-borough/...).
PARTNERSHIPS = {
    "tri-borough": FIXTURE,
    "tower-hamlets": FIXTURES / "demo_tower_hamlets.json",
    "barking-dagenham": FIXTURES / "demo_barking_dagenham.json",
}
DEMO_PASSWORD = "VAWG-demo-2015-16"


def demo_accounts(slug: str = "tri-borough") -> list[dict]:
    return json.loads(PARTNERSHIPS[slug].read_text())["accounts"]


@transaction.atomic
def load(slug: str = "tri-borough", *, with_passwords: bool) -> Partnership:
    data = json.loads(PARTNERSHIPS[slug].read_text())
    if data["partnership"]["slug"] != slug:
        raise ValueError(f"{PARTNERSHIPS[slug].name} describes {data['partnership']['slug']}, not {slug}.")
    partnership, _ = Partnership.objects.update_or_create(
        slug=slug,
        defaults={k: v for k, v in data["partnership"].items() if k != "slug"},
    )
    for row in data["boroughs"]:
        borough, _ = Borough.objects.update_or_create(
            partnership=partnership,
            short_name=row["short_name"],
            defaults={"name": row["name"], "ons_code": row["ons_code"]},
        )
        # A seed that gives no population leaves the borough without one (its rates show as unknown).
        for year, population, females in row.get("populations", []):
            BoroughPopulation.objects.update_or_create(
                borough=borough,
                year=year,
                defaults={"population": population, "females_16_plus": females},
            )

    groups: dict[str, OperationalGroup] = {}
    for order, row in enumerate(data["groups"]):
        groups[row["abbreviation"]], _ = OperationalGroup.objects.update_or_create(
            partnership=partnership,
            abbreviation=row["abbreviation"],
            defaults={
                "name": row["name"],
                "kind": row["kind"],
                "remit": row["remit"],
                "chair_title": row.get("chair_title", ""),
                "display_order": order,
                "parent": groups.get(row["parent"]) if row["parent"] else None,
            },
        )

    User = get_user_model()
    for row in data["accounts"]:
        user, _ = User.objects.update_or_create(
            username=row["username"],
            defaults={
                "first_name": row["first_name"],
                "last_name": row["last_name"],
                "email": row["email"],
                "is_staff": row.get("staff", False),
                "is_superuser": row.get("staff", False),
                "is_active": True,
            },
        )
        # Demo passwords exist only where DEBUG is on; elsewhere the accounts cannot sign in until reset.
        if with_passwords:
            user.set_password(DEMO_PASSWORD)
        else:
            user.set_unusable_password()
        user.save(update_fields=["password"])
        if row["role"]:
            membership, _ = Membership.objects.update_or_create(
                user=user,
                partnership=partnership,
                defaults={
                    "role": row["role"],
                    "job_title": row["job_title"],
                    "organisation": row["organisation"],
                },
            )
            membership.groups.set([groups[abbreviation] for abbreviation in row["groups"]])
        for abbreviation in row.get("chair_of", []):
            OperationalGroup.objects.filter(pk=groups[abbreviation].pk).update(chair=user)
        for abbreviation in row.get("coordinator_of", []):
            OperationalGroup.objects.filter(pk=groups[abbreviation].pk).update(coordinator=user)
    return partnership
