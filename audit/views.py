from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit.filters import AuditEventFilter
from audit.models import AuditEvent
from vawg.access import LEAD, partnership_view

PAGE_SIZE = 50


@partnership_view(LEAD)
def log(request: HttpRequest) -> HttpResponse:
    request.current_section = "home"
    events = AuditEvent.objects.for_partnership(request.partnership)
    # Kinds of record present in this partnership's log, for the filter (one query on the partnership index).
    object_types = sorted(set(events.exclude(object_type="").values_list("object_type", flat=True).distinct()))
    filterset = AuditEventFilter(request.GET or None, queryset=events, object_types=object_types)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"filter": filterset, "page_obj": page})
