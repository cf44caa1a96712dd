"""E-mail notifications: the renderer that fills the outbox (`render.install`) and the outbox page."""

from web.notifications import outbox, render  # noqa: F401

ROUTERS = [*outbox.ROUTERS]
