from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from partnership import selectors, services
from partnership.forms import PartnershipSettingsForm
from partnership.models import OperationalGroup
from referrals.selectors import headline_figures
from vawg.access import LEAD, partnership_view
from vawg.concurrency import StaleEdit


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
            "figures": headline_figures(partnership),
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


@partnership_view(LEAD, methods=("GET", "POST"))
def settings(request: HttpRequest) -> HttpResponse:
    request.current_section = "home"
    partnership = request.partnership
    stale = None
    if request.method == "POST":
        form = PartnershipSettingsForm(request.POST, instance=partnership)
        if form.is_valid():
            try:
                services.partnership_settings_update(
                    partnership=partnership, data=form.cleaned_data, expected_version=form.cleaned_data["version"]
                )
            except StaleEdit as conflict:
                data = request.POST.copy()
                data["version"] = conflict.current.version  # saving again now is a deliberate overwrite
                form = PartnershipSettingsForm(data, instance=conflict.current)
                stale = [(name, form.fields[name].label, value) for name, value in conflict.current_values.items()]
            else:
                messages.success(request, "The partnership's settings are saved.")
                return redirect("partnership:home", partnership_slug=partnership.slug)
    else:
        form = PartnershipSettingsForm(instance=partnership, initial={"version": partnership.version})
    return render(request, "partnership/settings.html", {"form": form, "stale": stale})
