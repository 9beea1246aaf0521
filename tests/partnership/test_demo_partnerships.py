"""The demo's three partnerships, seen through their pages: each shows only its own seeds' records, and the one
person who belongs to two sees both and switches between them."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from referrals.models import OutcomeIndicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


def page(client, username, name, slug, **kwargs):
    client.force_login(get_user_model().objects.get(username=username))
    response = client.get(reverse(name, kwargs={"partnership_slug": slug, **kwargs}))
    return response.status_code, response.content.decode()


def test_each_partnerships_pages_show_only_its_own_content(demo, client):
    status, recommendations = page(client, "strategic.lead", "actions:recommendations", "tri-borough")
    # Its only recommendation is its own joint SCR/DHR's (the case review register), none of Tower Hamlets'.
    assert status == 200 and "Joint SCR/DHR (RBKC)" in recommendations
    assert "Let&#x27;s not wait for 35" not in recommendations and "Warrior Women" not in recommendations
    _, indicators = page(client, "strategic.lead", "referrals:indicators", "tri-borough")
    assert "Percentage of women reporting increased safety" in indicators
    assert "Seed 001" not in indicators and "Seed 002" not in indicators and "sanctioned detection" not in indicators
    _, consultations = page(client, "strategic.lead", "consultations:index", "tri-borough")
    assert "Survivor feedback" in consultations and "Tower Hamlets" not in consultations

    status, recommendations = page(client, "th.lead", "actions:recommendations", "tower-hamlets")
    assert status == 200 and "Warrior Women" in recommendations
    assert recommendations.count("Illustrative") >= 12  # every linked action is from the illustrative plan
    _, plan = page(client, "th.lead", "actions:plan", "tower-hamlets")
    assert "Illustrative" in plan and "VAWG Strategy 2015-18" not in plan
    _, indicators = page(client, "th.lead", "referrals:indicators", "tower-hamlets")
    assert "Domestic violence sanctioned detection rate" in indicators and "Percentage of women" not in indicators
    _, consultations = page(client, "th.lead", "consultations:index", "tower-hamlets")
    assert "professionals consultation" in consultations and "Survivor feedback" not in consultations

    _, plan = page(client, "bd.lead", "actions:plan", "barking-dagenham")
    assert "VAWG Sub Group forward plan" in plan and "Illustrative" not in plan
    prevalence = OutcomeIndicator.objects.get(partnership__slug="barking-dagenham")
    status, indicator = page(client, "bd.board", "referrals:indicator", "barking-dagenham", indicator_id=prevalence.pk)
    assert status == 200 and "East London average" in indicator

    # Nobody reaches another partnership's pages, nor its records through their own.
    assert page(client, "th.lead", "partnership:home", "tri-borough")[0] == 404
    assert page(client, "strategic.lead", "referrals:indicator", "tri-borough", indicator_id=prevalence.pk)[0] == 404
    assert page(client, "bd.lead", "actions:plan", "tower-hamlets")[0] == 404


def test_the_member_of_two_partnerships_sees_both_and_switches(demo, client):
    client.force_login(get_user_model().objects.get(username="east.partner"))
    start = client.get(reverse("home")).content.decode()
    assert "Tower Hamlets Violence Against Women and Girls Partnership" in start
    assert "Barking and Dagenham Community Safety Partnership" in start
    assert "Hammersmith" not in start

    home = client.get(reverse("partnership:home", args=["tower-hamlets"])).content.decode()
    switch = reverse("partnership:home", args=["barking-dagenham"])
    assert f'href="{switch}"' in home and "Switch to Barking and Dagenham" in home
    other = client.get(switch)
    assert other.status_code == 200
    text = other.content.decode()
    assert "Barking and Dagenham Community Safety Partnership" in text
    assert f'href="{reverse("partnership:home", args=["tower-hamlets"])}"' in text  # and back again
    assert client.get(reverse("partnership:home", args=["tri-borough"])).status_code == 404

    # A member of one partnership is sent straight to it, with nothing to switch to.
    client.force_login(get_user_model().objects.get(username="bd.board"))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("partnership:home", args=["barking-dagenham"])
    assert "Your other partnerships" not in client.get(response.url).content.decode()
