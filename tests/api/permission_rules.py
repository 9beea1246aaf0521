"""Permission rules for the API's URLs, merged into tests/test_permissions.py (see its RULES for the format).

The token pages are every member's, each person seeing only their own tokens (a fellow member's answers 404). The
API itself accepts personal access tokens only: a signed-in browser session gets 401 from every operation (and 405
for any method but GET); tests/api/test_endpoints.py walks the operations with tokens. The documentation and the
OpenAPI description need sign-in.
"""

from django.urls import URLPattern, get_resolver

PERSONAS = ["anonymous", "board_member", "coordinator", "other_coordinator", "lead", "admin", "outsider_lead"]
MEMBERS = {"board_member", "coordinator", "other_coordinator", "lead"}


def _outcomes(member, others=404, anonymous="login"):
    outcomes = {p: (member if p in MEMBERS else others) for p in PERSONAS}
    outcomes["anonymous"] = anonymous
    return outcomes


def _partnership(w):
    return {"partnership_slug": w.partnership.slug}


def _lead_token(w):
    from tests.api.factories import token_for

    token, _secret = token_for(w.lead, w.partnership)
    return {"partnership_slug": w.partnership.slug, "token_id": token.pk}


def _operation_kwargs(w, pattern: URLPattern) -> dict:
    values = {"partnership_slug": w.partnership.slug, "action_id": 1, "consultation": "none"}
    return {name: values[name] for name in pattern.pattern.converters}


def _api_rules() -> dict:
    rules = {}
    resolver = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "api_v1")
    for pattern in resolver.url_patterns:
        if pattern.name in ("openapi-json", "openapi-view"):
            signed_in = {**dict.fromkeys(PERSONAS, "ok"), "anonymous": "login"}
            rules[f"api_v1:{pattern.name}"] = (lambda w: {}, {"GET": signed_in, "POST": signed_in})
        elif pattern.name == "api-root":
            rules["api_v1:api-root"] = (
                lambda w: {},
                {"GET": dict.fromkeys(PERSONAS, 404), "POST": dict.fromkeys(PERSONAS, 404)},
            )
        else:
            rules[f"api_v1:{pattern.name}"] = (
                lambda w, pattern=pattern: _operation_kwargs(w, pattern),
                {"GET": dict.fromkeys(PERSONAS, 401), "POST": dict.fromkeys(PERSONAS, 405)},
            )
    return rules


RULES: dict = {
    # An empty POST re-renders the form with its errors and makes no token.
    "api:tokens": (_partnership, {"GET": _outcomes("ok"), "POST": _outcomes("ok")}),
    "api:feed_columns": (_partnership, {"GET": _outcomes("ok"), "POST": _outcomes(405)}),
    # The lead's token: only the lead reaches it.
    "api:token_revoke": (
        _lead_token,
        {"GET": {**_outcomes(404), "lead": "ok"}, "POST": {**_outcomes(404), "lead": "redirect"}},
    ),
    **_api_rules(),
}
