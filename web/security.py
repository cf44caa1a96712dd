"""CSRF, Litestar's own, tuned for this service (the login limit is web.login_limit)."""

from litestar.config.csrf import CSRFConfig
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import Receive, Scope, Send

from web.auth import SESSION_COOKIE

CSRF_COOKIE = "xpo_csrf"
CSRF_HEADER = "x-csrftoken"


class TokenAwareCSRFMiddleware(CSRFMiddleware):
    """Litestar's CSRF check, skipped only for requests that carry a bearer token and no session cookie.

    A bearer token is never sent by a browser on its own, so such a request cannot be forged
    cross-site; anything riding on the session cookie is checked.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = scope.get("headers", [])
            authorizations = [value for name, value in headers if name == b"authorization"]
            # Every Cookie header counts (a client may send several), and every cookie in each.
            cookie_names = {
                part.split(b"=", 1)[0].strip()
                for name, value in headers if name == b"cookie" for part in value.split(b";")
            }
            bearer = len(authorizations) == 1 and authorizations[0].lower().startswith(b"bearer ")
            if bearer and SESSION_COOKIE.encode() not in cookie_names:
                await self.app(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def csrf_middleware(secret: str, *, secure: bool) -> DefineMiddleware:
    config = CSRFConfig(
        secret=secret,
        cookie_name=CSRF_COOKIE,
        header_name=CSRF_HEADER,
        cookie_secure=secure,
        # Pages carry the token in their forms (`csrf_input`): no script needs to read the cookie.
        cookie_httponly=True,
        cookie_samesite="lax",
        # Nothing to protect and no cookie for health checks, static files and calendar feeds.
        exclude=["^/healthz$", "^/static/", r"\.ics$"],
    )
    return DefineMiddleware(TokenAwareCSRFMiddleware, config=config)
