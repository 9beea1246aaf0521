"""Every view that redirects to a `next` the user supplied stays on this site (no open redirect, no 500)."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD
from tests.mfa import authenticator_for, current_code

HOME = "/tri-borough/"
OFF_SITE = [
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "http:evil.example",
    "https://evil.example@testserver.evil.example/",
    " //evil.example/",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "home",  # a URL name, not a path: never resolved from user input
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_stay_signed_in_never_leaves_the_site(world, client, target):
    client.force_login(world.board_member)
    response = client.post(reverse("session_extend"), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert "_auth_user_id" in client.session  # still signed in, only the destination was refused


@pytest.mark.parametrize("target", [HOME, f"{HOME}plan/?year=2015", "http://testserver/tri-borough/"])
def test_stay_signed_in_returns_to_a_page_of_this_site(world, client, target):
    client.force_login(world.board_member)
    response = client.post(reverse("session_extend"), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == target


def test_stay_signed_in_over_https_refuses_a_plain_http_address_of_this_site(world, client):
    client.force_login(world.board_member)
    response = client.post(reverse("session_extend"), {"next": "http://testserver/tri-borough/"}, secure=True)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    secure = client.post(reverse("session_extend"), {"next": "https://testserver/tri-borough/"}, secure=True)
    assert secure["Location"] == "https://testserver/tri-borough/"


def test_stay_signed_in_without_a_next_goes_home(world, client):
    client.force_login(world.board_member)
    response = client.post(reverse("session_extend"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_sign_in_never_leaves_the_site(world, target):
    client = Client()
    response = client.post(
        reverse("login"), {"username": "bert", "password": TEST_PASSWORD, "next": target}, REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 302
    assert "evil" not in response["Location"] and "javascript" not in response["Location"]
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_sign_out_never_leaves_the_site(world, client, target):
    client.force_login(world.board_member)
    response = client.post(reverse("logout"), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_the_two_factor_code_never_leads_off_the_site(world, target):
    device = authenticator_for(world.lead)
    client = Client()
    client.post(reverse("login"), {"username": "alice", "password": TEST_PASSWORD})
    page = client.get(reverse("mfa_verify"), {"next": target})
    assert target not in page.content.decode()
    response = client.post(reverse("mfa_verify"), {"code": current_code(device), "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_two_factor_set_up_never_links_off_the_site(world, target):
    client = Client()
    client.post(reverse("login"), {"username": "alice", "password": TEST_PASSWORD})
    client.get(reverse("mfa_setup"))
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=world.lead, confirmed=False)
    response = client.post(reverse("mfa_setup"), {"code": current_code(device), "next": target})
    assert response.status_code == 200
    html = response.content.decode()
    assert "I have saved my recovery codes" in html
    assert target not in html and "evil" not in html
