from django.conf import settings
from django.urls import reverse

SERVICE_NAME = "VAWG Partnership Tracker"


def layout(request) -> dict:
    partnership = getattr(request, "partnership", None)
    membership = getattr(request, "membership", None)
    navigation = []
    if partnership is not None:
        slug = partnership.slug
        navigation = [
            ("Home", reverse("partnership:home", args=[slug]), "home"),
            (
                "Governance",
                reverse("partnership:governance", args=[slug]),
                "governance",
            ),
            ("Boroughs", reverse("partnership:boroughs", args=[slug]), "boroughs"),
        ]
    current_section = getattr(request, "current_section", None)
    return {
        "service_name": SERVICE_NAME,
        "partnership": partnership,
        "membership": membership,
        "service_navigation": [
            {"text": text, "href": href, "current": key == current_section} for text, href, key in navigation
        ],
        "session_idle_timeout": settings.SESSION_IDLE_TIMEOUT,
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
    }
