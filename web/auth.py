"""Who is asking: session accounts, player links, screen tokens; and the guards that ask the policies.

Authentication resolves one `Actor` (or None) per connection. Authorisation lives in
`tournament.policies`; the guards here only translate a refusal into 401/403.
"""

import hashlib
import json
import secrets
from datetime import UTC, datetime
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.authentication import AuthenticationResult
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.security.session_auth import SessionAuth, SessionAuthMiddleware
from litestar.types import Empty

from tournament import policies
from tournament.accounts import Account
from tournament.audit import Actor
from tournament.players import player_by_token
from tournament.screens import screen_by_token
from web.errors import ProblemError
from web.i18n import N_
from web.i18n import _ as translate
from web.links import PRIVATE_PAGE_HEADERS
from web.proxies import client_address

SESSION_COOKIE = "xpo_session"
RENEW_FLAG = "xpo_renew_session"


class RenewingSessionBackend(ServerSideSessionBackend):
    """Server-side sessions whose id is replaced at login (no session fixation), stored only when they hold
    something: a request that stores nothing (health check, static file, token call, feed, anonymous page)
    gets no session and no cookie, and a session emptied by the server is deleted with its cookie."""

    def get_session_id(self, connection: ASGIConnection) -> str:
        state = connection.scope.setdefault("state", {})
        if state.get(RENEW_FLAG):
            if "xpo_new_session_id" not in state:
                state["xpo_new_session_id"] = self.generate_session_id()
            return state["xpo_new_session_id"]
        return super().get_session_id(connection)

    async def store_in_message(self, scope_session, message, connection) -> None:
        state = connection.scope.setdefault("state", {})
        if scope_session is not Empty and not scope_session:
            if not connection.cookies.get(self.config.key):
                return
            scope_session = Empty
        old_id = connection.cookies.get(self.config.key)
        if state.get(RENEW_FLAG) and old_id and not state.get("xpo_old_session_deleted"):
            await self.delete(old_id, store=self.config.get_store_from_app(connection.scope["app"]))
            state["xpo_old_session_deleted"] = True
        await super().store_in_message(scope_session, message, connection)


class RenewingSessionConfig(ServerSideSessionConfig):
    _backend_class = RenewingSessionBackend


def bearer_token(connection: ASGIConnection) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


async def resolve_actor(session: dict[str, Any], connection: ASGIConnection) -> Actor | None:
    """The actor behind a connection: a player or screen token first, then the session's account."""
    db = connection.app.state.db
    address = client_address(connection)
    token = connection.scope.get("path_params", {}).get("player_token") or bearer_token(connection)
    screen_token = connection.scope.get("path_params", {}).get("screen_token")
    async with db.read() as dbs:
        if screen_token or token:
            screen = await screen_by_token(dbs, screen_token or token)
            if screen is not None:
                return Actor(kind="screen", id=screen.id, address=address, name=screen.label)
        if token and not screen_token:
            player = await player_by_token(dbs, token)
            if player is not None:
                return Actor(kind="player", id=player.id, library_id=player.library_id, address=address, name=player.pseudonym)
        # A token that opens nothing leaves the visitor as whoever their session says (and never ends it).
        account_id = session.get("account_id") if session else None
        if account_id is None:
            return None
        account = await dbs.get(Account, account_id)
        if account is None or not account.is_active or account.session_epoch != session.get("epoch"):
            return None
        return account.actor(address)


class ActorAuthMiddleware(SessionAuthMiddleware):
    """Litestar's session authentication, extended to tokens, with anonymous visitors allowed through.

    Pages decide who may see them with guards; being anonymous is not an error here.
    """

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        session = connection.scope.get("session")
        actor = await self.retrieve_user_handler(session if isinstance(session, dict) else {}, connection)
        if actor is None and isinstance(session, dict) and session.get("account_id") is not None:
            connection.scope["session"] = {}
        return AuthenticationResult(user=actor, auth=None)


def session_auth(*, secure: bool, max_age_hours: int) -> SessionAuth:
    config = RenewingSessionConfig(
        key=SESSION_COOKIE,
        max_age=max_age_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=secure,
        store="sessions",
        renew_on_access=True,
    )
    return SessionAuth[Actor, RenewingSessionBackend](
        retrieve_user_handler=resolve_actor,
        session_backend_config=config,
        authentication_middleware_class=ActorAuthMiddleware,
        exclude=["^/static/", "^/healthz$"],
    )


def log_in(connection: ASGIConnection, account: Account) -> None:
    """Start a fresh session for `account` (a new session id is issued); `remember_session` lists it."""
    state = connection.scope.setdefault("state", {})
    state[RENEW_FLAG] = True
    state["xpo_new_session_id"] = secrets.token_hex(32)
    connection.set_session({"account_id": account.id, "epoch": account.session_epoch, "nonce": secrets.token_hex(8)})


def log_out(connection: ASGIConnection) -> None:
    connection.clear_session()


def actor_of(connection: ASGIConnection) -> Actor | None:
    return connection.scope.get("user")


# Guards: each one asks a policy question and refuses with 401 (nobody) or 403 (somebody else).

def _require(connection: ASGIConnection, allowed: bool) -> None:
    if allowed:
        return
    if actor_of(connection) is None:
        raise NotAuthorizedException("login_required")
    raise PermissionDeniedException("forbidden")


def staff_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    _require(connection, policies.is_staff(actor_of(connection)))


def account_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    actor = actor_of(connection)
    _require(connection, actor is not None and actor.kind == "account")


def referee_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    _require(connection, policies.can_referee(actor_of(connection)))


def library_manager(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """For routes with a `library_id` path parameter: MDE staff, or that library's librarian."""
    library_id = int(connection.path_params["library_id"])
    _require(connection, policies.can_manage_library(actor_of(connection), library_id))


def allocation_checker(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Allocation runs' list and documents: MDE staff and every librarian."""
    _require(connection, policies.can_check_allocation(actor_of(connection)))


def player_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """For routes with a `player_token` path parameter or a bearer token: that player only."""
    _require(connection, policies.is_player(actor_of(connection)))


# Pages addressed by a token in their path: a link that opens nothing (mistyped, replaced, revoked)
# is a page that does not exist, not an invitation to log in.

LINK_GONE = N_("This link was replaced or no longer works: ask your library for the new one.")


def player_link(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """For `/joueur/{player_token}` pages. A link that opens nothing is most often an old card whose
    link was replaced: 410 with the words that say what to do (the same for a mistyped one, so the
    answer tells nobody which links once existed)."""
    if not policies.is_player(actor_of(connection)):
        gone = ProblemError(410, translate(LINK_GONE))
        gone.headers = dict(PRIVATE_PAGE_HEADERS)
        raise gone


def screen_link(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """For `/ecran/{screen_token}` pages."""
    if not policies.is_screen(actor_of(connection)):
        raise NotFoundException()


# Each account's open sessions, for "Mon compte": an index kept next to the sessions, in the same store
# (Redis or files). A session is shown by a handle (a hash of its id), never by its id.

def _index_key(account_id: int) -> str:
    return f"account-sessions-{account_id}"


def session_handle(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()[:16]


def _sessions_store(connection: ASGIConnection):
    return connection.app.stores.get("sessions")


async def _read_index(connection: ASGIConnection, account_id: int) -> list[dict[str, str]]:
    raw = await _sessions_store(connection).get(_index_key(account_id))
    return json.loads(raw) if raw else []


async def _write_index(connection: ASGIConnection, account_id: int, entries: list[dict[str, str]]) -> None:
    max_age = connection.app.state.settings.security.session_hours * 3600
    await _sessions_store(connection).set(_index_key(account_id), json.dumps(entries), expires_in=max_age * 2)


async def remember_session(connection: ASGIConnection, account: Account, *, forget_others: bool = False) -> None:
    """Add the session `log_in` just started to the account's list (after a password change, it is the only one)."""
    entries = [] if forget_others else await live_sessions(connection, account.id)
    entries.append({
        "id": connection.scope["state"]["xpo_new_session_id"],
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "address": client_address(connection),
        "agent": connection.headers.get("user-agent", "")[:160],
    })
    await _write_index(connection, account.id, entries)


async def live_sessions(connection: ASGIConnection, account_id: int) -> list[dict[str, str]]:
    """The account's sessions still in the store, oldest first."""
    store = _sessions_store(connection)
    return [entry for entry in await _read_index(connection, account_id) if await store.exists(entry["id"])]


async def end_session(connection: ASGIConnection, account_id: int, handle: str) -> bool:
    """End one of the account's sessions by its handle; False when there is no such live session."""
    entries = await live_sessions(connection, account_id)
    ending = [entry for entry in entries if session_handle(entry["id"]) == handle]
    if not ending:
        return False
    await _sessions_store(connection).delete(ending[0]["id"])
    await _write_index(connection, account_id, [entry for entry in entries if entry is not ending[0]])
    return True


def current_session_id(connection: ASGIConnection) -> str | None:
    return connection.cookies.get(SESSION_COOKIE)
