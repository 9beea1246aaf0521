import hashlib
import logging
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from vawg.client_ip import client_ip
from vawg.middleware import SIGNED_OUT_REASON

logger = logging.getLogger(__name__)

SIGNED_OUT_MESSAGES = {
    "idle": "You were signed out because you had not done anything for {idle}. Sign in again to carry on.",
    "absolute": "You were signed out because you had been signed in for {absolute}. Sign in again to carry on.",
}


def duration_in_words(seconds: int) -> str:
    """3600 -> "1 hour", 5400 -> "1 hour and 30 minutes", 90 -> "1 minute and 30 seconds"."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [
        f"{count} {unit}{'' if count == 1 else 's'}"
        for count, unit in ((hours, "hour"), (minutes, "minute"), (seconds, "second"))
        if count
    ]
    return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts) or "0 seconds"


def signed_out_message(reason: str | None) -> str | None:
    """Why the session ended, naming the limits as configured (SESSION_IDLE_TIMEOUT_SECONDS and the absolute one)."""
    message = SIGNED_OUT_MESSAGES.get(reason)
    if message is None:
        return None
    return message.format(
        idle=duration_in_words(settings.SESSION_IDLE_TIMEOUT),
        absolute=duration_in_words(settings.SESSION_ABSOLUTE_TIMEOUT),
    )


def next_url(request: HttpRequest, default: str) -> str:
    """The `next` the request carries if it is a page of this site, else `default`: never an open redirect.

    Only paths ("/...") and http(s) addresses of this host (https only when the request came over https); never a URL
    name, so user input is not resolved as one.
    """
    target = (request.POST.get("next") or request.GET.get("next") or "").strip()
    if not (target.startswith("/") or target.lower().startswith(("http://", "https://"))):
        return default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reason = self.request.session.pop(SIGNED_OUT_REASON, None)
        context["signed_out_message"] = signed_out_message(reason)
        return context


def _within_limit(key: str, limit: int, window: int) -> bool:
    """Counts one more request under `key` in a fixed window; false once the count is over `limit`."""
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit


def password_reset_allowed(*, email: str, client_address: str | None) -> bool:
    """Throttle reset e-mails per client address and per e-mail address (PASSWORD_RESET_LIMIT_*), in the cache."""
    window = settings.PASSWORD_RESET_LIMIT_WINDOW_SECONDS
    address_key = f"vawg:password-reset:address:{client_address or 'unknown'}"
    if not _within_limit(address_key, settings.PASSWORD_RESET_LIMIT_PER_ADDRESS, window):
        return False
    email_key = "vawg:password-reset:email:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return _within_limit(email_key, settings.PASSWORD_RESET_LIMIT_PER_EMAIL, window)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, throttled: a refused request gets the same "sent" page, so it reveals nothing about accounts."""

    template_name = "registration/password_reset.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        address = client_ip(self.request)
        if not password_reset_allowed(email=email, client_address=address):
            logger.warning("Password reset refused (too many requests) for %r from %s", email[:254], address)
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


@login_required
@require_POST
def session_extend(request: HttpRequest) -> HttpResponse:
    """The time-out warning's "Stay signed in": the middleware has already counted this as activity."""
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"extended": True})
    messages.success(request, "You are still signed in.")
    return HttpResponseRedirect(next_url(request, reverse("home")))


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "accessibility.html")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "errors/csrf.html", status=403)


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """For load balancers: 200 when the database answers and file storage can be written, 503 otherwise.

    Says nothing about the partnerships; open to anonymous callers.
    """
    checks = {"database": _database_ok(), "storage": _storage_ok()}
    healthy = all(checks.values())
    response = JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "checks": {k: "ok" if v else "failed" for k, v in checks.items()},
        },
        status=200 if healthy else 503,
    )
    response["Cache-Control"] = "no-store"
    return response


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.exception("Health check: database unavailable")
        return False


def _storage_ok() -> bool:
    try:
        name = default_storage.save(f"health/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
        default_storage.delete(name)
        return True
    except Exception:  # OSError from a folder, botocore's errors from a bucket: either way, not healthy
        logger.exception("Health check: storage unavailable")
        return False
