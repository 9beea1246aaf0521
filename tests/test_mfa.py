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
    from partnership import mfa

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
    from partnership import mfa

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
    # They chose it, so they may turn it off again (with their password: the session alone is not enough).
    plain.post(reverse("mfa_remove"), {"proof": TEST_PASSWORD})
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


# Changing two-factor sign-in needs more than the session -----------------------------------------------------------


def replace_authenticator(client, user, **proof):
    """Visit the set-up page as a signed-in user with an authenticator, and enter the new app's code."""
    client.get(reverse("mfa_setup"))
    pending = TOTPDevice.objects.get(user=user, confirmed=False)
    return pending, client.post(reverse("mfa_setup"), {"code": current_code(pending), "next": HOME, **proof})


def test_replacing_an_authenticator_with_the_session_alone_is_refused(world, client):
    old = authenticator_for(world.lead)
    client.force_login(world.lead)
    page = client.get(reverse("mfa_setup")).content.decode()
    assert 'name="proof"' in page and 'type="password"' in page
    pending, refused = replace_authenticator(client, world.lead)
    assert refused.status_code == 200
    assert "Enter your password or a current code" in refused.content.decode()
    assert TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists()
    pending.refresh_from_db()
    assert not pending.confirmed

    wrong = client.post(reverse("mfa_setup"), {"code": current_code(pending), "proof": "not-my-password", "next": HOME})
    assert wrong.status_code == 200
    assert "not your password" in wrong.content.decode()
    assert TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists()


@pytest.mark.parametrize("proof", ["password", "authenticator", "recovery code"])
def test_an_authenticator_is_replaced_with_the_password_or_a_current_code(world, client, proof):
    from partnership import mfa

    old = authenticator_for(world.lead)
    codes = mfa.new_recovery_codes(user=world.lead)
    client.force_login(world.lead)
    given = {"password": TEST_PASSWORD, "authenticator": current_code(old), "recovery code": codes[0]}[proof]
    pending, done = replace_authenticator(client, world.lead, proof=given)
    assert done.status_code == 200
    new_codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", done.content.decode())
    assert len(new_codes) == 10
    pending.refresh_from_db()
    assert pending.confirmed
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert not mfa.verify(user=world.lead, code=codes[1])  # the old recovery codes went with the old app


def test_a_mistyped_new_code_does_not_spend_another_recovery_code(world, client):
    from partnership import mfa

    old = authenticator_for(world.lead)
    codes = mfa.new_recovery_codes(user=world.lead)
    client.force_login(world.lead)
    client.get(reverse("mfa_setup"))
    pending = TOTPDevice.objects.get(user=world.lead, confirmed=False)
    wrong = client.post(reverse("mfa_setup"), {"code": "000000", "proof": codes[0], "next": HOME})
    assert wrong.status_code == 200
    assert "The code is not right" in wrong.content.decode()
    assert 'name="proof"' not in wrong.content.decode()  # it was them: not asked again straight away
    assert TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists()
    done = client.post(reverse("mfa_setup"), {"code": current_code(pending), "next": HOME})
    assert "I have saved my recovery codes" in done.content.decode()
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    # Each change asks afresh.
    again = client.post(reverse("mfa_recovery_codes"))
    assert again.status_code == 200
    assert "Enter your password or a current code" in again.content.decode()


def test_first_set_up_asks_for_nothing_more(world, plain):
    sign_in(plain, world.board_member)
    page = plain.get(reverse("mfa_setup")).content.decode()
    assert 'name="proof"' not in page
    device = TOTPDevice.objects.get(user=world.board_member)
    done = plain.post(reverse("mfa_setup"), {"code": current_code(device), "next": HOME})
    assert "I have saved my recovery codes" in done.content.decode()
    device.refresh_from_db()
    assert device.confirmed


def test_new_recovery_codes_need_the_password_or_a_current_code(world, client):
    from partnership import mfa

    device = authenticator_for(world.lead)
    codes = mfa.new_recovery_codes(user=world.lead)
    client.force_login(world.lead)
    manage = client.get(reverse("mfa_manage")).content.decode()
    assert 'name="proof"' in manage
    refused = client.post(reverse("mfa_recovery_codes"))
    assert refused.status_code == 200
    assert "Enter your password or a current code" in refused.content.decode()
    assert "govuk-error-summary" in refused.content.decode()
    assert mfa.remaining_recovery_codes(world.lead) == 10
    wrong = client.post(reverse("mfa_recovery_codes"), {"proof": "123456"})
    assert wrong.status_code == 200 and "The code is not right" in wrong.content.decode()
    assert mfa.remaining_recovery_codes(world.lead) == 10

    done = client.post(reverse("mfa_recovery_codes"), {"proof": current_code(device)})
    assert done.status_code == 200
    new_codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", done.content.decode())
    assert len(new_codes) == 10 and not set(new_codes) & set(codes)
    assert mfa.remaining_recovery_codes(world.lead) == 10
    assert not mfa.verify(user=world.lead, code=codes[0])


def test_turning_it_off_needs_the_password_or_a_current_code(world, client):
    authenticator_for(world.board_member)
    client.force_login(world.board_member)
    refused = client.post(reverse("mfa_remove"))
    assert refused.status_code == 200
    assert "Enter your password or a current code" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=world.board_member, confirmed=True).exists()
    done = client.post(reverse("mfa_remove"), {"proof": TEST_PASSWORD})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.board_member).exists()


def test_guessing_the_password_to_change_two_factor_is_throttled_like_signing_in(world, client, settings):
    from axes.models import AccessAttempt

    authenticator_for(world.lead)
    client.force_login(world.lead)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("mfa_recovery_codes"), {"proof": "a-wrong-password-guess"})
    assert AccessAttempt.objects.filter(username="alice").exists()
    locked = client.post(reverse("mfa_recovery_codes"), {"proof": TEST_PASSWORD})
    assert locked.status_code == 429
    from partnership import mfa

    assert mfa.remaining_recovery_codes(world.lead) == 0  # nothing was made


# A role that gains the two-factor requirement gets it on its next request ---------------------------------------


def test_a_coordinator_made_lead_must_set_up_two_factor_on_the_next_request(world, plain):
    from partnership.models import Membership

    sign_in(plain, world.coordinator)
    assert plain.get(HOME).status_code == 200
    membership = Membership.objects.get(user=world.coordinator, partnership=world.partnership)
    membership.role = Membership.Role.STRATEGIC_LEAD
    membership.save()
    response = plain.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_setup"))
    assert plain.get(reverse("audit:log", args=[world.partnership.slug])).status_code == 302


def test_a_user_made_staff_must_set_up_two_factor_before_the_admin(world, plain):
    sign_in(plain, world.board_member)
    assert plain.get(HOME).status_code == 200
    world.board_member.is_staff = True
    world.board_member.save()
    response = plain.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_setup"))


def test_a_new_lead_with_an_authenticator_is_asked_for_a_code(world, plain):
    from partnership.models import Membership

    sign_in(plain, world.coordinator)
    assert plain.get(HOME).status_code == 200
    authenticator_for(world.coordinator)  # set up in another session meanwhile
    Membership.objects.filter(user=world.coordinator).update(role=Membership.Role.STRATEGIC_LEAD)
    assert plain.get(HOME)["Location"].startswith(reverse("mfa_verify"))


def test_a_lead_no_longer_lead_is_not_held_at_set_up(world, plain):
    from partnership.models import Membership

    sign_in(plain, world.lead)
    assert plain.get(HOME)["Location"].startswith(reverse("mfa_setup"))
    Membership.objects.filter(user=world.lead).update(role=Membership.Role.COORDINATOR)
    assert plain.get(HOME).status_code == 200


def test_rechecking_the_requirement_costs_no_extra_query(world, plain, django_assert_num_queries):
    """The requirement comes with the user's own row (one query either way): sessions without two-factor sign-in,
    most of them, pay nothing for the recheck."""
    sign_in(plain, world.board_member)
    plain.get(reverse("accessibility"))
    # The session, the user (with whether their role needs two-factor sign-in) and the session's save (in a savepoint).
    with django_assert_num_queries(5) as optional:
        assert plain.get(reverse("accessibility")).status_code == 200
    optional_count = len(optional.captured_queries)  # read now: each request resets the connection's query log
    lead = Client()
    sign_in(lead, world.lead)
    lead.get(reverse("accessibility"))
    with django_assert_num_queries(optional_count):
        assert lead.get(reverse("accessibility")).status_code == 200
