"""Every API operation, for every role's token and for tokens that must not work."""

import json
from datetime import timedelta

import pytest
from django.urls import URLPattern, get_resolver
from django.utils import timezone

from partnership.models import Membership
from tests.api.conftest import LEAK, api_url, bearer, body
from tests.api.factories import expired_token_for, token_for

MEMBER_ROLES = ["lead", "coordinator", "other_coordinator", "board_member"]


def operations() -> list[URLPattern]:
    resolver = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "api_v1")
    return [p for p in resolver.url_patterns if p.name not in ("openapi-json", "openapi-view", "api-root")]


OPERATIONS = sorted(p.name for p in operations())


def kwargs_for(name: str, data) -> dict:
    pattern = next(p for p in operations() if p.name == name)
    values = {"action_id": data.ours["action"].pk, "consultation": data.ours["consultation"].slug}
    return {key: values[key] for key in pattern.pattern.converters if key != "partnership_slug"}


def test_the_walk_covers_every_kind_of_data():
    assert {
        "strategies",
        "actions",
        "action",
        "recommendations",
        "consultations",
        "consultation_results",
        "reports",
    } <= set(OPERATIONS)
    for kind in ("marac_returns", "marac_benchmarks", "referrals", "justice", "indicators", "consultation_results"):
        assert {f"feed_{kind}_csv", f"feed_{kind}_json"} <= set(OPERATIONS)


@pytest.mark.parametrize("role", MEMBER_ROLES)
@pytest.mark.parametrize("name", OPERATIONS)
def test_every_member_reads_every_operation_and_nothing_of_another_partnership(world, data, role, name):
    client = bearer(token_for(getattr(world, role), world.partnership)[1])
    response = client.get(api_url(name, world.partnership.slug, **kwargs_for(name, data)))
    assert response.status_code == 200, body(response)[:300]
    content = body(response)
    assert content
    assert LEAK.encode() not in content
    assert b"DRAFT-ONLY" not in content  # updates not accepted stay the groups' and the lead's


@pytest.mark.parametrize("name", OPERATIONS)
def test_another_partnerships_token_gets_404_and_ours_gets_404_there(world, data, name):
    outsider = bearer(token_for(world.outsider_lead, world.other_partnership)[1])
    response = outsider.get(api_url(name, world.partnership.slug, **kwargs_for(name, data)))
    assert response.status_code == 404
    assert b"tri" not in body(response)
    ours = bearer(token_for(world.lead, world.partnership)[1])
    assert ours.get(api_url(name, world.other_partnership.slug, **kwargs_for(name, data))).status_code == 404
    assert ours.get(api_url(name, "no-such-partnership", **kwargs_for(name, data))).status_code == 404


@pytest.mark.parametrize("name", OPERATIONS)
def test_no_expired_or_revoked_token_reads_anything(world, data, client, name):
    url = api_url(name, world.partnership.slug, **kwargs_for(name, data))
    _token, expired = expired_token_for(world.lead, world.partnership)
    _token, revoked = token_for(world.lead, world.partnership, revoked_at=timezone.now())
    for response in (
        bearer(expired).get(url),
        bearer(revoked).get(url),
        bearer("vawg_not-a-token").get(url),
        bearer("").get(url),
        client.get(url),  # no header at all
    ):
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_another_partnerships_objects_answer_404_through_our_address(world, data):
    client = bearer(token_for(world.lead, world.partnership)[1])
    slug = world.partnership.slug
    assert client.get(api_url("action", slug, action_id=data.theirs["action"].pk)).status_code == 404
    theirs = data.theirs["consultation"].slug
    assert client.get(api_url("consultation_results", slug, consultation=theirs)).status_code == 404


def test_the_role_is_read_on_every_request(world, data):
    """A membership ended stops the token on its next request; a lead made board member loses unsuppressed figures."""
    _token, secret = token_for(world.lead, world.partnership)
    client = bearer(secret)
    url = api_url("feed_referrals_json", world.partnership.slug) + "?suppressed=false"
    assert client.get(url).status_code == 200
    Membership.objects.filter(user=world.lead, partnership=world.partnership).update(role=Membership.Role.BOARD_MEMBER)
    assert client.get(url).status_code == 403
    Membership.objects.filter(user=world.lead, partnership=world.partnership).delete()
    assert client.get(api_url("strategies", world.partnership.slug)).status_code == 403


def test_a_disabled_account_s_token_stops_working(world, data):
    client = bearer(token_for(world.board_member, world.partnership)[1])
    world.board_member.is_active = False
    world.board_member.save(update_fields=["is_active"])
    assert client.get(api_url("strategies", world.partnership.slug)).status_code == 401


def test_a_token_expires_at_its_time(world, data, time_machine):
    token, secret = token_for(world.board_member, world.partnership, days=1)
    url = api_url("strategies", world.partnership.slug)
    time_machine.move_to(token.expires_at - timedelta(minutes=1))
    assert bearer(secret).get(url).status_code == 200
    time_machine.move_to(token.expires_at + timedelta(seconds=1))
    assert bearer(secret).get(url).status_code == 401


def test_nothing_can_be_written(world, data):
    client = bearer(token_for(world.lead, world.partnership)[1])
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(api_url("strategies", world.partnership.slug)).status_code == 405


def test_actions_carry_their_rating_history_and_accepted_updates(world, data):
    client = bearer(token_for(world.board_member, world.partnership)[1])
    action = client.get(api_url("action", world.partnership.slug, action_id=data.ours["action"].pk)).json()
    assert action["ref"] == "1.1"
    assert action["groups"] == ["CHOG"]
    assert [(r["period"], r["rating"]) for r in action["ratings"]] == [("2015-16 Q4", "amber")]
    assert [u["next_steps"] for u in action["accepted_updates"]] == ["Accepted tri"]


def test_the_openapi_description_and_docs_are_served_from_here(world, client):
    client.force_login(world.board_member)

    def unique(pairs):
        keys = [key for key, _value in pairs]
        assert len(keys) == len(set(keys)), keys  # a tool reading it would refuse a key given twice
        return dict(pairs)

    schema = json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=unique)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/{partnership_slug}/feeds/referrals.csv" in schema["paths"]
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    docs = client.get("/api/v1/docs").content.decode()
    # Written from the description itself: every operation, with its parameters.
    for path, methods in schema["paths"].items():
        for method in methods:
            assert f"{method.upper()} {path}" in docs
    assert "Parameters of GET /api/v1/{partnership_slug}/feeds/referrals.csv" in docs
    assert "cdn" not in docs.lower() and "swagger" not in docs.lower()
    assert (
        "text/csv"
        in schema["paths"]["/api/v1/{partnership_slug}/feeds/referrals.csv"]["get"]["responses"]["200"]["content"]
    )
