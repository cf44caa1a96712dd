"""CSRF, Litestar's double-submit cookie bound to the session (the login limit is web.login_limit).

A token is ``R + HMAC(secret, R | session id)``: the same token sits in the cookie and in the form (or the
``X-CSRFToken`` header), and its signature names the session it was issued for. When the request rides on a
live session, the token must have been issued for that session: a pair taken by an attacker on their own
session (or anonymously) is refused (403) against a victim's session, even when the attacker manages to plant
their CSRF cookie in the victim's browser. A visitor with no live session (login, pro-day registration, or a
session cookie that expired) has nothing to steal: the plain double-submit check applies. When a response
starts a session (login), it also sets a fresh CSRF cookie bound to it, so the next form works.
"""

import hashlib
import hmac
import secrets
from http.cookies import CookieError, SimpleCookie
from secrets import compare_digest

from litestar.config.csrf import CSRFConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.datastructures.cookie import Cookie
from litestar.exceptions import PermissionDeniedException
from litestar.middleware._utils import should_bypass_middleware
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from web.auth import SESSION_COOKIE

SESSION_STORE = "sessions"
CSRF_COOKIE = "xpo_csrf"
CSRF_HEADER = "x-csrftoken"
_RANDOM_HEX = 64


def _signature(secret: str, random_part: str, session_id: str) -> str:
    message = f"{random_part}|{session_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def bound_token(secret: str, session_id: str) -> str:
    """A new CSRF token for the session `session_id` ("" for a visitor with no session)."""
    random_part = secrets.token_hex(_RANDOM_HEX // 2)
    return random_part + _signature(secret, random_part, session_id)


def token_is_bound(secret: str, token: str, session_id: str) -> bool:
    """True when `token` was issued for the session `session_id`."""
    if len(token) != _RANDOM_HEX * 2:
        return False
    return compare_digest(token[_RANDOM_HEX:], _signature(secret, token[:_RANDOM_HEX], session_id))


def _well_formed(token: str) -> bool:
    return len(token) == _RANDOM_HEX * 2 and all(c in "0123456789abcdef" for c in token)


def _session_cookie_set(message: Message) -> str | None:
    """The session id a response gives the browser: the new id, "" when it deletes the cookie, None if untouched."""
    for name, value in message.get("headers", []):
        if name.lower() != b"set-cookie" or not value.startswith(SESSION_COOKIE.encode() + b"="):
            continue
        cookie = SimpleCookie()
        try:
            cookie.load(value.decode("latin-1"))
        except CookieError:
            continue
        morsel = cookie.get(SESSION_COOKIE)
        if morsel is None:
            continue
        deleted = morsel["max-age"] in ("0", "-1") or (morsel["expires"] and "1970" in morsel["expires"])
        return "" if deleted else _session_key(morsel.value)
    return None


def _session_key(value: str) -> str:
    """The session a cookie value names: Litestar "deletes" a session cookie by setting it to "null"."""
    return "" if value in ("", "null") else value


class TokenAwareCSRFMiddleware(CSRFMiddleware):
    """The CSRF check, skipped only for requests that carry a bearer token and no session cookie.

    A bearer token is never sent by a browser on its own, so such a request cannot be forged
    cross-site; anything riding on the session cookie is checked, with a token bound to that session.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
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
        if should_bypass_middleware(scope=scope, scopes=self.scopes, exclude_opt_key=self.config.exclude_from_csrf_key,
                                    exclude_path_pattern=self.exclude):
            await self.app(scope, receive, send)
            return

        request = scope["litestar_app"].request_class(scope=scope, receive=receive)
        secret = self.config.secret
        session_id = await self._live_session(scope, _session_key(request.cookies.get(SESSION_COOKIE, "")))
        cookie_token = request.cookies.get(self.config.cookie_name)
        if cookie_token is not None and not (
            token_is_bound(secret, cookie_token, session_id) if session_id else _well_formed(cookie_token)
        ):
            cookie_token = None  # another session's token (or a forged one): worthless here
        state = ScopeState.from_scope(scope)
        if request.method in self.config.safe_methods:
            token = state.csrf_token = cookie_token or bound_token(secret, session_id)
            await self.app(scope, receive, self._bound_send(send, session_id, None if cookie_token else token))
            return
        submitted = request.headers.get(self.config.header_name)
        content_type, _ = request.content_type
        if not submitted and content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            submitted = (await request.form()).get("_csrf_token")
        if not (isinstance(submitted, str) and cookie_token and compare_digest(submitted, cookie_token)):
            raise PermissionDeniedException("CSRF token verification failed")
        state.csrf_token = submitted
        await self.app(scope, receive, self._bound_send(send, session_id, None))

    @staticmethod
    async def _live_session(scope: Scope, session_id: str) -> str:
        """`session_id` if it names a session the store still holds, else "" (the visitor is anonymous)."""
        if not session_id:
            return ""
        store = scope["litestar_app"].stores.get(SESSION_STORE)
        return session_id if await store.get(session_id) is not None else ""

    def _bound_send(self, send: Send, session_id: str, token: str | None) -> Send:
        """Set the CSRF cookie when the visitor has none valid, or anew when the response changes the session."""

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                new_session = _session_cookie_set(message)
                fresh = token
                if new_session and new_session != session_id:
                    fresh = bound_token(self.config.secret, new_session)
                if fresh is not None:
                    self._set_cookie(message, fresh)
            await send(message)

        return wrapped

    def _set_cookie(self, message: Message, token: str) -> None:
        message.setdefault("headers", [])
        cookie = Cookie(key=self.config.cookie_name, value=token, path=self.config.cookie_path,
                        secure=self.config.cookie_secure, httponly=self.config.cookie_httponly,
                        samesite=self.config.cookie_samesite, domain=self.config.cookie_domain)
        MutableScopeHeaders.from_message(message).add("set-cookie", cookie.to_header(header=""))


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
