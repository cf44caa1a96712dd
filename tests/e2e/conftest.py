"""Debian's Chromium, driven by Playwright, for the browser tests (Playwright's own browser downloads are never used).

Without /usr/bin/chromium a browser test is skipped with the reason (pytest -ra prints it), except in CI
(CI=true), where .ci/run installs Chromium and a skip would hide a broken set-up: there it fails.
"""

import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, expect, sync_playwright

from tests.e2e.served import demo_copy, free_port, served, site_env, xpo

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


class _SharedChromium:
    """One Playwright driver and one headless Chromium per test process, kept from one browser test to the next
    (starting them took 2.5 s of CPU and up to 10-18 s of wall time under load, once per test). Each test gets
    fresh browser contexts (cookies, storage and cache are per context) and whatever it leaves open is closed.

    Playwright's synchronous API runs its event loop in this thread while it is started: it is stopped as soon
    as the next test is not a browser test (`pytest_runtest_teardown` below), and `tests.conftest.run` runs
    coroutines in a thread of their own meanwhile."""

    def __init__(self) -> None:
        self.playwright: Playwright | None = None
        self.browser: Browser | None = None

    def get(self) -> Browser:
        if self.browser is None or not self.browser.is_connected():
            self.stop()
            self.playwright = sync_playwright().start()
            self.browser = self.playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                           args=CHROMIUM_ARGS)
        return self.browser

    def stop(self) -> None:
        browser, playwright = self.browser, self.playwright
        self.browser = self.playwright = None
        try:
            if browser is not None and browser.is_connected():
                browser.close()
        finally:
            if playwright is not None:
                playwright.stop()


_SHARED = _SharedChromium()


@pytest.fixture
def chromium() -> Iterator[Browser]:
    """The process's headless Chromium; every context (and page) the test opened is closed after it."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: .ci/run installs it, so browser tests must run in CI")
        pytest.skip(reason)
    browser = _SHARED.get()
    try:
        yield browser
    finally:
        if browser.is_connected():
            for context in browser.contexts:
                context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After the test's own fixtures: stop the shared Chromium unless the next test uses it too."""
    try:
        return (yield)
    finally:
        if nextitem is None or "chromium" not in getattr(nextitem, "fixturenames", ()):
            _SHARED.stop()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """A folder holding one `xpo demo` database, its data folder and the summary it printed (`summary.txt`, its
    links on the address in `base.txt`), loaded once per run and shared by the test processes (pytest-xdist
    workers): each site serves its own copy (`served.demo_copy`; loading the demo takes 10-30 s of CPU). The first
    process to need it loads it, under a file lock the others wait on."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's folder, above each worker's own (popen-gw0, popen-gw1…)
    folder = shared / "demo-template"
    with (shared / "demo-template.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "loaded").exists():
            folder.mkdir(exist_ok=True)
            env = site_env(folder, "demo.sqlite3", public_url=False)
            summary = xpo(env, "demo", "--database-url", env["XPO_DATABASE_URL"], timeout=300)
            (folder / "summary.txt").write_text(summary)
            (folder / "base.txt").write_text(f"http://127.0.0.1:{env['XPO_SERVER_PORT']}")
            (folder / "loaded").touch()
    return folder


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory, demo_template) -> Iterator[tuple[str, str]]:
    """(site address, demo summary): a copy of the demo edition served on a free port, once per test process for
    every module using it; they change nothing another one checks (the player test records one heat). Its
    tests share one xdist group (tests/conftest.py), so one process serves it."""
    tmp_path = tmp_path_factory.mktemp("demo")
    env = site_env(tmp_path, "demo.sqlite3", public_url=False, XPO_BOARDS_PORT=str(free_port()))
    summary = demo_copy(demo_template, tmp_path, f"http://127.0.0.1:{env['XPO_SERVER_PORT']}")
    with served(env, tmp_path / "server.log") as url:
        yield url, summary
