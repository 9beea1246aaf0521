"""Every page a board member, a strategic lead and a coordinator reach in the demo partnership, at 320 and at 1280
pixels wide: no page scrolls sideways as a whole (a wide table scrolls in its own region), and axe finds nothing
(WCAG 2.2 AA). At 1280 the service navigation fits on one line, and a data page's filter folds away.

Set SCREENSHOT_DIR to keep a screenshot of every page at both widths."""

import os
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from partnership.models import Membership
from tests.factories import TEST_PASSWORD
from tests.referrals.factories import ensure_standard_rows

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")
WIDTHS = (320, 1280)
PARTNERSHIP = "tri-borough"
# Links that are not pages to read: files, charts, signing out, Django's admin.
NOT_PAGES = re.compile(
    r"(export|download|csv|xlsx|\.svg|pdf|json|docx|chart|/admin/|logout|sign-out|format=|report\.html)"
)
MOST_PAGES = 60
# Pages excused from the check (none left).
LEFT_OUT: set[str] = set()


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_standard_rows()
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    users = {}
    for role in ("board_member", "strategic_lead", "coordinator"):
        user = Membership.objects.filter(partnership__slug=PARTNERSHIP, role=role).order_by("user__username")[0].user
        user.set_password(TEST_PASSWORD)
        user.save()
        users[role] = user
    return users


def shape(path: str) -> str:
    """Pages that differ only by the record they show count once: /plan/actions/12/ is /plan/actions/N/."""
    return re.sub(r"/\d+(?=/)", "/N", path)


def links_on(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "main a[href], .govuk-service-navigation a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.netloc or not parts.path.startswith(base) or NOT_PAGES.search(href):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def check_page(page, axe, url: str, role: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        page.wait_for_load_state()
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if SCREENSHOTS:
            name = re.sub(r"[^a-z0-9]+", "-", f"{role}{url}".lower()).strip("-")
            page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}-{width}.png"), full_page=True)
        assert scroll_width <= width, f"{url} is {scroll_width} pixels wide at {width}"
        axe.check(page)
        if width == 1280:
            tops = page.eval_on_selector_all(
                ".govuk-service-navigation__item", "items => items.map(item => item.offsetTop)"
            )
            assert len(set(tops)) == 1, f"the navigation wraps at 1280 on {url}"


@pytest.mark.parametrize("role", ["board_member", "strategic_lead", "coordinator"])
def test_every_page_fits_the_screen_and_passes_axe(demo, page, sign_in, axe, role):
    sign_in(demo[role])
    base = f"/{PARTNERSHIP}/"
    to_visit, seen, checked = [base], {shape(base)}, []
    while to_visit and len(checked) < MOST_PAGES:
        url = to_visit.pop(0)
        check_page(page, axe, url, role)
        checked.append(url)
        for link in links_on(page, base):
            if shape(urlsplit(link).path) not in seen and urlsplit(link).path not in LEFT_OUT:
                seen.add(shape(urlsplit(link).path))
                to_visit.append(link)
    # The pages the issue names as the ones that scrolled sideways are among those checked.
    visited = {urlsplit(u).path for u in checked}
    for path in ("plan/summary/", "plan/appendix/", "plan/recommendations/", "figures/marac/", "figures/referrals/"):
        assert f"{base}{path}" in visited, f"{path} was not reached"
    assert len(checked) >= 20


def test_a_data_page_uses_the_width_and_its_filter_folds_away(demo, page, sign_in, axe):
    sign_in(demo["strategic_lead"])
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/{PARTNERSHIP}/plan/")
    main = page.locator("main").bounding_box()
    assert main["width"] > 1100  # not the 960-pixel column of the other pages
    toggle = page.get_by_role("button", name="Hide filter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("button", name="Apply filters")).to_be_visible()
    table_before = page.locator("main table").first.bounding_box()["width"]
    toggle.click()
    expect(page.get_by_role("button", name="Show filter")).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("button", name="Apply filters")).to_be_hidden()
    assert page.locator("main table").first.bounding_box()["width"] > table_before
    axe.check(page)
    # The sign-out is a button in a POST form, drawn as one of the navigation's links.
    sign_out = page.get_by_role("button", name=re.compile("^Sign out"))
    assert sign_out.evaluate("b => b.form.method") == "post"
    assert sign_out.evaluate("b => getComputedStyle(b).textDecorationLine") == "underline"
    assert sign_out.evaluate("b => getComputedStyle(b).backgroundColor") == "rgba(0, 0, 0, 0)"


def test_without_javascript_the_filter_shows(demo, browser, live_server, axe):
    from partnership import mfa
    from tests.mfa import authenticator_for, current_code

    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    user = demo["board_member"]
    page.goto("/account/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if mfa.is_required(user):
        page.get_by_label("Security code").fill(current_code(authenticator_for(user)))
        page.get_by_role("button", name="Continue").click()
    page.goto(f"/{PARTNERSHIP}/figures/marac/")
    expect(page.get_by_role("button", name="Apply filters")).to_be_visible()
    assert page.get_by_role("button", name="Show filter").count() == 0
    context.close()
