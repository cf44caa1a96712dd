"""E-mail notifications: the renderer that fills the outbox (`render.install`), the outbox page and each
account's notification preferences."""

from web.notifications import outbox, preferences, render  # noqa: F401

ROUTERS = [*outbox.ROUTERS, *preferences.ROUTERS]
