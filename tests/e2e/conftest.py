"""The browser fixtures (tests/support/browser.py) for the end-to-end tests that drive the pages."""

from tests.support.browser import browser, windows  # noqa: F401 (fixtures)
