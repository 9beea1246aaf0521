"""The one permission layer every partnership page goes through.

- anonymous: redirect to sign in;
- not a member of the partnership in the URL: 404 for every page and object (nothing is revealed);
- member without the role the page needs: 403.
Memberships are read on every request, so a revoked membership stops working on the very next one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed

from audit import context as audit_context
from audit.recorder import access_refused
from partnership.models import Membership, OperationalGroup, Partnership

READ = "read"
LEAD = "lead"
WRITE_GROUP = "write_group"  # strategic lead, or a coordinator (checked per group by the view)


def get_membership(request: HttpRequest, partnership_slug: str) -> Membership:
    user = request.user
    membership = None
    if user.is_authenticated and user.is_active:
        membership = (
            Membership.objects.select_related("partnership", "user")
            .filter(user=user, partnership__slug=partnership_slug)
            .first()
        )
    if membership is None:
        access_refused(request=request, reason="not a member of this partnership")
        raise Http404("No such partnership.")
    audit_context.set_partnership(membership.partnership_id)
    return membership


def partnership_view(require: str = READ, methods: tuple[str, ...] = ("GET", "HEAD")) -> Callable:
    """Decorate a view taking `partnership_slug`: it receives `request.partnership` and `request.membership`.

    Order of checks: signed in, then member (404 otherwise), then role (403), then HTTP method (405), so
    nobody learns anything about a partnership they do not belong to.
    """
    if require not in {READ, LEAD, WRITE_GROUP}:
        raise ValueError(f"Unknown access level {require!r}")

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, partnership_slug: str, *args, **kwargs) -> HttpResponse:
            membership = get_membership(request, partnership_slug)
            if require == LEAD and not membership.is_strategic_lead:
                refuse(request, "Only the partnership's strategic leads can do this.")
            if require == WRITE_GROUP and not (membership.is_strategic_lead or membership.is_coordinator):
                refuse(request, "Only strategic leads and group coordinators can do this.")
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            request.partnership = membership.partnership
            request.membership = membership
            return view(request, *args, **kwargs)

        wrapper.access_level = require
        return wrapper

    return decorator


def refuse(request: HttpRequest, message: str):
    """403 with a message, recorded in the audit log."""
    access_refused(request=request, reason=message)
    raise PermissionDenied(message)


def require_group_write(membership: Membership, group: OperationalGroup, request: HttpRequest | None = None) -> None:
    """Coordinators write only for their own groups; anything else is refused (and logged when given the request)."""
    if group.partnership_id != membership.partnership_id:
        raise Http404
    if not membership.can_write_for_group(group):
        message = "You can only write for the groups you coordinate."
        if request is not None:
            refuse(request, message)
        raise PermissionDenied(message)


def partnerships_for(user) -> list[Partnership]:
    if not user.is_authenticated:
        return []
    return list(Partnership.objects.filter(memberships__user=user).order_by("name"))
