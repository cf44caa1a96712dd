from dataclasses import replace

import pytest

from tests.conftest import run
from tests.shared_app import renew
from tests.web.notifications.smtp import SmtpServer
from tournament.mailer import Sender


@pytest.fixture(scope="session")
def smtp_server():
    """One SMTP server per test process: its port is in the settings, so the tests of this folder share one
    application (tests/shared_app.py) instead of each building its own for a port of its own."""
    with SmtpServer() as server:
        yield server


@pytest.fixture
def smtp(smtp_server):
    """The process's SMTP server, as a new one: nothing received, accepting (its recorder renewed)."""
    renew(smtp_server.recorder)
    return smtp_server


@pytest.fixture
def settings(settings, smtp):
    """Mail to the in-process server; the app keeps the outbox backend, and tests deliver with `deliver`."""
    return replace(settings, mail=replace(settings.mail, port=smtp.port, retry_seconds=0, max_attempts=3,
                                          timeout_seconds=5))


@pytest.fixture
def deliver(db, settings):
    def run_sender(name: str = "test-sender") -> int:
        return run(Sender(db, replace(settings.mail, backend="smtp"), name=name).drain())

    return run_sender
