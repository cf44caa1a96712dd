"""The site itself: the home page, the language switch, and the health check for supervisors and the proxy."""

from urllib.parse import urlsplit

from litestar import Request, get
from litestar.exceptions import HTTPException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from tournament.accounts import count_mde_accounts
from tournament.festival.programme import ProgrammeEntry, programme
from tournament.festival.search import fold
from tournament.festival.timing import PARIS
from tournament.tournaments import live_tournaments
from web.deps import DB, Config
from web.festival.common import chosen_edition, now_of
from web.festival_messages import LABELS
from web.i18n import LOCALES
from web.routers import api, pages


NEXT_EVENTS = 6
"""How many coming events the home page lists after today's."""


@get("/")
async def home(request: Request, db: DB) -> Template | Redirect:
    """The festival now: today's and the next events, the live tournaments and their boards, and the ways in."""
    now = now_of(request)
    async with db.read() as session:
        if await count_mde_accounts(session) == 0:
            return Redirect("/installation")
        edition = await chosen_edition(session, None)
        entries = await programme(session, edition.id) if edition is not None else []
        live = await live_tournaments(session)
    today, coming = _today_and_next(entries, now)
    day = now.astimezone(PARIS).date()
    # A final played today stays today's news into the evening, after the day's last event has ended.
    finals_today = [t for t in live if t.status == "final" and t.final_at and t.final_at.astimezone(PARIS).date() == day]
    communes = sorted({entry.fiche.place_commune for entry in entries if entry.fiche.place_commune}, key=fold)
    categories = sorted({entry.fiche.category for entry in entries})
    return Template("home.html", context={
        "edition": edition, "today": today, "coming": coming, "live": live, "finals_today": finals_today, "communes": communes,
        "categories": categories, "labels": LABELS,
    })


def _today_and_next(entries: list[ProgrammeEntry], now) -> tuple[list[ProgrammeEntry], list[ProgrammeEntry]]:
    """Entries still to end today (Paris time), then the next ones after today."""
    day = now.astimezone(PARIS).date()
    today = [entry for entry in entries if entry.day == day and entry.ends_at >= now]
    coming = [entry for entry in entries if entry.day > day][:NEXT_EVENTS]
    return today, coming


@get("/donnees-personnelles")
async def personal_data(settings: Config) -> Template:
    """What is kept about players and guardians, why, for how long, who sees it, and how to have it erased."""
    return Template("privacy.html", context={
        "retention_days": settings.privacy.player_retention_days,
        "address_days": settings.privacy.audit_address_days,
    })


@get("/favicon.ico", include_in_schema=False)
async def favicon() -> Redirect:
    return Redirect("/static/favicon.svg", status_code=301)


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


ROUTERS = [pages(home, personal_data, switch_language, favicon), api("system", healthz)]
