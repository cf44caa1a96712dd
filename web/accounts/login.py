"""Log in, log out, the first-run set-up, and "Mon compte": pages and their JSON twins."""

import math

import anyio.to_thread
from litestar import Request, delete, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template

from tournament.accounts import (
    Account,
    AccountError,
    Role,
    check_new_password,
    count_mde_accounts,
    create_account,
    hash_password,
    login_candidate,
    password_matches,
    record_login,
    set_own_password,
)
from tournament.audit import SYSTEM, Actor, audit
from tournament.notifications import notify_password_changed
from web import login_limit
from web.accounts.browsers import browser_summary
from web.accounts.schemas import LoginBody, Me, PasswordBody, SessionOut, SetupBody
from web.auth import (
    account_only,
    actor_of,
    client_address,
    current_session_id,
    end_session,
    live_sessions,
    log_in,
    log_out,
    remember_session,
    session_handle,
)
from web.deps import DB
from web.errors import ProblemError
from web.forms import FormState, form_or_errors, read_form
from web.i18n import _, ngettext
from web.messages import message
from web.routers import api, pages
from web.schemas import from_row


def _safe_next(target: str | None) -> str:
    """Only local paths: a login link must not bounce anyone to another site."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


def too_many_logins(wait: int) -> ProblemError:
    """429 with the time to wait, in the answer's words and in Retry-After."""
    minutes = math.ceil(wait / 60)
    detail = (ngettext("Too many failed logins. Try again in %(num)d second.",
                       "Too many failed logins. Try again in %(num)d seconds.", wait) % {"num": wait}
              if wait < 120 else
              ngettext("Too many failed logins. Try again in %(num)d minute.",
                       "Too many failed logins. Try again in %(num)d minutes.", minutes) % {"num": minutes})
    error = ProblemError(429, detail, retry_after=wait)
    error.headers = {"Retry-After": str(wait)}
    return error


async def _login(request: Request, db: DB, email: str, password: str) -> Account | None:
    """The account these credentials open, or None (audited, counted). Refuses with 429 while a wait runs.

    Argon2 runs in a worker thread between a read and a short write: never on the event loop, never
    inside a write transaction."""
    address = client_address(request)
    wait = await login_limit.retry_after(request, address, email)
    if wait:
        raise too_many_logins(wait)
    async with db.read() as session:
        candidate = await login_candidate(session, email)
        known = (candidate.id, candidate.password_hash, candidate.is_active) if candidate is not None else None
    matches = await anyio.to_thread.run_sync(password_matches, known[1] if known else None, password)
    account = None
    async with db.write() as session:
        if matches and known[2]:
            account = await record_login(session, known[0], password)
        if account is not None:
            audit(session, account.actor(address), "account.login", f"account:{account.id}")
        else:
            reason = "unknown_account" if known is None else "disabled" if not known[2] else "bad_password"
            visitor = Actor(kind="visitor", address=address)
            subject = f"account:{known[0]}" if known else ""
            audit(session, visitor, "account.login_failed", subject, reason=reason)
            started = await login_limit.record_failure(request, address, email)
            for scope, seconds in started.items():
                audit(session, visitor, "account.login_locked", subject if scope == "account" else "", scope=scope, seconds=seconds)
    if account is None:
        return None
    await login_limit.record_success(request, email)
    log_in(request, account)
    await remember_session(request, account)
    return account


@get("/connexion")
async def login_page(next: FromQuery[str | None] = None, mot_de_passe: FromQuery[str | None] = None) -> Template:
    return Template("login.html", context={"form": FormState(), "next": _safe_next(next),
                                           "changed": mot_de_passe == "change"})


@post("/connexion")
async def login_form(request: Request, db: DB) -> Template | Redirect:
    data = await read_form(request)
    try:
        account = await _login(request, db, data.get("email", ""), data.get("password", ""))
    except ProblemError as refused:
        form = FormState(values={"email": data.get("email", "")}, errors={"password": refused.detail})
        return Template("login.html", context={"form": form, "next": _safe_next(data.get("next"))},
                        status_code=refused.status_code, headers=refused.headers)
    if account is None:
        form = FormState(values={"email": data.get("email", "")}, errors={"password": message("bad_credentials")})
        return Template("login.html", context={"form": form, "next": _safe_next(data.get("next"))}, status_code=400)
    return Redirect(_safe_next(data.get("next")))


@post("/deconnexion")
async def logout_form(request: Request) -> Redirect:
    log_out(request)
    return Redirect("/")


@post("/api/auth/login", summary="Log in (starts a new session cookie)", status_code=200)
async def login_api(request: Request, db: DB, data: JSONBody[LoginBody]) -> Me:
    account = await _login(request, db, data.email, data.password)
    if account is None:
        raise ProblemError(400, message("bad_credentials"))
    return from_row(Me, account.actor())


@post("/api/auth/logout", summary="Log out (ends the session)", status_code=204)
async def logout_api(request: Request) -> None:
    log_out(request)


@get("/api/auth/me", summary="Who am I")
async def me_api(request: Request) -> Me:
    actor = actor_of(request)
    if actor is None:
        raise ProblemError(401, _("Please log in to continue."))
    return from_row(Me, actor)


async def _setup(request: Request, db: DB, email: str, display_name: str, password: str) -> Account | None:
    """The first MDE staff account, logged in at once; None when the site is already set up."""
    async with db.write() as session:
        if await count_mde_accounts(session) > 0:
            return None
        account = await create_account(
            session, email=email, display_name=display_name, password=password, role=Role.MDE, actor=SYSTEM
        )
        audit(session, SYSTEM, "site.setup", f"account:{account.id}")
    log_in(request, account)
    await remember_session(request, account)
    return account


@get("/installation")
async def setup_page(db: DB) -> Template | Redirect:
    async with db.read() as session:
        if await count_mde_accounts(session) > 0:
            return Redirect("/connexion")
    return Template("setup.html", context={"form": FormState()})


@post("/installation")
async def setup_form(request: Request, db: DB) -> Template | Redirect:
    data = await read_form(request)
    form = FormState(values={k: data.get(k, "") for k in ("email", "display_name")})
    if data.get("password", "") != data.get("password_confirm", ""):
        form.errors["password_confirm"] = message("passwords_differ")
    async with form_or_errors(form) as submitted:
        if form.ok:
            account = await _setup(request, db, data.get("email", ""), data.get("display_name", ""),
                                   data.get("password", ""))
            if account is None:
                return Redirect("/connexion")
    if submitted.refused:
        return Template("setup.html", context={"form": submitted.form}, status_code=submitted.status)
    return Redirect("/")


@post("/api/setup", summary="First run: create the first MDE staff account", status_code=201)
async def setup_api(request: Request, db: DB, data: JSONBody[SetupBody]) -> Me:
    account = await _setup(request, db, data.email, data.display_name, data.password)
    if account is None:
        raise AccountError("setup_done")
    return from_row(Me, account.actor())


async def _sessions(request: Request) -> list[SessionOut]:
    actor = actor_of(request)
    current = current_session_id(request)
    return [
        SessionOut(handle=session_handle(entry["id"]), started=entry["started"], address=entry["address"],
                   agent=entry["agent"], browser=browser_summary(entry["agent"]), current=entry["id"] == current)
        for entry in await live_sessions(request, actor.id)
    ]


async def _change_password(request: Request, db: DB, current: str, new: str, confirm: str) -> Account:
    """Check the current password and store the new one (Argon2 in worker threads); every other session ends,
    this one goes on under a new id. Raises AccountError."""
    actor = actor_of(request)
    async with db.read() as session:
        account = await session.get(Account, actor.id)
        stored = account.password_hash if account is not None else None
    matches = await anyio.to_thread.run_sync(password_matches, stored, current)
    check_new_password(current_matches=matches, new=new, confirm=confirm)
    new_hash = await anyio.to_thread.run_sync(hash_password, new)
    async with db.write() as session:
        account = await set_own_password(session, actor.id, new_hash, actor=actor)
        notify_password_changed(session, account)
    log_in(request, account)
    await remember_session(request, account, forget_others=True)
    return account


@get("/compte")
async def my_account(request: Request) -> Template:
    return Template("account.html", context={"form": FormState(), "sessions": await _sessions(request)})


@post("/compte/mot-de-passe")
async def change_password_form(request: Request, db: DB) -> Template | Redirect:
    data = await read_form(request)
    async with form_or_errors({}) as submitted:
        await _change_password(request, db, data.get("current_password", ""), data.get("password", ""),
                               data.get("password_confirm", ""))
    if submitted.refused:
        return Template("account.html", context={"form": submitted.form, "sessions": await _sessions(request)},
                        status_code=submitted.status)
    return Redirect("/compte?mot-de-passe=change")


@post("/compte/sessions/{handle:str}/fin")
async def end_session_form(request: Request, handle: FromPath[str]) -> Redirect:
    if not await end_session(request, actor_of(request).id, handle):
        raise NotFoundException()
    return Redirect("/compte")


@post("/api/auth/password", summary="Change my password (current password asked); other sessions end", status_code=204)
async def change_password_api(request: Request, db: DB, data: JSONBody[PasswordBody]) -> None:
    await _change_password(request, db, data.current_password, data.password, data.password_confirm)


@get("/api/auth/sessions", summary="My open sessions (the current one marked)")
async def sessions_api(request: Request) -> list[SessionOut]:
    return await _sessions(request)


@delete("/api/auth/sessions/{handle:str}", summary="End one of my sessions", status_code=204)
async def end_session_api(request: Request, handle: FromPath[str]) -> None:
    if not await end_session(request, actor_of(request).id, handle):
        raise ProblemError(404, _("This session is already over."))


ROUTERS = [
    pages(login_page, login_form, logout_form, setup_page, setup_form),
    pages(my_account, change_password_form, end_session_form, guards=[account_only]),
    api("auth", login_api, logout_api, me_api, setup_api),
    api("auth", change_password_api, sessions_api, end_session_api, guards=[account_only]),
]
