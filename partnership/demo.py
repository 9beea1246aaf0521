"""Demo partnership from seed 003; loaded idempotently by `manage.py load_demo`."""

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

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "demo_partnership.json"
DEMO_PASSWORD = "VAWG-demo-2015-16"


def demo_accounts() -> list[dict]:
    return json.loads(FIXTURE.read_text())["accounts"]


@transaction.atomic
def load(*, with_passwords: bool) -> Partnership:
    data = json.loads(FIXTURE.read_text())
    partnership, _ = Partnership.objects.update_or_create(
        slug=data["partnership"]["slug"],
        defaults={k: v for k, v in data["partnership"].items() if k != "slug"},
    )
    for row in data["boroughs"]:
        borough, _ = Borough.objects.update_or_create(
            partnership=partnership,
            short_name=row["short_name"],
            defaults={"name": row["name"], "ons_code": row["ons_code"]},
        )
        for year, population, females in row["populations"]:
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
