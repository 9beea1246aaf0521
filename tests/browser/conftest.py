"""Real-browser journeys: Playwright for Python driving Debian's Chromium, with an axe-core check per page.

Without Chromium the journeys skip with a reason, unless CI is set, where they fail.
"""

import os
import shutil

import pytest

from tests.factories import TEST_PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make are synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which("chromium") is not None


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not _chromium_available():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; CI must run the browser tests (apt-get install chromium).")
        pytest.skip(f"Chromium not found at {CHROMIUM}: install Debian's chromium to run the browser tests.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


PAGES_CHECKED: list[tuple[str, int]] = []  # (url, violations) of every axe check in this run, reported at the end


class AxeChecker:
    """Runs axe-core on the current page and records every page checked."""

    def __init__(self):
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()

    def violations(self, page) -> list[dict]:
        results = self.axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        return results.response["violations"]

    def check(self, page) -> None:
        violations = self.violations(page)
        PAGES_CHECKED.append((page.url, len(violations)))
        report = "\n".join(f"- {v['id']}: {v['help']} ({len(v['nodes'])} elements)" for v in violations)
        assert not violations, f"axe violations on {page.url}:\n{report}"


@pytest.fixture(scope="session")
def axe():
    return AxeChecker()


@pytest.fixture
def sign_in(page):
    """Sign in through the real pages; users whose role needs it enter a code from their authenticator app."""
    from partnership import mfa
    from tests.mfa import authenticator_for, current_code

    def _sign_in(user, password=TEST_PASSWORD):
        device = authenticator_for(user) if mfa.is_required(user) or mfa.has_authenticator(user) else None
        page.goto("/account/sign-in/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        if device is not None:
            page.get_by_label("Security code").fill(current_code(device))
            page.get_by_role("button", name="Continue").click()
            page.wait_for_load_state()

    return _sign_in
