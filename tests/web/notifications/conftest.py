from dataclasses import replace

import pytest

from tests.conftest import run
from tests.web.notifications.smtp import SmtpServer
from tournament.mailer import Sender


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


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
