"""Sign-in, throttling, session lifetime, CSRF and security headers."""

import os
import time

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD

LOGIN = reverse("login")


def sign_in(client, username, password=TEST_PASSWORD, address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_it_signs_in_and_goes_to_the_only_partnership(world, client):
    response = sign_in(client, "bert")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == reverse("partnership:home", args=["tri-borough"])


def test_wrong_password_gets_a_clear_message_and_no_session(world, client):
    response = sign_in(client, "bert", "wrong-password")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_throttling_locks_one_user_at_one_address_not_colleagues_behind_the_same_proxy(world, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "bert", "wrong-password")
    # bert is locked out at this address, even with the right password...
    locked = sign_in(client, "bert")
    assert locked.status_code == 429
    assert "Sign-in is locked" in locked.content.decode()
    # ...but a colleague behind the same proxy signs in normally.
    colleague = Client()
    assert sign_in(colleague, "alice").status_code == 302
    assert "_auth_user_id" in colleague.session
    assert AccessAttempt.objects.filter(username="bert").exists()


def test_unauthenticated_pages_redirect_to_sign_in_with_next(world, client):
    url = reverse("partnership:governance", args=["tri-borough"])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={url}"


@pytest.mark.parametrize(("idle_minutes", "signed_in"), [(29, True), (31, False)])
def test_idle_session_ends_after_30_minutes(world, client, idle_minutes, signed_in):
    home = reverse("partnership:home", args=["tri-borough"])
    with time_machine.travel(1_700_000_000, tick=False) as traveller:
        sign_in(client, "bert")
        assert client.get(home).status_code == 200
        traveller.shift(idle_minutes * 60)
        response = client.get(home)
        assert (response.status_code == 200) is signed_in
        if not signed_in:
            assert response["Location"].startswith(LOGIN)
            page = client.get(response["Location"])
            assert "had not done anything for 30 minutes" in page.content.decode()


@pytest.mark.parametrize(
    ("idle_seconds", "wording"),
    [(600, "10 minutes"), (3600, "1 hour"), (5400, "1 hour and 30 minutes"), (60, "1 minute")],
)
def test_the_signed_out_message_names_the_configured_idle_time(world, client, settings, idle_seconds, wording):
    settings.SESSION_IDLE_TIMEOUT = idle_seconds
    home = reverse("partnership:home", args=["tri-borough"])
    with time_machine.travel(1_700_000_000, tick=False) as traveller:
        sign_in(client, "bert")
        traveller.shift(idle_seconds + 1)
        response = client.get(home)
        assert response.status_code == 302
        page = client.get(response["Location"]).content.decode()
    assert f"you had not done anything for {wording}." in page
    assert "for 30 minutes" not in page


def test_the_signed_out_message_names_the_configured_session_limit(world, client, settings):
    settings.SESSION_ABSOLUTE_TIMEOUT = 8 * 60 * 60
    home = reverse("partnership:home", args=["tri-borough"])
    with time_machine.travel(1_700_000_000, tick=False) as traveller:
        sign_in(client, "bert")
        for _ in range(17):  # active every 29 minutes, past 8 hours
            traveller.shift(29 * 60)
            response = client.get(home)
        assert response.status_code == 302
        page = client.get(response["Location"]).content.decode()
    assert "you had been signed in for 8 hours." in page


def test_activity_keeps_the_session_but_not_beyond_12_hours(world, client):
    home = reverse("partnership:home", args=["tri-borough"])
    with time_machine.travel(1_700_000_000, tick=False) as traveller:
        sign_in(client, "bert")
        for _ in range(23):  # a request every 25 minutes for 9.6 hours
            traveller.shift(25 * 60)
            assert client.get(home).status_code == 200
        for _ in range(6):
            traveller.shift(25 * 60)
            response = client.get(home)
        assert response.status_code == 302
        assert "had been signed in for 12 hours" in client.get(response["Location"]).content.decode()


def test_the_warning_dialog_is_on_every_signed_in_page_and_stay_signed_in_extends(world, client):
    home = reverse("partnership:home", args=["tri-borough"])
    with time_machine.travel(1_700_000_000, tick=False) as traveller:
        sign_in(client, "bert")
        page = client.get(home).content.decode()
        assert 'id="session-timeout-dialog"' in page
        assert 'data-timeout-seconds="1800"' in page
        assert 'data-warning-seconds="120"' in page
        traveller.shift(28 * 60)  # the warning shows two minutes before the end
        response = client.post(reverse("session_extend"), {"next": home}, headers={"Accept": "application/json"})
        assert response.json() == {"extended": True}
        traveller.shift(28 * 60)
        assert client.get(home).status_code == 200


def test_sign_out_ends_the_session(world, client):
    sign_in(client, "bert")
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("partnership:home", args=["tri-borough"])).status_code == 302


def test_forged_or_missing_csrf_token_is_refused_with_a_clear_page(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "bert", "password": TEST_PASSWORD})
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_an_email_and_does_not_reveal_accounts(world, client, no_reset_history):
    response = client.post(reverse("password_reset"), {"email": "bert@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "password-reset" in mail.outbox[0].body
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302  # same answer for an unknown address
    assert len(mail.outbox) == 1


@pytest.fixture
def no_reset_history():
    """The reset throttle counts in the cache, which outlives a test: start each of these tests from nothing."""
    cache.clear()
    yield
    cache.clear()


def ask_for_reset(client, email, address="10.0.0.1"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_password_reset_emails_to_one_address_are_throttled(world, client, settings, no_reset_history, caplog):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 3
    with time_machine.travel(1_700_000_000, tick=False) as traveller:
        for i in range(20):
            response = ask_for_reset(client, "bert@example.org", address=f"10.0.1.{i}")
            # The same answer every time, sent or not: the page never says whether an account exists or was refused.
            assert response.status_code == 302
            assert response["Location"] == reverse("password_reset_done")
        assert len(mail.outbox) == 3
        assert "Password reset refused" in caplog.text and "bert@example.org" in caplog.text
        # Someone else's reset still goes.
        ask_for_reset(client, "alice@example.org", address="10.0.2.1")
        assert len(mail.outbox) == 4
        # The limit is per hour.
        traveller.shift(60 * 60 + 1)
        ask_for_reset(client, "bert@example.org")
        assert len(mail.outbox) == 5


def test_password_reset_requests_from_one_client_are_throttled(world, client, settings, no_reset_history):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 5
    for i in range(8):
        assert ask_for_reset(client, f"someone{i}@example.org", address="203.0.113.5").status_code == 302
    # Requests for addresses with no account count too, so probing for accounts is throttled as well.
    refused = ask_for_reset(client, "bert@example.org", address="203.0.113.5")
    assert refused.status_code == 302 and refused["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 0
    assert ask_for_reset(client, "bert@example.org", address="203.0.113.6").status_code == 302
    assert len(mail.outbox) == 1
    assert "password-reset" in mail.outbox[0].body


def test_password_reset_throttle_reads_the_client_behind_the_proxy(world, client, settings, no_reset_history):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 2
    for email in ("a@example.org", "b@example.org", "c@example.org"):
        client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1")
    # Another client behind the same proxy is not refused because of the first.
    client.post(
        reverse("password_reset"), {"email": "bert@example.org"}, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="2.2.2.2"
    )
    assert len(mail.outbox) == 1


def test_security_headers_on_html_pages(world, client):
    client.force_login(world.board_member)
    response = client.get(reverse("partnership:home", args=["tri-borough"]))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store, private"


def test_pages_have_no_inline_scripts_or_styles(world, client):
    client.force_login(world.lead)
    for name in ("partnership:home", "partnership:governance", "partnership:boroughs"):
        html = client.get(reverse(name, args=["tri-borough"])).content.decode()
        assert "<script>" not in html
        assert "style=" not in html


def test_time_is_real_outside_frozen_tests():
    assert time.time() > 1_700_000_000


def _redis_url() -> str:
    import redis

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no Redis on 127.0.0.1:6379 (CI has one)")
    return url


def test_the_reset_throttle_is_shared_by_every_process_through_the_cache_url(world, client, settings):
    """Several gunicorn workers must count together: with CACHE_URL, the count lives in Redis, not in a process."""
    import redis
    from django.core.cache import caches

    url = _redis_url()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 2
    caches["default"].clear()
    try:
        for i in range(2):
            ask_for_reset(client, "bert@example.org", address=f"10.0.3.{i}")
        assert redis.Redis.from_url(url).dbsize() > 0  # counted in Redis, where every process reads it
        # Another process: a fresh cache connection, nothing kept in this one.
        del caches["default"]
        ask_for_reset(client, "bert@example.org", address="10.0.3.9")
        assert len(mail.outbox) == 2
    finally:
        caches["default"].clear()
