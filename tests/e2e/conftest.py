"""Debian's Chromium, driven by Playwright, for the browser tests (Playwright's own browser downloads are never used).

Without /usr/bin/chromium a browser test is skipped with the reason (pytest -ra prints it), except in CI
(CI=true), where .ci/run installs Chromium and a skip would hide a broken set-up: there it fails.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    # The machine reaches nothing beyond loopback: keep Chromium from calling home.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def chromium() -> Iterator[Browser]:
    """A headless Chromium, closed after the test."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: .ci/run installs it, so browser tests must run in CI")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
