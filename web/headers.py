"""Security headers on every HTTP answer: a strict Content-Security-Policy (no inline script; embedded data
travels in `<script type="application/json">` blocks read by the page's script), no framing (kiosk pages
too), nosniff, same-origin referrers, and HSTS when the site runs on https.

The OpenAPI explorer at /schema is Swagger UI, whose page Litestar writes with inline script: only there
are inline script and style allowed.
"""

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    # The live boards' websocket server listens on a port of its own.
    "connect-src 'self' ws: wss:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
SCHEMA_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(*, https: bool):
    """A `before_send` hook (so answers no route handles, such as a 404, get the headers too)."""

    async def add_headers(message: Message, scope: Scope) -> None:
        if scope["type"] != "http" or message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        headers["Content-Security-Policy"] = SCHEMA_CSP if scope.get("path", "").startswith("/schema") else CSP
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        if "referrer-policy" not in headers:  # private-link pages send none at all (web.links.PRIVATE_PAGE_HEADERS)
            headers["Referrer-Policy"] = "same-origin"
        if https:
            headers["Strict-Transport-Security"] = HSTS

    return add_headers
