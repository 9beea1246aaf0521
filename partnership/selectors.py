from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch

from partnership.models import (
    Borough,
    BoroughPopulation,
    ColumnMapping,
    Membership,
    OperationalGroup,
    Partnership,
)


@dataclass
class GroupNode:
    group: OperationalGroup
    members: list[Membership]
    children: list[GroupNode] = field(default_factory=list)


def governance_tree(partnership: Partnership) -> list[GroupNode]:
    """The groups as a tree (board -> executive group -> operational groups), in two queries."""
    groups = list(
        OperationalGroup.objects.filter(partnership=partnership)
        .select_related("chair", "coordinator")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("user").order_by("user__last_name", "user__first_name"),
            )
        )
    )
    nodes = {group.pk: GroupNode(group=group, members=list(group.memberships.all())) for group in groups}
    roots: list[GroupNode] = []
    for group in groups:
        node = nodes[group.pk]
        parent = nodes.get(group.parent_id)
        (parent.children if parent else roots).append(node)
    return roots


def boroughs_with_populations(partnership: Partnership) -> list[Borough]:
    return list(
        Borough.objects.filter(partnership=partnership).prefetch_related(
            Prefetch("populations", queryset=BoroughPopulation.objects.order_by("-year"))
        )
    )


def partnership_overview(partnership: Partnership) -> dict:
    return {
        "borough_count": Borough.objects.filter(partnership=partnership).count(),
        "group_counts": {
            row["kind"]: row["n"]
            for row in OperationalGroup.objects.filter(partnership=partnership)
            .values("kind")
            .order_by()
            .annotate(n=Count("id"))
        },
        "member_count": Membership.objects.filter(partnership=partnership).count(),
    }


def column_mapping_for(partnership: Partnership, kind: str) -> dict[str, str]:
    """The columns the partnership last imported a file of this kind with (field -> heading), or none."""
    found = ColumnMapping.objects.filter(partnership=partnership, kind=kind).first()
    return dict(found.mapping) if found else {}


def coordinators_of(partnership: Partnership, group_ids) -> list:
    """The users who coordinate any of the groups (the people told of their groups' updates and ratings)."""
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(
            memberships__partnership=partnership,
            memberships__role=Membership.Role.COORDINATOR,
            memberships__groups__in=list(group_ids),
        )
        .distinct()
    )


def notifications_for(membership: Membership):
    """A member's notifications in this partnership, newest first."""
    from partnership.models import Notification

    return Notification.objects.filter(partnership_id=membership.partnership_id, recipient_id=membership.user_id)
