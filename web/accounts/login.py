"""Log in, log out, the first-run set-up, and "Mon compte": pages and their JSON twins."""

from litestar import Request, get, post
from litestar.params import FromQuery, JSONBody
from litestar.response import Redirect, Template

from tournament.accounts import Account, AccountError, Role, authenticate, count_mde_accounts, create_account
from tournament.audit import SYSTEM, audit
from web.accounts.schemas import LoginBody, Me, SetupBody
from web.auth import account_only, actor_of, client_address, log_in, log_out
from web.deps import DB
from web.errors import ProblemError
from web.forms import FormState, form_or_errors, read_form
from web.i18n import _
from web.messages import message
from web.routers import api, pages
from web.schemas import from_row


def _safe_next(target: str | None) -> str:
    """Only local paths: a login link must not bounce anyone to another site."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


async def _login(request: Request, db: DB, email: str, password: str) -> Account | None:
    async with db.write() as session:
        account = await authenticate(session, email, password)
        if account is not None:
            audit(session, account.actor(client_address(request)), "account.login", f"account:{account.id}")
    if account is not None:
        log_in(request, account)
    return account


@get("/connexion")
async def login_page(next: FromQuery[str | None] = None, mot_de_passe: FromQuery[str | None] = None) -> Template:
    return Template("login.html", context={"form": FormState(), "next": _safe_next(next),
                                           "changed": mot_de_passe == "change"})


@post("/connexion")
async def login_form(request: Request, db: DB) -> Template | Redirect:
    data = await read_form(request)
    account = await _login(request, db, data.get("email", ""), data.get("password", ""))
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


@get("/compte")
async def my_account(request: Request) -> Template:
    return Template("account.html", context={})


ROUTERS = [
    pages(login_page, login_form, logout_form, setup_page, setup_form),
    pages(my_account, guards=[account_only]),
    api("auth", login_api, logout_api, me_api, setup_api),
]
