"""Routers by audience: each package's `ROUTERS` groups its handlers so guards and OpenAPI tags are set once.

Handlers keep their whole URL (the routers sit at ``/``), so a URL read in a template, a test or a log leads
to its handler by search.

Litestar registers one URL's methods in one router: when a URL's methods are for two audiences
(``GET /api/festival/editions`` for anyone, ``POST`` for MDE staff), both handlers go in the broader audience's
router and the stricter one carries its own guard.
"""

from collections.abc import Sequence

from litestar import Router
from litestar.types import ControllerRouterHandler, Guard


def pages(*handlers: ControllerRouterHandler, guards: Sequence[Guard] = ()) -> Router:
    """HTML pages and their form actions for one audience, left out of the OpenAPI document."""
    return Router(path="/", route_handlers=list(handlers), guards=list(guards), include_in_schema=False)


def api(tag: str, *handlers: ControllerRouterHandler, guards: Sequence[Guard] = ()) -> Router:
    """JSON endpoints for one audience, documented in OpenAPI under ``tag``."""
    return Router(path="/", route_handlers=list(handlers), guards=list(guards), tags=[tag])
