"""Synthetic partnerships at realistic volumes, for measuring the service at scale (`manage.py generate_scale_data`).

Every partnership gets 2-4 boroughs with populations, 6-10 groups in a governance tree (board -> executive ->
operational groups -> a task and finish group), one member account per group plus a strategic lead; then each app
that keeps a partnership's records adds its own from its `scale_data` module, registered here when the app is
ready (`register`), in the order of INSTALLED_APPS: the action plan (actions), the figures (referrals), a
consultation (consultations). See each module for what it makes.

Rows are written with `bulk_create` in batches, so nothing here goes through the services' `full_clean()`: the
values are drawn so that they meet every database constraint and the services' rules. Output depends only on
the seed and the arguments (`random.Random(seed)`, fixed dates), never on the clock or on existing rows.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from audit.models import AuditEvent
from partnership.models import (
    Borough,
    BoroughPopulation,
    ChartDrawing,
    Membership,
    OperationalGroup,
    Partnership,
)
from vawg.periods import Quarter

SLUG_PREFIX = "scale-"
# The last financial year generated (2025-26), fixed so that a seed gives the same data whatever the date.
LAST_YEAR = 2025
BATCH_SIZE = 2000

BOROUGH_NAMES = [
    "Northfield",
    "Southmoor",
    "Eastbrook",
    "Westvale",
    "Kingsford",
    "Ashbury",
    "Riverside",
    "Highgate Hill",
    "Millbank",
    "Stonebridge",
]
OPERATIONAL_GROUPS = [
    ("Children and Health Operational Group", "CHOG"),
    ("Housing Operational Group", "HOG"),
    ("Safer Streets Group", "SSG"),
    ("Risk and Review Group", "R&R"),
    ("Harmful Practices Group", "HP"),
    ("Communications Group", "COMMS"),
    ("Commissioning Group", "CSCG"),
]


@dataclass
class Counts:
    by_model: Counter = field(default_factory=Counter)

    def add(self, model, rows: list) -> list:
        created = model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        self.by_model[model._meta.label] += len(rows)
        return created


@dataclass
class ScalePartnership:
    """One generated partnership as the apps' steps receive it: its governance made, its records to come."""

    rng: random.Random
    counts: Counts
    partnership: Partnership
    years: list[int]
    quarters: list[Quarter]
    boroughs: list[Borough]
    groups: list[OperationalGroup]  # the board first
    users: dict  # group pk -> its coordinator, and "lead"

    @property
    def lead(self):
        return self.users["lead"]

    @property
    def operational(self) -> list[OperationalGroup]:
        """The groups that answer for actions: all but the board."""
        return [g for g in self.groups if g.kind != OperationalGroup.Kind.STRATEGIC_BOARD]


@dataclass(frozen=True)
class Step:
    """An app's part of the scale data: `generate` adds its records to one partnership; `tables` are its models
    with the lookup from each to the partnership, in the order their rows are deleted."""

    app: str
    generate: Callable[[ScalePartnership], None]
    tables: list[tuple[type, str]]


_steps: dict[str, Step] = {}


def register(step: Step) -> None:
    """Called by each app's `ready()`, so the apps' order is INSTALLED_APPS'."""
    _steps[step.app] = step


def steps() -> list[Step]:
    return list(_steps.values())


def years_for(count: int) -> list[int]:
    return list(range(LAST_YEAR - count + 1, LAST_YEAR + 1))


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def after(period: Quarter, days: int) -> datetime:
    """Reviews of a quarter happen in the weeks after it ends."""
    return at(period.next.starts_on + timedelta(days=days))


def existing_slugs() -> list[str]:
    return list(Partnership.objects.filter(slug__startswith=SLUG_PREFIX).values_list("slug", flat=True))


def delete_scale_data() -> int:
    """Remove every generated partnership and its accounts.

    The big tables go with raw deletes: the ORM's cascade would load every row to send the audit log's
    delete signals (and PROTECT on groups blocks deleting a partnership whose groups still have updates).
    """
    partnerships = Partnership.objects.filter(slug__startswith=SLUG_PREFIX)
    ids = list(partnerships.values_list("pk", flat=True))
    if not ids:
        return 0
    raw = [table for step in steps() for table in step.tables] + [
        (Membership.groups.through, "membership__partnership__in"),
        (Membership, "partnership__in"),
        (BoroughPopulation, "borough__partnership__in"),
        (Borough, "partnership__in"),
    ]
    with transaction.atomic():
        for drawing in ChartDrawing.objects.filter(partnership__in=ids):
            drawing.svg.delete(save=False)  # the stored files of their charts, then the rows below
        raw.append((ChartDrawing, "partnership__in"))
        for model, path in raw:
            model.objects.filter(**{path: ids})._raw_delete(connection.alias)
        groups = OperationalGroup.objects.filter(partnership__in=ids)
        groups.update(parent=None)
        groups._raw_delete(connection.alias)
        # As the audit log's SET_NULL would: its events outlive the partnership.
        AuditEvent.objects.filter(partnership__in=ids).update(partnership=None)
        partnerships._raw_delete(connection.alias)
        get_user_model().objects.filter(username__startswith=SLUG_PREFIX).delete()
    return len(ids)


def generate(*, partnerships: int, years: int, seed: int, progress=None) -> Counter:
    """Create `partnerships` partnerships slugged scale-001... with `years` financial years of data each."""
    if partnerships < 1 or years < 1:
        raise ValueError("Give at least one partnership and one year.")
    counts = Counts()
    password = make_password(None)  # unusable: these accounts are for force_login in benchmarks and tests
    for number in range(1, partnerships + 1):
        # One generator per partnership: partnership n is the same whatever the total asked for.
        rng = random.Random(f"{seed}-{number}")  # noqa: S311 - synthetic data, reproducible on purpose
        with transaction.atomic():
            _partnership(rng, counts, number, years_for(years), password)
        if progress:
            progress(number)
    return counts.by_model


def _partnership(rng: random.Random, counts: Counts, number: int, years: list[int], password: str) -> None:
    slug = f"{SLUG_PREFIX}{number:03d}"
    partnership = Partnership.objects.create(
        name=f"Scale VAWG Partnership {number:03d}", slug=slug, short_name=f"Scale {number:03d}"
    )
    counts.by_model["partnership.Partnership"] += 1
    quarters = [Quarter(year, q) for year in years for q in range(1, 5)]

    boroughs = counts.add(
        Borough,
        [
            Borough(partnership=partnership, name=name, short_name=name[:4].upper(), ons_code=f"E0900{i:04d}")
            for i, name in enumerate(rng.sample(BOROUGH_NAMES, rng.randint(2, 4)))
        ],
    )
    populations = []
    for borough in boroughs:
        base = rng.randint(150_000, 320_000)
        for year in years:
            population = base + (year - years[0]) * rng.randint(500, 2500)
            populations.append(
                BoroughPopulation(
                    borough=borough, year=year, population=population, females_16_plus=int(population * 0.41)
                )
            )
    counts.add(BoroughPopulation, populations)

    groups, users = _governance(rng, counts, partnership, password)
    world = ScalePartnership(rng, counts, partnership, years, quarters, boroughs, groups, users)
    for step in steps():
        step.generate(world)


def _governance(rng, counts: Counts, partnership: Partnership, password: str):
    User = get_user_model()
    n_operational = rng.randint(3, 6)  # plus board, executive and one task and finish group: 6-9 groups
    chosen = rng.sample(OPERATIONAL_GROUPS, n_operational)
    board, executive = counts.add(
        OperationalGroup,
        [
            OperationalGroup(
                partnership=partnership,
                name="VAWG Strategic Board",
                abbreviation="BOARD",
                kind=OperationalGroup.Kind.STRATEGIC_BOARD,
                chair_title="Director of Community Safety",
                display_order=0,
            ),
            OperationalGroup(
                partnership=partnership,
                name="VAWG Executive Group",
                abbreviation="EXEC",
                kind=OperationalGroup.Kind.EXECUTIVE_GROUP,
                display_order=1,
            ),
        ],
    )
    executive.parent = board
    executive.save(update_fields=["parent"])
    middle = counts.add(
        OperationalGroup,
        [
            OperationalGroup(
                partnership=partnership,
                name=name,
                abbreviation=abbreviation,
                parent=executive,
                remit=f"Delivers the {name.lower()}'s actions of the strategy.",
                display_order=2 + i,
            )
            for i, (name, abbreviation) in enumerate(chosen)
        ],
    )
    extra = []
    if rng.random() < 0.5:
        # A second task and finish group now and then makes 10 groups.
        extra.append(("Training Task and Finish Group", "TRAIN"))
    extra.append(("Needs Assessment Task and Finish Group", "NA"))
    finish = counts.add(
        OperationalGroup,
        [
            OperationalGroup(
                partnership=partnership,
                name=name,
                abbreviation=abbreviation,
                kind=OperationalGroup.Kind.TASK_AND_FINISH,
                parent=rng.choice(middle),
                display_order=20 + i,
            )
            for i, (name, abbreviation) in enumerate(extra)
        ],
    )
    groups = [board, executive, *middle, *finish]
    slug = partnership.slug
    people = [("lead", "Strategic", "Lead")] + [(g.abbreviation, "Coordinator", g.abbreviation) for g in groups[1:]]
    people.append(("board", "Board", "Member"))
    created = counts.add(
        User,
        [
            User(
                username=f"{slug}-{key.lower().replace('&', '')}",
                first_name=first,
                last_name=last,
                email=f"{key.lower().replace('&', '')}@{slug}.example.org",
                password=password,
            )
            for key, first, last in people
        ],
    )
    users = {key: user for (key, _, _), user in zip(people, created, strict=True)}
    memberships = counts.add(
        Membership,
        [
            Membership(
                user=users[key],
                partnership=partnership,
                role=(
                    Membership.Role.STRATEGIC_LEAD
                    if key == "lead"
                    else Membership.Role.BOARD_MEMBER
                    if key == "board"
                    else Membership.Role.COORDINATOR
                ),
                job_title=f"{first} {last}",
            )
            for key, first, last in people
        ],
    )
    by_abbreviation = {g.abbreviation: g for g in groups}
    through = Membership.groups.through
    links = [
        through(membership_id=m.pk, operationalgroup_id=by_abbreviation[key].pk)
        for (key, _, _), m in zip(people, memberships, strict=True)
        if key in by_abbreviation
    ]
    links.append(through(membership_id=memberships[-1].pk, operationalgroup_id=board.pk))
    counts.add(through, links)
    for group in groups[1:]:
        group.coordinator = users[group.abbreviation]
    OperationalGroup.objects.bulk_update(groups[1:], ["coordinator"])
    users_by_group = {by_abbreviation[key].pk: users[key] for key in users if key in by_abbreviation}
    users_by_group["lead"] = users["lead"]
    return groups, users_by_group
