from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit.filters import AuditEventFilter
from audit.models import AuditEvent
from audit.recorder import audited_object_types
from vawg.access import LEAD, partnership_view

PAGE_SIZE = 50


@partnership_view(LEAD)
def log(request: HttpRequest) -> HttpResponse:
    request.current_section = "home"
    events = AuditEvent.objects.for_partnership(request.partnership)
    filterset = AuditEventFilter(request.GET or None, queryset=events, object_types=audited_object_types())
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"filter": filterset, "page_obj": page})
