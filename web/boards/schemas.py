"""API shapes of the kiosk screens."""

from dataclasses import dataclass
from datetime import datetime


@dataclass
class ScreenIn:
    label: str
    """Where the screen stands, e.g. "Main stage screen" (80 characters at most)."""


@dataclass
class ScreenOut:
    id: int
    label: str
    revoked: bool
    created_at: datetime


@dataclass
class ScreenLinkOut:
    screen: ScreenOut
    token: str
    """The secret of the kiosk address: returned this once, never stored."""
    url: str
    """The full kiosk address to open on the screen."""
