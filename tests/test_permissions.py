"""Every URL pattern, for every persona, with GET and POST: no unexpected 2xx, another partnership's pages 404.

The list of patterns comes from the URL resolver, so a new URL without an entry here fails the test.
"""

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

PERSONAS = ["anonymous", "board_member", "coordinator", "other_coordinator", "lead", "admin", "outsider_lead"]
MEMBERS = {"board_member", "coordinator", "other_coordinator", "lead"}


def walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"
        elif isinstance(entry, URLPattern):
            yield f"{namespace}<unnamed {entry.pattern}>"


def all_url_names() -> set[str]:
    return {name for name in walk(get_resolver().url_patterns) if not name.startswith("admin:")}


# Who may do what, per URL name. Each rule gives, for GET and POST, the expected outcome per persona:
# "ok" (2xx), "login" (redirect to sign in), "redirect" (3xx elsewhere), or a status code.
def partnership_read():
    get = {p: ("ok" if p in MEMBERS else 404) for p in PERSONAS}
    get["anonymous"] = "login"
    post = {p: (405 if p in MEMBERS else 404) for p in PERSONAS}
    post["anonymous"] = "login"
    return {"GET": get, "POST": post}


def lead_only_form():
    """A strategic lead's form: other members 403, outsiders 404; an empty POST re-renders with errors."""
    expected = {p: (403 if p in MEMBERS else 404) for p in PERSONAS}
    expected.update({"anonymous": "login", "lead": "ok"})
    return {"GET": dict(expected), "POST": dict(expected)}


def member_form_redirects():
    """Any member's own page; a POST (even empty) acts on their own records only and redirects."""
    get = {p: ("ok" if p in MEMBERS else 404) for p in PERSONAS}
    post = {p: ("redirect" if p in MEMBERS else 404) for p in PERSONAS}
    get["anonymous"] = post["anonymous"] = "login"
    return {"GET": get, "POST": post}


def lead_only_read():
    expected = {p: (403 if p in MEMBERS else 404) for p in PERSONAS}
    expected.update({"anonymous": "login", "lead": "ok"})
    return {"GET": dict(expected), "POST": {**expected, "lead": 405}}


GET_ONLY_PUBLIC = {"GET": dict.fromkeys(PERSONAS, "ok"), "POST": dict.fromkeys(PERSONAS, 405)}
GET_ONLY_SIGNED_IN = {
    "GET": {**dict.fromkeys(PERSONAS, "ok"), "anonymous": "login"},
    "POST": {**dict.fromkeys(PERSONAS, 405), "anonymous": "login"},
}


def public_page(post="ok"):
    return {"GET": dict.fromkeys(PERSONAS, "ok"), "POST": dict.fromkeys(PERSONAS, post)}


SIGNED_IN_ONLY = {
    "GET": {**dict.fromkeys(PERSONAS, "ok"), "anonymous": "login"},
    "POST": {**dict.fromkeys(PERSONAS, "ok"), "anonymous": "login"},
}

SIGNED_IN_REDIRECTS = {
    "GET": {**dict.fromkeys(PERSONAS, "redirect"), "anonymous": "login"},
    "POST": {**dict.fromkeys(PERSONAS, "redirect"), "anonymous": "login"},
}
POST_ONLY_SIGNED_IN_REDIRECTS = {
    "GET": {**dict.fromkeys(PERSONAS, 405), "anonymous": "login"},
    "POST": {**dict.fromkeys(PERSONAS, "redirect"), "anonymous": "login"},
}

# Lead and coordinators pass the role check and then find no upload of theirs; board members may not import.
OWNER_ONLY = {**dict.fromkeys(PERSONAS, 404), "anonymous": "login", "board_member": 403}


def _chart_drawing(w) -> dict:
    from django.core.files.base import ContentFile

    from partnership.models import ChartDrawing

    drawing = ChartDrawing(partnership=w.partnership, provider="test", key="a" * 64, title="A chart", alt="A chart")
    drawing.svg.save("chart.svg", ContentFile(b"<svg></svg>"))
    return {"partnership_slug": w.partnership.slug, "key": drawing.key}


def _pending_upload(w) -> dict:
    from partnership.models import PendingUpload

    upload = PendingUpload.objects.create(
        partnership=w.partnership,
        user=w.lead,
        kind="marac",
        filename="m.csv",
        state=PendingUpload.State.INVALID,
        outcome={
            "summary": [],
            "errors": ["Row 2: no such borough"],
            "error_count": 1,
            "next_url": "",
            "confirm": True,
        },
    )
    return {"partnership_slug": w.partnership.slug, "upload_id": upload.pk}


RULES = {
    "home": (
        lambda w: {},
        {
            # Members of one partnership go straight to it; the administrator belongs to none.
            "GET": {**dict.fromkeys(PERSONAS, "redirect"), "anonymous": "login", "admin": "ok"},
            "POST": {**dict.fromkeys(PERSONAS, "redirect"), "anonymous": "login", "admin": "ok"},
        },
    ),
    "accessibility": (lambda w: {}, public_page()),
    "health": (lambda w: {}, GET_ONLY_PUBLIC),
    # Signed-in users are sent on from the sign-in page; a POST with no credentials re-renders with errors.
    "login": (
        lambda w: {},
        {
            "GET": {**dict.fromkeys(PERSONAS, "redirect"), "anonymous": "ok"},
            "POST": {**dict.fromkeys(PERSONAS, "redirect"), "anonymous": "ok"},
        },
    ),
    "logout": (lambda w: {}, {"GET": dict.fromkeys(PERSONAS, 405), "POST": dict.fromkeys(PERSONAS, "login")}),
    "password_change": (lambda w: {}, SIGNED_IN_ONLY),
    "password_change_done": (lambda w: {}, GET_ONLY_SIGNED_IN),
    "password_reset": (lambda w: {}, public_page()),
    "password_reset_done": (lambda w: {}, GET_ONLY_PUBLIC),
    # An invalid token shows the "link expired" page and changes nothing.
    "password_reset_confirm": (lambda w: {"uidb64": "MQ", "token": "invalid-token"}, public_page()),
    "password_reset_complete": (lambda w: {}, GET_ONLY_PUBLIC),
    "session_extend": (
        lambda w: {},
        {
            "GET": {**dict.fromkeys(PERSONAS, 405), "anonymous": "login"},
            "POST": {**dict.fromkeys(PERSONAS, "redirect"), "anonymous": "login"},
        },
    ),
    "mfa_manage": (lambda w: {}, GET_ONLY_SIGNED_IN),
    "mfa_setup": (lambda w: {}, SIGNED_IN_ONLY),
    # Nothing to verify for a session already through (or not needing) the second step: sent on.
    "mfa_verify": (lambda w: {}, SIGNED_IN_REDIRECTS),
    "mfa_recovery_codes": (lambda w: {}, POST_ONLY_SIGNED_IN_REDIRECTS),
    "mfa_remove": (lambda w: {}, POST_ONLY_SIGNED_IN_REDIRECTS),
    "partnership:home": (lambda w: {"partnership_slug": w.partnership.slug}, partnership_read()),
    "partnership:governance": (lambda w: {"partnership_slug": w.partnership.slug}, partnership_read()),
    "partnership:boroughs": (lambda w: {"partnership_slug": w.partnership.slug}, partnership_read()),
    "partnership:settings": (lambda w: {"partnership_slug": w.partnership.slug}, lead_only_form()),
    # A stored chart: any member of its partnership; another partnership's members get 404 for the same key.
    "partnership:chart": (_chart_drawing, partnership_read()),
    "audit:log": (lambda w: {"partnership_slug": w.partnership.slug}, lead_only_read()),
    # A member's own notifications and e-mail choices (each sees only their own; POST marks read or saves).
    "partnership:notifications": (lambda w: {"partnership_slug": w.partnership.slug}, member_form_redirects()),
    # An empty POST (no "Save" button) re-shows the form and saves nothing.
    "partnership:notification_preferences": (
        lambda w: {"partnership_slug": w.partnership.slug},
        {"GET": partnership_read()["GET"], "POST": partnership_read()["GET"]},
    ),
    # An import checked in the background: its owner's only (another member's answers 404, as elsewhere).
    "partnership:upload": (
        lambda w: _pending_upload(w),
        {
            "GET": {**OWNER_ONLY, "lead": "ok"},
            "POST": {**OWNER_ONLY, "lead": "redirect"},
        },
    ),
    "partnership:upload_status": (
        lambda w: _pending_upload(w),
        {
            "GET": {**OWNER_ONLY, "lead": "ok"},
            "POST": {**OWNER_ONLY, "lead": 405, "coordinator": 405, "other_coordinator": 405},
        },
    ),
}


for _app in ("actions", "referrals", "consultations", "activity", "reports", "api"):
    RULES.update(__import__(f"tests.{_app}.permission_rules", fromlist=["RULES"]).RULES)


def outcome(response) -> str | int:
    if 200 <= response.status_code < 300:
        return "ok"
    if response.status_code in (301, 302, 303):
        location = response["Location"]
        return "login" if location.startswith(reverse("login")) else "redirect"
    return response.status_code


def test_every_url_pattern_has_a_rule():
    missing = all_url_names() - set(RULES)
    assert not missing, f"URL patterns without a permission rule: {sorted(missing)}"
    stale = set(RULES) - all_url_names()
    assert not stale, f"Rules for URL patterns that no longer exist: {sorted(stale)}"


CASES = [(name, method, persona) for name in sorted(RULES) for method in ("GET", "POST") for persona in PERSONAS]


@pytest.mark.parametrize(("name", "method", "persona"), CASES, ids=["-".join(case) for case in CASES])
def test_access(world, client, name, method, persona):
    kwargs_for, expected = RULES[name]
    if persona != "anonymous":
        client.force_login(world.users()[persona])
    url = reverse(name, kwargs=kwargs_for(world))
    response = client.get(url) if method == "GET" else client.post(url, {})
    assert outcome(response) == expected[method][persona], f"{method} {url} as {persona}: {response.status_code}"


def test_other_partnership_pages_are_404_even_with_a_real_slug(world, client):
    client.force_login(world.lead)
    for name in ("partnership:home", "partnership:governance", "partnership:boroughs"):
        assert client.get(reverse(name, args=[world.other_partnership.slug])).status_code == 404
        assert client.get(reverse(name, args=["no-such-partnership"])).status_code == 404


def test_revoked_membership_stops_working_on_the_next_request(world, client):
    client.force_login(world.board_member)
    url = reverse("partnership:home", args=[world.partnership.slug])
    assert client.get(url).status_code == 200
    world.board_member.memberships.all().delete()
    assert client.get(url).status_code == 404


def test_disabled_user_is_signed_out_on_the_next_request(world, client):
    client.force_login(world.board_member)
    url = reverse("partnership:home", args=[world.partnership.slug])
    assert client.get(url).status_code == 200
    world.board_member.is_active = False
    world.board_member.save(update_fields=["is_active"])
    assert outcome(client.get(url)) == "login"


ADMIN_URLS = ["admin:index"] + [
    f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist" for model in admin.site._registry
]


@pytest.mark.parametrize("name", ADMIN_URLS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_is_for_administrators_only(world, client, name, persona):
    if persona != "anonymous":
        client.force_login(world.users()[persona])
    response = client.get(reverse(name))
    if persona == "admin":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"] or response["Location"].startswith(reverse("login"))
