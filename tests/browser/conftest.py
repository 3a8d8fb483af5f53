"""Browser tests: Debian's Chromium driven by Playwright against a throwaway system.

They run in a pytest of their own (see the Makefile): tests/conftest.py patches the
process with eventlet, whose event loop Playwright's driver cannot share. Every page a
test reaches is checked with `audit()`: axe-core finds no serious or critical violation,
and at phone width (375 px) nothing scrolls sideways. Any console error or uncaught
script error fails the test; a failing test leaves a screenshot in the log folder.
"""

import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from deploy import seed
from deploy.system import Throwaway
from tests.e2e.conftest import Client

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "Demo-2026"
DESKTOP = {"width": 1280, "height": 900}
REFUSAL = re.compile(r"^Failed to load resource: the server responded with a status of 4\d\d ")
# Assertions wait for the page as long as actions do: the machine may be loaded.
expect.set_options(timeout=20_000)
SHOTS = Path(tempfile.mkdtemp(prefix="jx-browser-shots-"))


@pytest.fixture(scope="session")
def system():
    # A loaded machine (the whole suite, other runs) must not turn a slow answer into a 503.
    os.environ.setdefault("RPC_TIMEOUT_SECONDS", "15")
    with Throwaway("browser") as running:
        seed.run(PASSWORD)
        yield running


@pytest.fixture(scope="session")
def anon(system):
    return Client(system.base_url)


@pytest.fixture(scope="session")
def admin(anon):
    return anon.login("demo_admin", PASSWORD)


@pytest.fixture(scope="session")
def reviewer(anon):
    return anon.login("demo_reviewer", PASSWORD)


@pytest.fixture(scope="session")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.failed_call = report.failed
    return report


class Browser:
    """One browser context (its own storage, so its own sign-in) and its pages' problems."""

    def __init__(self, chromium, base_url, viewport=DESKTOP):
        self.base_url = base_url
        self.context = chromium.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
        self.context.set_default_timeout(20_000)
        self.problems = []
        self.page = self.new_page()

    def new_page(self):
        page = self.context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        page.on("response", lambda resp: resp.status >= 500 and self.problems.append(f"{resp.status} {resp.url}"))
        return page

    def _console(self, msg):
        # Chromium logs every 4xx answer as an error; those are refusals the page shows
        # (a rule broken, the bookmark limit) and the tests check the page for them.
        if msg.type == "error" and not REFUSAL.match(msg.text):
            self.problems.append(f"console: {msg.text}")

    def go(self, route, page=None):
        page = page or self.page
        page.goto(f"{self.base_url}/#/{route}")
        return page


@pytest.fixture
def browser(request, chromium, system):
    """`browser()` opens a new context (a second person); the first is `browser().page`."""
    opened = []

    def open_context(viewport=DESKTOP):
        opened.append(Browser(chromium, system.base_url, viewport))
        return opened[-1]

    yield open_context
    for number, b in enumerate(opened):
        if getattr(request.node, "failed_call", False):
            for index, page in enumerate(b.context.pages):
                page.screenshot(path=SHOTS / f"{request.node.name}-{number}-{index}.png", full_page=True)
            print(f"screenshots in {SHOTS}")
        problems = list(b.problems)
        b.context.close()
        assert not problems, problems
