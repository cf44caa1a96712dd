"""The home page, and the language switch."""

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Redirect, Template

from tournament.accounts import count_mde_accounts
from web.deps import DB
from web.i18n import LOCALES


@get("/", include_in_schema=False)
async def home(request: Request, db: DB) -> Template | Redirect:
    async with db.read() as session:
        if await count_mde_accounts(session) == 0:
            return Redirect("/installation")
    return Template("home.html", context={})


@get("/langue/{locale:str}", include_in_schema=False)
async def switch_language(locale: FromPath[str], request: Request) -> Redirect:
    response = Redirect(request.headers.get("referer") or "/")
    if locale in LOCALES:
        response.set_cookie("xpo_lang", locale, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response


ROUTES = [home, switch_language]
