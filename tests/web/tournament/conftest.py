"""Tournament pages log several people in and out: allow more logins per minute than the shared default."""

from dataclasses import replace

import pytest


@pytest.fixture
def settings(settings):
    return replace(settings, security=replace(settings.security, login_attempts_per_minute=1000))
