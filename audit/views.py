from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit.filters import AuditEventFilter
from audit.recorder import audited_object_types
from audit.selectors import log_for
from vawg.access import LEAD, partnership_view

PAGE_SIZE = 50


@partnership_view(LEAD)
def log(request: HttpRequest) -> HttpResponse:
    request.current_section = "home"
    events = log_for(request.partnership, viewer=request.user)
    filterset = AuditEventFilter(request.GET or None, queryset=events, object_types=audited_object_types())
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"filter": filterset, "page_obj": page})
