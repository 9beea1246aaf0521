"""The client's address behind trusted proxies: sign-in throttling and the audit log read the same one."""

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.urls import reverse

from audit.models import AuditEvent
from tests.factories import TEST_PASSWORD
from vawg.client_ip import client_ip

LOGIN = reverse("login")
PROXY = "10.0.0.2"
CLIENT_A = "203.0.113.10"
CLIENT_B = "198.51.100.20"


def via_proxy(client, username, client_address, password="wrong-password", forwarded_prefix=""):
    """A sign-in as the load balancer forwards it: connecting from the proxy, which appended the client's address."""
    return client.post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"{forwarded_prefix}{client_address}",
    )


def address(remote="192.0.2.1", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, None, "192.0.2.1"),
        (0, "203.0.113.10", "192.0.2.1"),  # nobody in front: the header is the client's own invention
        (1, "203.0.113.10", "203.0.113.10"),
        (1, "6.6.6.6, 203.0.113.10", "203.0.113.10"),  # a forged left-most entry is never read
        (2, "6.6.6.6, 203.0.113.10, 10.0.0.7", "203.0.113.10"),  # the outer proxy appended the client
        (2, "203.0.113.10", "192.0.2.1"),  # fewer entries than proxies: only the connection is certain
        (1, "", "192.0.2.1"),
        (1, "not-an-address", "192.0.2.1"),
        (1, "203.0.113.10:51234", "203.0.113.10"),
        (1, "[2001:db8::1]:443", "2001:db8::1"),
        (1, " 2001:DB8::1 ", "2001:db8::1"),
    ],
)
def test_the_client_address_honours_the_trusted_proxy_count(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert address(forwarded=forwarded) == expected


def test_django_axes_asks_the_same_function(settings):
    assert settings.AXES_CLIENT_IP_CALLABLE == "vawg.client_ip.client_ip"


def test_behind_a_proxy_one_clients_failures_do_not_lock_the_account_out_elsewhere(world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker, owner = Client(), Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert via_proxy(attacker, "bert", CLIENT_A).status_code == 200
    assert via_proxy(attacker, "bert", CLIENT_A).status_code == 429  # the limit-th failure locks client A out
    assert via_proxy(attacker, "bert", CLIENT_A, password=TEST_PASSWORD).status_code == 429
    assert "_auth_user_id" not in attacker.session

    response = via_proxy(owner, "bert", CLIENT_B, password=TEST_PASSWORD)
    assert response.status_code == 302
    assert "_auth_user_id" in owner.session
    attempt = AccessAttempt.objects.get(username="bert")
    assert attempt.ip_address == CLIENT_A
    assert attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT


def test_without_a_trusted_proxy_a_forged_forwarded_header_does_not_dodge_the_lockout(world, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    attacker = Client()
    for i in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(
            LOGIN, {"username": "bert", "password": "wrong"}, REMOTE_ADDR=CLIENT_A, HTTP_X_FORWARDED_FOR=f"10.9.9.{i}"
        )
    response = attacker.post(
        LOGIN, {"username": "bert", "password": TEST_PASSWORD}, REMOTE_ADDR=CLIENT_A, HTTP_X_FORWARDED_FOR="10.9.9.99"
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in attacker.session
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [CLIENT_A]


def test_a_forged_left_most_entry_behind_one_proxy_is_not_who_gets_locked_out(world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        via_proxy(attacker, "bert", CLIENT_A, forwarded_prefix=f"{CLIENT_B}, ")
    # The forged entry named client B; B still signs in, A does not.
    assert via_proxy(Client(), "bert", CLIENT_B, password=TEST_PASSWORD).status_code == 302
    again = via_proxy(attacker, "bert", CLIENT_A, password=TEST_PASSWORD, forwarded_prefix="1.2.3.4, ")
    assert again.status_code == 429


def test_the_audit_log_records_the_clients_address_not_the_proxys(world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    via_proxy(Client(), "bert", CLIENT_A)
    signed_in = Client()
    via_proxy(signed_in, "bert", CLIENT_B, password=TEST_PASSWORD)
    failed = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN_FAILED)
    assert failed.ip_address == CLIENT_A
    assert AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN).ip_address == CLIENT_B


def test_without_a_proxy_the_audit_log_ignores_a_forged_header(world, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    Client().post(
        LOGIN, {"username": "bert", "password": "wrong"}, REMOTE_ADDR=CLIENT_A, HTTP_X_FORWARDED_FOR="6.6.6.6"
    )
    assert AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN_FAILED).ip_address == CLIENT_A
