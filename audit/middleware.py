from audit import context
from vawg.client_ip import client_ip


class AuditContextMiddleware:
    """Every write made while handling a request is attributed to its signed-in user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        with context.acting(
            source="web",
            actor=user if signed_in else None,
            actor_label=user.get_username() if signed_in else "anonymous",
            partnership_id=None,
            request_path=request.path,
            ip_address=client_ip(request),
        ):
            return self.get_response(request)
