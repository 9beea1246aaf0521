"""API tokens in a real browser: a board member makes a token, sees it once, uses it, and revokes it. Every page
passes axe (WCAG 2.2 AA) at 1280 and 320 pixels wide, without sideways scrolling, the API's documentation
included, which loads nothing from elsewhere under the site's CSP."""

import re

from playwright.sync_api import expect

from api.models import ApiToken

WIDTHS = (1280, 320)


def check_widths(page, axe):
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        axe.check(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"sideways scroll at {width}"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_member_makes_a_token_sees_it_once_and_revokes_it(world, page, sign_in, axe, live_server):
    sign_in(world.board_member)
    page.get_by_role("link", name="API", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API and data feeds")
    expect(page.get_by_text("You have no tokens for this partnership.")).to_be_visible()
    check_widths(page, axe)

    page.get_by_role("link", name="The feeds and their columns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Feeds and their columns")
    check_widths(page, axe)
    page.get_by_role("link", name="Back to API and data feeds").click()

    page.get_by_label("What is the token for?").fill("Power BI dashboard")
    page.get_by_label("Days until it expires").fill("400")
    page.get_by_role("button", name="Make a token").click()
    expect(page).to_have_title(re.compile("^Error: "))
    check_widths(page, axe)
    page.get_by_label("Days until it expires").fill("30")
    page.get_by_role("button", name="Make a token").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your new token")
    secret = page.locator("#token-secret").inner_text().strip()
    assert secret.startswith("vawg_")
    check_widths(page, axe)
    url = f"{live_server.url}/api/v1/{world.partnership.slug}/strategies"
    assert page.request.get(url, headers={"Authorization": f"Bearer {secret}"}).status == 200

    page.get_by_role("link", name="Done").click()
    token = ApiToken.objects.get()
    expect(page.get_by_role("heading", name="Power BI dashboard")).to_be_visible()
    expect(page.get_by_text(f"{token.prefix}...")).to_be_visible()
    assert secret not in page.content()

    page.get_by_role("link", name="Revoke the token Power BI dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revoke the token Power BI dashboard")
    check_widths(page, axe)
    page.get_by_role("button", name="Revoke the token").click()
    expect(page.get_by_text("revoked: it no longer works")).to_be_visible()
    check_widths(page, axe)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert page.request.get(url, headers={"Authorization": f"Bearer {secret}"}).status == 401


def test_the_documentation_works_offline_under_the_csp(world, page, sign_in, axe):
    refused = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    outside = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url) if "127.0.0.1" not in request.url and "localhost" not in request.url else None
        ),
    )
    sign_in(world.board_member)
    page.goto("/api/v1/docs")
    expect(page.get_by_role("heading", level=1)).to_have_text("VAWG Partnership Tracker API")
    expect(page.get_by_text("GET /api/v1/{partnership_slug}/feeds/referrals.csv").first).to_be_visible()
    assert not refused
    assert not outside
    check_widths(page, axe)  # the documentation itself passes axe, at 1280 and at 320 pixels
