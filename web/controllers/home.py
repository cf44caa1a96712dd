"""The home page, and the language switch."""

from urllib.parse import urlsplit

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Redirect, Template

from tournament.accounts import count_mde_accounts
from web.deps import DB, Config
from web.i18n import LOCALES


@get("/", include_in_schema=False)
async def home(request: Request, db: DB) -> Template | Redirect:
    async with db.read() as session:
        if await count_mde_accounts(session) == 0:
            return Redirect("/installation")
    return Template("home.html", context={})


@get("/langue/{locale:str}", include_in_schema=False)
async def switch_language(locale: FromPath[str], request: Request, settings: Config) -> Redirect:
    # Back to the page the visitor came from, but only on this site (never an open redirect).
    referer = urlsplit(request.headers.get("referer") or "/")
    same_site = not referer.netloc or referer.netloc == request.url.netloc
    back = (referer.path or "/") + (f"?{referer.query}" if referer.query else "")
    response = Redirect(back if same_site and back.startswith("/") and not back.startswith("//") else "/")
    if locale in LOCALES:
        response.set_cookie(
            "xpo_lang", locale, max_age=365 * 24 * 3600, samesite="lax", httponly=True, secure=settings.server.https
        )
    return response


ROUTES = [home, switch_language]
