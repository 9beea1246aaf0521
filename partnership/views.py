from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from partnership import selectors
from partnership.models import OperationalGroup
from vawg.access import partnership_view


@partnership_view()
def home(request: HttpRequest) -> HttpResponse:
    request.current_section = "home"
    partnership = request.partnership
    overview = selectors.partnership_overview(partnership)
    my_groups = list(request.membership.groups.order_by("display_order", "name"))
    return render(
        request,
        "partnership/home.html",
        {
            "overview": overview,
            "operational_group_count": overview["group_counts"].get(OperationalGroup.Kind.OPERATIONAL_GROUP, 0),
            "my_groups": my_groups,
        },
    )


@partnership_view()
def governance(request: HttpRequest) -> HttpResponse:
    request.current_section = "governance"
    return render(
        request,
        "partnership/governance.html",
        {"tree": selectors.governance_tree(request.partnership)},
    )


@partnership_view()
def boroughs(request: HttpRequest) -> HttpResponse:
    request.current_section = "boroughs"
    return render(
        request,
        "partnership/boroughs.html",
        {"boroughs": selectors.boroughs_with_populations(request.partnership)},
    )
