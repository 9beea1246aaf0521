"""The token pages: a token is shown once, stored hashed, listed and revocable, each person's own."""

import hashlib

from django.test import override_settings
from django.urls import reverse

from api.models import ApiToken
from audit.models import AuditEvent
from tests.api.conftest import api_url, bearer
from tests.api.factories import token_for

TOKENS = reverse("api:tokens", args=["tri-borough"])


def test_a_member_makes_a_token_that_is_shown_once_and_stored_hashed(world, client):
    client.force_login(world.board_member)
    response = client.post(TOKENS, {"name": "Power BI dashboard", "days": "30"})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("vawg_") and len(secret) > 40
    assert secret in response.content.decode()
    token = ApiToken.objects.get()
    assert (token.user, token.partnership, token.name) == (world.board_member, world.partnership, "Power BI dashboard")
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(token.prefix) and len(token.prefix) < 20
    assert 29 <= (token.expires_at - token.created_at).days <= 30
    # Never again: not on the list, not in the audit log, not in the database.
    listing = client.get(TOKENS).content.decode()
    assert token.prefix in listing and secret not in listing
    for event in AuditEvent.objects.all():
        assert secret not in str(event.changes) + event.detail + event.object_repr
    assert not ApiToken.objects.filter(token_hash=secret).exists()
    # And it works.
    assert bearer(secret).get(api_url("strategies", "tri-borough")).status_code == 200


def test_the_expiry_has_a_default_and_a_maximum(world, client):
    client.force_login(world.coordinator)
    page = client.get(TOKENS)
    assert page.context["form"]["days"].value() == 90
    response = client.post(TOKENS, {"name": "Excel", "days": "366"})
    assert response.status_code == 200
    assert "at most 365 days" in response.content.decode()
    assert response.context["form"].errors
    assert not ApiToken.objects.exists()
    with override_settings(API_TOKEN_MAX_DAYS=30):
        assert client.post(TOKENS, {"name": "Excel", "days": "31"}).context["form"].errors
    assert not ApiToken.objects.exists()


def test_a_person_sees_and_revokes_only_their_own_tokens(world, client):
    mine, secret = token_for(world.board_member, world.partnership)
    theirs, _ = token_for(world.coordinator, world.partnership)
    client.force_login(world.board_member)
    listing = client.get(TOKENS).content.decode()
    assert mine.prefix in listing and theirs.prefix not in listing
    assert client.get(reverse("api:token_revoke", args=["tri-borough", theirs.pk])).status_code == 404
    assert client.post(reverse("api:token_revoke", args=["tri-borough", theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    response = client.post(reverse("api:token_revoke", args=["tri-borough", mine.pk]))
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.revoked_at is not None
    assert bearer(secret).get(api_url("strategies", "tri-borough")).status_code == 401
    assert "Revoked" in client.get(TOKENS).content.decode()


def test_a_token_is_for_one_partnership(world, client):
    """A member of two partnerships makes a token on each one's page; each reads only its own."""
    from partnership.models import Membership
    from tests.factories import MembershipFactory

    MembershipFactory(user=world.board_member, partnership=world.other_partnership, role=Membership.Role.BOARD_MEMBER)
    _token, secret = token_for(world.board_member, world.partnership)
    assert bearer(secret).get(api_url("strategies", "tri-borough")).status_code == 200
    assert bearer(secret).get(api_url("strategies", "elsewhere")).status_code == 404


def test_making_and_revoking_are_in_the_audit_log(world, client):
    client.force_login(world.lead)
    client.post(TOKENS, {"name": "Power BI", "days": "10"})
    token = ApiToken.objects.get()
    client.post(reverse("api:token_revoke", args=["tri-borough", token.pk]))
    events = AuditEvent.objects.filter(object_type="api.ApiToken", object_id=str(token.pk)).order_by("id")
    assert [e.action for e in events] == [AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE]
    assert events[0].actor == world.lead
    assert events[0].changes["token_hash"] == [None, "(changed)"]


def test_the_feeds_page_lists_every_feed_and_column_in_a_fixed_number_of_queries(
    world, client, django_assert_num_queries
):
    from api.feeds import FEEDS

    client.force_login(world.board_member)
    url = reverse("api:feed_columns", args=["tri-borough"])
    client.get(url)
    # The session (read, and its activity time written in a savepoint), the user and the membership: nothing more.
    with django_assert_num_queries(6):
        page = client.get(url).content.decode()
    for feed in FEEDS.values():
        assert f'id="{feed.kind}"' in page
        assert all(column.name in page for column in feed.columns)
    assert "/api/v1/tri-borough/feeds/marac_benchmarks.csv" in page


def test_an_administrator_revokes_a_token_in_the_admin(world, client):
    token, secret = token_for(world.board_member, world.partnership)
    client.force_login(world.admin)
    changelist = reverse("admin:api_apitoken_changelist")
    page = client.get(changelist)
    assert page.status_code == 200 and token.prefix in page.content.decode()
    assert secret not in page.content.decode() and token.token_hash not in page.content.decode()
    response = client.post(changelist, {"action": "revoke", "_selected_action": [token.pk]})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert bearer(secret).get(api_url("strategies", "tri-borough")).status_code == 401
