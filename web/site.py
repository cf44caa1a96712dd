"""The site itself: the home page, the language switch, and the health check for supervisors and the proxy."""

from urllib.parse import urlsplit

from litestar import Request, get
from litestar.exceptions import HTTPException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from tournament.accounts import count_mde_accounts
from web.deps import DB, Config
from web.i18n import LOCALES
from web.routers import api, pages


@get("/")
async def home(request: Request, db: DB) -> Template | Redirect:
    async with db.read() as session:
        if await count_mde_accounts(session) == 0:
            return Redirect("/installation")
    return Template("home.html", context={})


@get("/langue/{locale:str}")
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


@get("/healthz", summary="Health check (database included)")
async def healthz(db: DB) -> dict[str, str]:
    try:
        await db.ping()
    except Exception:  # noqa: BLE001 - any database failure means "not ready"
        raise HTTPException(status_code=503, detail="database unavailable") from None
    return {"status": "ok"}


ROUTERS = [pages(home, switch_language), api("system", healthz)]
