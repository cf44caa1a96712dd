"""Single-use account links: "Mot de passe oublié" (ask for a link), and the page a link opens to choose a
password (an invitation or a reset); pages and their JSON twins."""

from dataclasses import dataclass

from litestar import Request, get, post
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template

from tournament.account_links import link_account, request_password_reset, set_password_with_link
from web.auth import client_address
from web.deps import DB
from web.forms import FormState, form_or_errors, read_form
from web.i18n import N_
from web.messages import word
from web.routers import api, pages

word("accounts", {"link_invalid": N_("This link is no longer valid: it has expired or has already been used. Ask for a new one.")})


@dataclass
class ResetRequestBody:
    email: str


@dataclass
class SetPasswordBody:
    password: str
    password_confirm: str


@dataclass
class Done:
    ok: bool


async def _request_reset(request: Request, db: DB, email: str) -> None:
    async with db.write() as session:
        await request_password_reset(session, email, address=client_address(request))


@get("/mot-de-passe-oublie")
async def forgot_page() -> Template:
    return Template("password_forgot.html", context={"form": FormState(), "sent": False})


@post("/mot-de-passe-oublie")
async def forgot_form(request: Request, db: DB) -> Template:
    data = await read_form(request)
    await _request_reset(request, db, data.get("email", ""))
    return Template("password_forgot.html", context={"form": FormState(), "sent": True})


@post("/api/auth/password-reset", status_code=202,
      summary="Ask for a password reset link (same answer whether or not the address has an account)")
async def forgot_api(request: Request, db: DB, data: JSONBody[ResetRequestBody]) -> Done:
    await _request_reset(request, db, data.email)
    return Done(ok=True)


@get("/mot-de-passe/{token:str}")
async def set_password_page(db: DB, token: FromPath[str]) -> Template:
    async with db.read() as session:
        found = await link_account(session, token)
    return Template("password_set.html", context={"form": FormState(), "valid": found is not None, "token": token,
                                                  "name": found[1].display_name if found else ""},
                    status_code=200 if found else 410)


@post("/mot-de-passe/{token:str}")
async def set_password_form(request: Request, db: DB, token: FromPath[str]) -> Template | Redirect:
    data = await read_form(request)
    form = FormState()
    async with form_or_errors(form) as submitted:
        async with db.write() as session:
            await set_password_with_link(session, token, data.get("password", ""), data.get("password_confirm", ""))
    if submitted.refused:
        valid = "token" not in submitted.form.errors
        return Template("password_set.html", context={"form": submitted.form, "valid": valid, "token": token, "name": ""},
                        status_code=submitted.status)
    return Redirect("/connexion?mot_de_passe=change", status_code=303)


@post("/api/auth/password/{token:str}", status_code=200, summary="Choose a password with an invitation or reset link")
async def set_password_api(db: DB, token: FromPath[str], data: JSONBody[SetPasswordBody]) -> Done:
    async with db.write() as session:
        await set_password_with_link(session, token, data.password, data.password_confirm)
    return Done(ok=True)


ROUTERS = [
    pages(forgot_page, forgot_form, set_password_page, set_password_form),
    api("auth", forgot_api, set_password_api),
]
