"""Debian's Chromium, driven by Playwright, for the browser tests (Playwright's own browser downloads are never used).

Without /usr/bin/chromium a browser test is skipped with the reason (pytest -ra prints it), except in CI
(CI=true), where .ci/run installs Chromium and a skip would hide a broken set-up: there it fails.
"""

import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from tests.e2e.served import free_port, served, site_env, xpo

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

# As the pages' own actions (`set_default_timeout(15_000)`): a bound that only ends a hang. Playwright's 5 s
# default is short for a loaded machine with a browser test on each worker; assertions that time something say so.
expect.set_options(timeout=15_000)


@pytest.fixture
def chromium() -> Iterator[Browser]:
    """A headless Chromium, closed after the test. Not shared between tests: Playwright's synchronous API
    holds an event loop while it runs, and fixtures set up after it (the database's `run`) would fail."""
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


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """A folder holding one `xpo demo` database and its data folder, loaded once per run and shared by the test
    processes (pytest-xdist workers): each test serves its own copy (loading the demo took 10-30 s, once per
    desk test). The first process to need it loads it, under a file lock the others wait on."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's folder, above each worker's own (popen-gw0, popen-gw1…)
    folder = shared / "demo-template"
    with (shared / "demo-template.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "loaded").exists():
            folder.mkdir(exist_ok=True)
            env = site_env(folder, "demo.sqlite3", public_url=False)
            xpo(env, "demo", "--database-url", env["XPO_DATABASE_URL"], timeout=300)
            (folder / "loaded").touch()
    return folder


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Iterator[tuple[str, str]]:
    """(site address, demo summary): the demo edition served on a free port, once per test process for
    every module using it (loading the demo took 40-80 s, once per module); they change nothing another one checks
    (the player test records one heat). Its own `xpo demo` (not `demo_template`'s): the summary's links carry
    the port it is served on. Its tests share one xdist group (tests/conftest.py), so one process loads it."""
    tmp_path = tmp_path_factory.mktemp("demo")
    env = site_env(tmp_path, "demo.sqlite3", public_url=False, XPO_BOARDS_PORT=str(free_port()))
    summary = xpo(env, "demo", "--database-url", env["XPO_DATABASE_URL"], timeout=600)
    with served(env, tmp_path / "server.log") as url:
        yield url, summary
