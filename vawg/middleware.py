"""Session lifetime (idle and absolute limits from the settings) and no caching of signed-in pages."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.urls import reverse

SESSION_STARTED = "vawg_started_at"
SESSION_LAST_SEEN = "vawg_last_seen_at"
SIGNED_OUT_REASON = "vawg_signed_out_reason"


def start_session_clock(request) -> None:
    now = time.time()
    request.session[SESSION_STARTED] = now
    request.session[SESSION_LAST_SEEN] = now


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.get(SESSION_STARTED)
            last_seen = request.session.get(SESSION_LAST_SEEN)
            reason = None
            if started is None or last_seen is None:
                started = last_seen = now  # first request of a session signed in by other means
                request.session[SESSION_STARTED] = now
            if now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
                reason = "absolute"
            elif now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                reason = "idle"
            if reason:
                logout(request)
                request.session[SIGNED_OUT_REASON] = reason
                query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
                return HttpResponseRedirect(reverse("login") + (f"?{query}" if query else ""))
            request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages about survivors' services must not linger in shared browser or proxy caches."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store, private"
        return response
