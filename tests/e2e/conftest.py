"""Debian's Chromium, driven by Playwright, for the browser tests (Playwright's own browser downloads are never used).

Without /usr/bin/chromium a browser test is skipped with the reason (pytest -ra prints it), except in CI
(CI=true), where .ci/run installs Chromium and a skip would hide a broken set-up: there it fails.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.e2e.test_browser_smoke import _free_port, _wait_until_healthy

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
    """A folder holding one `xpo demo` database and its data folder, loaded once per test process: each test
    serves its own copy (loading the demo took 10-30 s, once per desk test)."""
    folder = tmp_path_factory.mktemp("demo-template")
    (folder / "config.toml").write_text("# defaults only\n")
    env = {**os.environ, "XPO_CONFIG": str(folder / "config.toml"), "XPO_PATHS_DATA_DIR": str(folder / "data")}
    subprocess.run([sys.executable, "-m", "web.cli", "demo", "--database-url", f"sqlite+aiosqlite:///{folder / 'demo.sqlite3'}"],
                   cwd=Path(__file__).resolve().parents[2], env=env, check=True, capture_output=True, timeout=300)
    return folder


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Iterator[tuple[str, str]]:
    """(site address, demo summary): the demo edition served on a free port, once per test process for
    every module using it (loading the demo took 40-80 s, once per module); they change nothing another one checks
    (the player test records one heat)."""
    tmp_path = tmp_path_factory.mktemp("demo")
    config = tmp_path / "config.toml"
    config.write_text("# defaults only: everything else comes from XPO_* below\n")
    port = _free_port()
    env = {
        **os.environ,
        "XPO_CONFIG": str(config),
        "XPO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}",
        "XPO_PATHS_DATA_DIR": str(tmp_path / "data"),
        "XPO_SERVER_HOST": "127.0.0.1",
        "XPO_SERVER_PORT": str(port),
        "XPO_BOARDS_PORT": str(_free_port()),
    }
    xpo = [sys.executable, "-m", "web.cli"]
    summary = subprocess.run([*xpo, "demo", "--database-url", env["XPO_DATABASE_URL"]], cwd=Path(__file__).resolve().parents[2], env=env,
                             check=True, capture_output=True, timeout=600, text=True).stdout
    log = tmp_path / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen([*xpo, "serve"], cwd=Path(__file__).resolve().parents[2], env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_healthy(url, server, log)
        yield url, summary
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
