"""Two-factor sign-in: required for strategic leads and administrators, available to everyone."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import TEST_PASSWORD
from tests.mfa import authenticator_for, current_code

HOME = "/tri-borough/"


@pytest.fixture
def plain():
    return Client()


def sign_in(client, user):
    return client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})


def test_a_lead_without_an_authenticator_must_set_one_up_before_anything_else(world, plain):
    sign_in(plain, world.lead)
    response = plain.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_setup"))
    page = plain.get(response["Location"]).content.decode()
    assert 'src="data:image/svg+xml' in page  # the QR code, as an image the CSP allows
    device = TOTPDevice.objects.get(user=world.lead, confirmed=False)

    wrong = plain.post(reverse("mfa_setup"), {"code": "000000", "next": HOME})
    assert "The code is not right" in wrong.content.decode()
    assert plain.get(HOME).status_code == 302

    done = plain.post(reverse("mfa_setup"), {"code": current_code(device), "next": HOME})
    codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", done.content.decode())
    assert len(codes) == 10
    assert plain.get(HOME).status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_a_user_with_an_authenticator_enters_a_code_after_the_password(world, plain):
    device = authenticator_for(world.lead)
    sign_in(plain, world.lead)
    response = plain.get(HOME)
    assert response["Location"].startswith(reverse("mfa_verify"))
    session_before = plain.cookies["sessionid"].value
    wrong = plain.post(reverse("mfa_verify"), {"code": "123456", "next": HOME})
    assert "The code is not right" in wrong.content.decode()
    assert "govuk-error-summary" in wrong.content.decode()
    ok = plain.post(reverse("mfa_verify"), {"code": current_code(device), "next": HOME})
    assert ok.status_code == 302 and ok["Location"] == HOME
    assert plain.cookies["sessionid"].value != session_before  # a new session id after the second factor
    assert plain.get(HOME).status_code == 200


def test_a_recovery_code_works_once(world, plain):
    authenticator_for(world.board_member)
    from vawg import mfa

    codes = mfa.new_recovery_codes(user=world.board_member)
    sign_in(plain, world.board_member)
    assert plain.post(reverse("mfa_verify"), {"code": codes[0], "next": HOME}).status_code == 302
    assert plain.get(HOME).status_code == 200
    again = Client()
    sign_in(again, world.board_member)
    refused = again.post(reverse("mfa_verify"), {"code": codes[0], "next": HOME})
    assert refused.status_code == 200 and "The code is not right" in refused.content.decode()
    assert mfa.remaining_recovery_codes(world.board_member) == 9


def test_repeated_wrong_codes_are_throttled(world, plain):
    device = authenticator_for(world.lead)
    sign_in(plain, world.lead)
    for _ in range(5):
        plain.post(reverse("mfa_verify"), {"code": "000000", "next": HOME})
    code = current_code(device)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=5)  # current_code resets it
    refused = plain.post(reverse("mfa_verify"), {"code": code, "next": HOME})
    assert refused.status_code == 200
    assert plain.get(HOME).status_code == 302


def test_a_throttled_code_is_told_it_is_throttled_and_when_to_try_again(world, plain):
    device = authenticator_for(world.lead)
    sign_in(plain, world.lead)
    with time_machine.travel(datetime(2026, 6, 1, 14, 0, 0, tzinfo=UTC), tick=False) as traveller:
        code = current_code(device)
        # Five wrong codes in a row: django-otp now waits 16 seconds before it checks another.
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=5, throttling_failure_timestamp=now())
        refused = plain.post(reverse("mfa_verify"), {"code": code, "next": HOME})
        assert refused.status_code == 200
        html = refused.content.decode()
        assert "The code is not right" not in html
        assert "Too many wrong codes" in html
        assert "Wait 16 seconds (until 15:00:16), then try the newest code" in html  # London summer time
        assert "govuk-error-summary" in html
        assert plain.get(HOME).status_code == 302
        device.refresh_from_db()
        assert device.throttling_failure_count == 5  # a refused attempt while throttled is not counted again

        traveller.shift(17)
        ok = plain.post(reverse("mfa_verify"), {"code": current_code(device), "next": HOME})
        assert ok.status_code == 302 and ok["Location"] == HOME
        assert plain.get(HOME).status_code == 200


def test_setting_up_with_a_throttled_code_says_when_to_try_again(world, plain):
    sign_in(plain, world.lead)
    plain.get(reverse("mfa_setup"))
    device = TOTPDevice.objects.get(user=world.lead, confirmed=False)
    with time_machine.travel(datetime(2026, 1, 10, 9, 0, 0, tzinfo=UTC), tick=False) as traveller:
        code = current_code(device)
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=3, throttling_failure_timestamp=now())
        refused = plain.post(reverse("mfa_setup"), {"code": code, "next": HOME})
        assert refused.status_code == 200
        assert "Wait 4 seconds (until 09:00:04), then try the newest code" in refused.content.decode()
        device.refresh_from_db()
        assert not device.confirmed
        traveller.shift(5)
        done = plain.post(reverse("mfa_setup"), {"code": current_code(device), "next": HOME})
        assert "I have saved my recovery codes" in done.content.decode()
        device.refresh_from_db()
        assert device.confirmed


def test_a_wrong_recovery_code_does_not_slow_down_the_authenticator(world, plain):
    from vawg import mfa

    device = authenticator_for(world.lead)
    mfa.new_recovery_codes(user=world.lead)
    sign_in(plain, world.lead)
    plain.post(reverse("mfa_verify"), {"code": "abcdef-123456", "next": HOME})
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    ok = plain.post(reverse("mfa_verify"), {"code": current_code(device), "next": HOME})
    assert ok.status_code == 302 and ok["Location"] == HOME


def test_a_wrong_code_that_is_not_throttled_gets_the_ordinary_message(world, plain):
    authenticator_for(world.lead)
    sign_in(plain, world.lead)
    wrong = plain.post(reverse("mfa_verify"), {"code": "000000", "next": HOME})
    assert wrong.status_code == 200
    assert "The code is not right" in wrong.content.decode()
    assert "Too many wrong codes" not in wrong.content.decode()


def test_board_members_and_coordinators_may_go_without_or_opt_in(world, plain):
    sign_in(plain, world.board_member)
    assert plain.get(HOME).status_code == 200
    assert "Two-factor sign-in is off" in plain.get(reverse("mfa_manage")).content.decode()
    plain.get(reverse("mfa_setup"))
    device = TOTPDevice.objects.get(user=world.board_member)
    plain.post(reverse("mfa_setup"), {"code": current_code(device), "next": HOME})
    later = Client()
    sign_in(later, world.board_member)
    assert later.get(HOME)["Location"].startswith(reverse("mfa_verify"))
    # They chose it, so they may turn it off again.
    plain.post(reverse("mfa_remove"))
    assert not TOTPDevice.objects.filter(user=world.board_member).exists()


def test_a_lead_cannot_turn_it_off(world, client):
    authenticator_for(world.lead)
    client.force_login(world.lead)
    response = client.post(reverse("mfa_remove"), follow=True)
    assert "cannot be turned off" in response.content.decode()
    assert TOTPDevice.objects.filter(user=world.lead, confirmed=True).exists()


def test_the_django_admin_is_behind_the_same_second_step(world, plain):
    sign_in(plain, world.admin)
    response = plain.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_setup"))
