"""Routers by audience: each package's `ROUTERS` groups its handlers so guards and OpenAPI tags are set once.

Handlers keep their whole URL (the routers sit at ``/``), so a URL read in a template, a test or a log leads
to its handler by search.

Litestar registers one URL's methods in one router: when a URL's methods are for two audiences
(``GET /api/festival/editions`` for anyone, ``POST`` for MDE staff), both handlers go in the broader audience's
router and the stricter one carries its own guard.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from litestar import Router
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.types import ControllerRouterHandler, Guard


@dataclass
class Problem:
    """An API refusal (RFC 9457 problem+json): ``errors`` maps each bad field to its French message."""

    type: str
    title: str
    status: int
    detail: str
    errors: dict[str, str] = field(default_factory=dict)
    code: str | None = None


PROBLEM_STATUSES = {
    400: "Bad request", 401: "Not logged in", 403: "Forbidden", 404: "No such record",
    409: "Conflict with the current state", 422: "Bad input: a field to fix", 429: "Too many requests",
}
def problem(description: str) -> ResponseSpec:
    """A refusal (problem+json) with what it means for one operation (``responses={409: problem("…")}``)."""
    return ResponseSpec(data_container=Problem, media_type="application/problem+json", description=description)


PROBLEMS = {status: problem(words) for status, words in PROBLEM_STATUSES.items()}
"""The refusals any API operation may answer (`web.errors`), declared once for the OpenAPI document; an
operation's own `problem` descriptions take precedence."""


def pages(*handlers: ControllerRouterHandler, guards: Sequence[Guard] = ()) -> Router:
    """HTML pages and their form actions for one audience, left out of the OpenAPI document."""
    return Router(path="/", route_handlers=list(handlers), guards=list(guards), include_in_schema=False)


def api(tag: str, *handlers: ControllerRouterHandler, guards: Sequence[Guard] = ()) -> Router:
    """JSON endpoints for one audience, documented in OpenAPI under ``tag``."""
    for handler in handlers:
        if isinstance(handler, HTTPRouteHandler):
            handler.responses = {**PROBLEMS, **(handler.responses or {})}
    return Router(path="/", route_handlers=list(handlers), guards=list(guards), tags=[tag])
