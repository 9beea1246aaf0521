from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from audit.filters import AuditEventFilter
from audit.recorder import audited_object_types
from audit.selectors import log_for
from partnership import home_panels, imports, selectors, services, tables
from partnership.access import LEAD, WRITE_GROUP, partnership_view, partnerships_for, refuse
from partnership.forms import NotificationPreferencesForm, PartnershipSettingsForm
from partnership.models import ChartDrawing, Notification, NotificationPreference, OperationalGroup, PendingUpload
from vawg.concurrency import EditConflict, conflict_status, show_conflict

AUDIT_PAGE_SIZE = 50


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """The address people sign in to: their partnership, or the list to choose from when they belong to several."""
    partnerships = partnerships_for(request.user)
    if len(partnerships) == 1:
        return redirect("partnership:home", partnership_slug=partnerships[0].slug)
    return render(request, "home.html", {"partnerships": partnerships})


@partnership_view()
def home(request: HttpRequest) -> HttpResponse:
    request.current_section = "home"
    partnership = request.partnership
    overview = selectors.partnership_overview(partnership)
    my_groups = list(request.membership.groups.order_by("display_order", "name"))
    # Someone in several partnerships switches here (and from the start page, which lists them all).
    other_partnerships = [p for p in partnerships_for(request.user) if p.pk != partnership.pk]
    return render(
        request,
        "partnership/home.html",
        {
            "overview": overview,
            "operational_group_count": overview["group_counts"].get(OperationalGroup.Kind.OPERATIONAL_GROUP, 0),
            "my_groups": my_groups,
            "other_partnerships": other_partnerships,
            "rag_meanings": tables.rag_meanings(partnership),
            **home_panels.context(partnership),
        },
    )


@partnership_view()
def governance(request: HttpRequest) -> HttpResponse:
    request.current_section = "governance"
    return render(
        request,
        "partnership/governance.html",
        {"tree": tables.with_summaries(selectors.governance_tree(request.partnership))},
    )


@partnership_view()
def boroughs(request: HttpRequest) -> HttpResponse:
    request.current_section = "boroughs"
    return render(
        request,
        "partnership/boroughs.html",
        {"boroughs": tables.borough_tables(selectors.boroughs_with_populations(request.partnership))},
    )


@partnership_view(LEAD, methods=("GET", "POST"))
def settings(request: HttpRequest) -> HttpResponse:
    request.current_section = "home"
    partnership = request.partnership
    conflict = None
    if request.method == "POST":
        form = PartnershipSettingsForm(request.POST, instance=partnership)
        if form.is_valid():
            try:
                services.partnership_settings_update(
                    partnership=partnership, data=form.cleaned_data, expected_version=form.cleaned_data["version"]
                )
            except EditConflict as error:
                conflict = show_conflict(form, error)
            else:
                messages.success(request, "The partnership's settings are saved.")
                return redirect("partnership:home", partnership_slug=partnership.slug)
    else:
        form = PartnershipSettingsForm(instance=partnership, initial={"version": partnership.version})
    return render(
        request, "partnership/settings.html", {"form": form, "conflict": conflict}, status=conflict_status(conflict)
    )


@partnership_view()
def chart(request: HttpRequest, key: str) -> HttpResponse:
    """A stored chart drawing, to any member; named by the hash of what it shows, so it never changes."""
    drawing = get_object_or_404(ChartDrawing, partnership=request.partnership, key=key)
    with drawing.svg.open("rb") as stored:
        response = HttpResponse(stored.read(), content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    response["Content-Disposition"] = 'inline; filename="chart.svg"'
    return response


# --- Imports checked and applied by the task runner (partnership.imports) ----------------------------------------


def _own_upload(request: HttpRequest, upload_id: int) -> PendingUpload:
    """The person's own upload in this partnership, whatever its state; anyone else's answers 404."""
    upload = get_object_or_404(
        PendingUpload.objects.defer("content"), pk=upload_id, partnership=request.partnership, user=request.user
    )
    if not imports.handler_for(upload).permitted(request.membership):
        refuse(request, "Your role cannot import these figures.")
    return upload


@partnership_view(WRITE_GROUP, methods=("GET", "HEAD", "POST"))
def upload(request: HttpRequest, upload_id: int) -> HttpResponse:
    """One upload's check, then the person's confirmation, then the import: followed on this page."""
    pending = _own_upload(request, upload_id)
    handler = imports.handler_for(pending)
    if request.method == "POST":
        if request.POST.get("action") == "cancel" and not pending.is_busy:
            services.pending_upload_discard(pending)
            messages.info(request, f"{pending.filename} was not imported: nothing was saved, and the file is deleted.")
            return redirect(handler.start_url(pending))
        if request.POST.get("action") == "confirm" and pending.state == PendingUpload.State.READY:
            imports.apply_in_background(pending)
        return redirect("partnership:upload", request.partnership.slug, pending.pk)
    return render(request, "partnership/upload.html", {"upload": pending, "title": handler.title})


@partnership_view(WRITE_GROUP)
def upload_status(request: HttpRequest, upload_id: int) -> JsonResponse:
    """For the page's progress script: has the task runner finished with it yet?"""
    pending = _own_upload(request, upload_id)
    return JsonResponse(
        {
            "finished": not pending.is_busy,
            "state_label": pending.get_state_display(),
            "message": "Reading and checking the file" if pending.state == PendingUpload.State.CHECKING else "",
        }
    )


@partnership_view(LEAD)
def audit_log(request: HttpRequest) -> HttpResponse:
    request.current_section = "home"
    events = log_for(request.partnership, viewer=request.user)
    filterset = AuditEventFilter(request.GET or None, queryset=events, object_types=audited_object_types())
    page = Paginator(filterset.qs, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"filter": filterset, "page_obj": page, "table": tables.audit_table(page)})


NOTIFICATIONS_PAGE_SIZE = 25


@partnership_view(methods=("GET", "POST"))
def notifications(request: HttpRequest) -> HttpResponse:
    """The person's own notifications in this partnership, newest first; POST marks one, or all, read."""
    request.current_section = "notifications"
    if request.method == "POST":
        chosen = request.POST.get("notification")
        ids = None if chosen == "all" else [int(chosen)] if chosen and chosen.isdigit() else []
        marked = services.notifications_mark_read(membership=request.membership, notification_ids=ids)
        if marked:
            messages.success(request, f"{marked} notification{'s' if marked != 1 else ''} marked as read.")
        return redirect("partnership:notifications", request.partnership.slug)
    page_obj = Paginator(selectors.notifications_for(request.membership), NOTIFICATIONS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "partnership/notifications.html", {"page_obj": page_obj})


@partnership_view(methods=("GET", "POST"))
def notification_preferences(request: HttpRequest) -> HttpResponse:
    request.current_section = "notifications"
    preference = NotificationPreference.objects.filter(membership=request.membership).first()
    off = set(preference.email_off) if preference else set()
    form = NotificationPreferencesForm(
        request.POST or None, initial={"email_kinds": [kind for kind in Notification.Kind.values if kind not in off]}
    )
    if request.method == "POST" and form.is_valid():
        services.notification_preferences_save(
            membership=request.membership, email_kinds=form.cleaned_data["email_kinds"]
        )
        messages.success(request, "Your notification preferences are saved.")
        return redirect("partnership:notifications", request.partnership.slug)
    return render(request, "partnership/notification_preferences.html", {"form": form})
