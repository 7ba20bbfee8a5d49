"""Debian's chromium driven by playwright, for the tests that use the pages as people do.

`browser` starts chromium once per test module (never a downloaded browser: scripts/test-packages.txt),
not per session: playwright's sync API runs an event loop in the main thread while it is open, and
every later test that calls `asyncio.run()` would then fail;
`windows(**context_options)` opens a separate window (no shared cookies or storage) and fails the
test if the pages' Content-Security-Policy blocked anything in it: they must work under it, not merely
seem to. A conftest imports both fixtures; without playwright installed, only the tests that
use them are skipped.
"""

from __future__ import annotations

from typing import Iterator

import pytest

CHROMIUM = "/usr/bin/chromium"
WAIT_MS = 60_000
CSP_VIOLATION = "Content Security Policy"  # how chromium's console reports what the policy refused


@pytest.fixture(scope="module")
def browser() -> Iterator:
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


@pytest.fixture
def windows(browser):
    """Separate browser windows, closed after the test."""
    contexts, blocked = [], []

    def open_window(**options):
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.on("console", lambda message: blocked.append(message.text) if CSP_VIOLATION in message.text else None)
        return page

    yield open_window
    for context in contexts:
        context.close()
    assert not blocked, blocked
