"""Each token's requests are limited a window, and every request with a known token is one audit event."""

import pytest
from django.test import override_settings

from audit.models import AuditEvent
from tests.api.conftest import api_url, bearer
from tests.api.factories import token_for


@override_settings(API_RATE_LIMIT=3, API_RATE_WINDOW_SECONDS=60)
def test_a_token_over_its_limit_gets_429_with_retry_after(world, data):
    _token, secret = token_for(world.board_member, world.partnership)
    client = bearer(secret)
    url = api_url("strategies", "tri-borough")
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(url)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    # Another token (even the same person's) has its own count.
    assert bearer(token_for(world.board_member, world.partnership)[1]).get(url).status_code == 200


@override_settings(API_RATE_LIMIT=2, API_RATE_WINDOW_SECONDS=60)
def test_guessing_tokens_is_limited_by_address(world, data):
    url = api_url("strategies", "tri-borough")
    assert [bearer(f"vawg_guess{n}").get(url).status_code for n in range(3)] == [401, 401, 429]
    # A real token from the same address still works: its own count.
    assert bearer(token_for(world.board_member, world.partnership)[1]).get(url).status_code == 200


@override_settings(API_RATE_LIMIT=2, API_RATE_WINDOW_SECONDS=60)
def test_the_window_resets(world, data, time_machine):
    time_machine.move_to("2026-12-01 10:00:05Z")
    client = bearer(token_for(world.board_member, world.partnership)[1])
    url = api_url("strategies", "tri-borough")
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
    time_machine.move_to("2026-12-01 10:01:01Z")
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("name", ["strategies", "feed_referrals_csv", "feed_marac_returns_json"])
def test_every_request_is_one_audit_event_naming_the_token_never_its_secret(world, data, name):
    token, secret = token_for(world.coordinator, world.partnership)
    before = AuditEvent.objects.count()
    response = bearer(secret).get(api_url(name, "tri-borough") + "?year=2015")
    assert response.status_code == 200
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert len(events) == 1
    event = events[0]
    assert (event.action, event.source, event.actor, event.partnership) == (
        AuditEvent.Action.API_READ,
        AuditEvent.Source.API,
        world.coordinator,
        world.partnership,
    )
    assert token.prefix in event.detail
    assert event.request_path == api_url(name, "tri-borough")
    assert secret not in event.detail


def test_refused_requests_are_audited_too(world, data):
    token, secret = token_for(world.lead, world.partnership)
    bearer(secret).get(api_url("strategies", "elsewhere"))
    event = AuditEvent.objects.latest("id")
    assert event.action == AuditEvent.Action.ACCESS_REFUSED
    assert token.prefix in event.detail and "another partnership" in event.detail
