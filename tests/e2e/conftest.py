"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

No browser is downloaded: the tests use /usr/bin/chromium (apt package `chromium`) and skip
when it is missing (the skip reason is listed in the summary), or fail when REQUIRE_CHROMIUM
is set, as CI sets it. A failing test leaves a screenshot in tests/e2e/screenshots/.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.db import connections

from tests.integration.processes import attach_logs

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parent / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are ordinary blocking calls, which Django would otherwise refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.e2e_failed = report.failed
        attach_logs(item, report)


@pytest.fixture(scope="module")
def browser():
    """Chromium, for one module's tests.

    Inside ``sync_playwright`` this thread has a running event loop, so Django keeps its
    connections per context rather than per thread. A browser kept for the session did that
    for every later test too: a connection opened after the browser tests was one that
    pytest-django's teardown did not hold, and dropping the test database found it still
    open ("being accessed by other users"). Hence a browser per module, and this context's
    connections closed before the loop ends.
    """
    if not Path(CHROMIUM).exists():
        missing = f"Chromium not installed at {CHROMIUM} (apt-get install chromium)"
        # CI installs it, so there a missing browser is an error, not a quiet skip.
        if os.environ.get("REQUIRE_CHROMIUM"):
            pytest.fail(missing + ", and REQUIRE_CHROMIUM is set")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        connections.close_all()
        browser.close()


@pytest.fixture
def new_page(browser, request):
    """A factory of pages, each in its own context (its own cookies: one person each)."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    if getattr(request.node, "e2e_failed", False):
        SCREENSHOTS.mkdir(exist_ok=True)
        for n, context in enumerate(contexts):
            for m, page in enumerate(context.pages):
                page.screenshot(
                    path=SCREENSHOTS / f"{request.node.name}-{n}-{m}.png", full_page=True
                )
    for context in contexts:
        context.close()
