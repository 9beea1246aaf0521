from django.conf import settings
from django.urls import reverse

SERVICE_NAME = "VAWG Partnership Tracker"

# The partnership's service navigation: (text, URL name taking the partnership slug, section key).
# Views set `request.current_section` to the key of the section they belong to.
NAVIGATION = [
    ("Home", "partnership:home", "home"),
    ("Governance", "partnership:governance", "governance"),
    ("Boroughs", "partnership:boroughs", "boroughs"),
    ("Action plan", "actions:plan", "plan"),
    ("Updates", "actions:rounds", "updates"),
    ("Figures", "referrals:index", "figures"),
    ("Consultations", "consultations:index", "consultations"),
    ("Activity", "activity:index", "activity"),
    ("Reports", "reports:index", "reports"),
    ("API", "api:tokens", "api"),
]


def layout(request) -> dict:
    partnership = getattr(request, "partnership", None)
    current_section = getattr(request, "current_section", None)
    navigation = []
    if partnership is not None:
        navigation = [
            {"text": text, "href": reverse(name, args=[partnership.slug]), "current": key == current_section}
            for text, name, key in NAVIGATION
        ]
    return {
        "service_name": SERVICE_NAME,
        "partnership": partnership,
        "membership": getattr(request, "membership", None),
        "service_navigation": navigation,
        "session_idle_timeout": settings.SESSION_IDLE_TIMEOUT,
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
    }
