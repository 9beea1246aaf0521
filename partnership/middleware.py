"""The two-factor gate: which pages a signed-in person reaches before their second factor is in. It sits with the
memberships, as a lead's role is what asks for two factors (partnership.mfa)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import reverse

from partnership import mfa


class TwoFactorMiddleware:
    """Until the second factor is in, a signed-in user can only reach the two-factor pages and sign out."""

    EXEMPT_NAMES = {"mfa_verify", "mfa_setup", "logout", "login", "health", "accessibility", "session_extend"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            saved = request.session.get(mfa.SESSION_KEY)
            # Re-derived when the role's requirement changed (a coordinator made lead): see mfa.ModelBackend.
            state = mfa.state_for_request(request.user, saved)
            if state != saved:
                request.session[mfa.SESSION_KEY] = state
            if state in (mfa.VERIFY, mfa.SETUP) and not self._exempt(request):
                target = reverse("mfa_verify" if state == mfa.VERIFY else "mfa_setup")
                query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
                return HttpResponseRedirect(target + (f"?{query}" if query else ""))
        return self.get_response(request)

    def _exempt(self, request) -> bool:
        from django.urls import Resolver404, resolve

        if request.path.startswith(settings.STATIC_URL):
            return True
        try:
            return resolve(request.path_info).url_name in self.EXEMPT_NAMES
        except Resolver404:
            return False
