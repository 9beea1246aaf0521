"""Each role signs in through the real sign-in page and walks the pages that exist, with axe on every page."""

import re

import pytest
from playwright.sync_api import expect

PAGES = [
    ("/tri-borough/", "Home"),
    ("/tri-borough/governance/", "Governance structure"),
    ("/tri-borough/boroughs/", "Boroughs"),
    ("/accessibility/", "Accessibility statement"),
    ("/account/password/", "Change your password"),
]


@pytest.mark.parametrize("persona", ["lead", "coordinator", "board_member"])
def test_each_role_signs_in_and_walks_the_partnership_pages(world, page, sign_in, axe, persona):
    page.goto("/account/sign-in/")
    axe.check(page)
    sign_in(world.users()[persona])
    expect(page).to_have_url(re.compile(r"/tri-borough/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(world.partnership.name)
    pages = PAGES + ([("/tri-borough/settings/", "Partnership settings")] if persona == "lead" else [])
    for path, title in pages:
        page.goto(path)
        expect(page).to_have_title(re.compile(title))
        axe.check(page)
    page.goto("/elsewhere/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    axe.check(page)


def test_navigation_marks_the_current_page_and_signs_out(world, page, sign_in, axe):
    sign_in(world.coordinator)
    page.get_by_role("link", name="Governance").click()
    expect(page.get_by_role("link", name="Governance")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", name="Children and Health Operational Group (CHOG)")).to_be_visible()
    page.get_by_role("button", name=re.compile("Sign out")).first.click()
    expect(page).to_have_url(re.compile("/account/sign-in/"))
    page.goto("/tri-borough/")
    expect(page).to_have_url(re.compile(r"/account/sign-in/\?next="))


def test_wrong_password_shows_the_error_summary(world, page, axe):
    page.goto("/account/sign-in/")
    page.get_by_label("Username").fill("bert")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Please enter a correct username and password")
    expect(page).to_have_title(re.compile("^Error: Sign in"))
    axe.check(page)


def test_administrator_reaches_django_admin_through_the_same_sign_in(world, page, sign_in, axe):
    page.goto("/admin/")
    expect(page).to_have_url(re.compile("/account/sign-in/"))
    sign_in(world.admin)
    expect(page.get_by_role("heading", name="Your partnerships")).to_be_visible()
    axe.check(page)
    page.get_by_role("link", name="Go to administration").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def test_idle_warning_appears_and_stay_signed_in_keeps_the_session(world, page, sign_in, axe, settings):
    # Shortened so the warning shows within seconds: 30 s idle limit, warning 24 s before the end.
    settings.SESSION_IDLE_TIMEOUT = 30
    settings.SESSION_WARNING_SECONDS = 24
    sign_in(world.board_member)
    dialog = page.get_by_role("dialog", name="You will be signed out soon")
    expect(dialog).to_be_visible(timeout=15_000)
    expect(page.get_by_role("button", name="Stay signed in")).to_be_focused()
    axe.check(page)
    page.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    page.goto("/tri-borough/boroughs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Boroughs")


def test_the_accessibility_check_can_fail(page, axe):
    """Guard against a check that cannot fail: axe must report a page with known violations."""
    page.set_content('<html><body><img src="x.png"><input type="text"></body></html>')
    ids = {violation["id"] for violation in axe.violations(page)}
    assert {"image-alt", "label"} <= ids


def test_a_lead_sets_up_two_factor_sign_in_then_uses_it(world, page, axe):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.mfa import current_code

    page.goto("/account/sign-in/")
    page.get_by_label("Username").fill(world.lead.username)
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    axe.check(page)
    device = TOTPDevice.objects.get(user=world.lead, confirmed=False)
    page.get_by_label("Security code").fill(current_code(device))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    axe.check(page)
    page.get_by_role("link", name="I have saved my recovery codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(world.partnership.name)
    page.get_by_role("button", name=re.compile("Sign out")).first.click()
    page.get_by_label("Username").fill(world.lead.username)
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter your security code")).to_be_visible()
    axe.check(page)
    page.goto("/account/two-factor/")
    expect(page.get_by_role("heading", name="Enter your security code")).to_be_visible()
