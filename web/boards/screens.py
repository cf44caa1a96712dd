"""Kiosk screens: staff hand out and revoke screen tokens; the kiosk page a token opens; JSON twins."""

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template

from tournament.db import utcnow
from tournament.screens import ScreenLink, create_screen, list_screens, renew_screen, revoke_screen, shown_screen_link
from tournament.tournaments import TournamentStatus, live_tournaments
from web.auth import actor_of, screen_link, staff_only
from web.boards.schemas import ScreenIn, ScreenLinkOut, ScreenOut
from web.deps import DB, Config
from web.forms import FormState, form_or_errors, read_form
from web.i18n import N_, _
from web.links import PRIVATE_PAGE_HEADERS, absolute, qr_svg, screen_path
from web.messages import page_link, word
from web.routers import api, pages
from web.schemas import from_row
from web.params import PathId

word("screens", {
    "unknown_screen": N_("This screen does not exist."),
    "address_replaced": N_("This screen address has been replaced or revoked: make a new one from the screens page."),
})
page_link("screens", "address_replaced", lambda params: "/admin/ecrans", N_("Go to the screens page"))


async def _page(
    request: Request, db: DB, form: FormState, *, created: dict | None = None, notice: str = "", status_code: int = 200
) -> Template:
    async with db.read() as session:
        screens = await list_screens(session, actor=actor_of(request))
    return Template(
        "admin/screens.html",
        context={"screens": screens, "form": form, "created": created, "notice": notice},
        status_code=status_code,
        headers=PRIVATE_PAGE_HEADERS if created else None,
    )


@get("/admin/ecrans")
async def screens_page(request: Request, db: DB, fait: FromQuery[str | None] = None) -> Template:
    notice = _("The screen token has been revoked: that screen no longer shows anything.") if fait == "revoque" else ""
    return await _page(request, db, FormState(), notice=notice)


@post("/admin/ecrans")
async def create_screen_form(request: Request, db: DB, settings: Config) -> Template:
    data = await read_form(request)
    async with form_or_errors(data) as submitted:
        async with db.write() as session:
            link = await create_screen(session, label=data.get("label", ""), actor=actor_of(request))
    if submitted.refused:
        return await _page(request, db, submitted.form, status_code=submitted.status)
    return await _page(request, db, FormState(), created=_shown(request, link), status_code=201)


def _shown(request: Request, link: ScreenLink) -> dict:
    url = absolute(request, screen_path(link.token))
    return {
        "label": link.screen.label,
        "url": url,
        "qr": qr_svg(url, label=_("QR code of the address of the screen {label}").format(label=link.screen.label)),
    }


@post("/admin/ecrans/{screen_id:int}/nouvelle-adresse")
async def renew_screen_form(request: Request, db: DB, screen_id: PathId) -> Redirect:
    """A new address for a screen whose address was lost (only a digest is kept, so it cannot be shown again).
    Post-redirect-get: a refresh of the page shows the same new address instead of making another."""
    async with db.write() as session:
        link = await renew_screen(session, screen_id=screen_id, actor=actor_of(request))
    return Redirect(f"/admin/ecrans/{screen_id}/adresse?adresse={link.token}", status_code=303,
                    headers=PRIVATE_PAGE_HEADERS)


@get("/admin/ecrans/{screen_id:int}/adresse")
async def shown_screen_page(request: Request, db: DB, screen_id: PathId, adresse: FromQuery[str] = "") -> Template:
    async with db.read() as session:
        link = await shown_screen_link(session, screen_id=screen_id, token=adresse, actor=actor_of(request))
    notice = _("The screen has a new address: the old one stopped working at once.")
    return await _page(request, db, FormState(), created=_shown(request, link), notice=notice)


@post("/admin/ecrans/{screen_id:int}/revoquer")
async def revoke_screen_form(request: Request, db: DB, screen_id: PathId) -> Redirect:
    async with db.write() as session:
        await revoke_screen(session, screen_id=screen_id, actor=actor_of(request))
    return Redirect("/admin/ecrans?fait=revoque", status_code=303)


@get("/ecran/{screen_token:str}")
async def kiosk_page(request: Request, db: DB, screen_token: FromPath[str]) -> Template | Redirect:
    """The screen's home: straight to the final's rotating board when one is being played,
    otherwise the tournaments that are live, and a clock."""
    async with db.read() as session:
        live = await live_tournaments(session)
    finals_now = [t for t in live if t.status == TournamentStatus.FINAL]
    if len(finals_now) == 1:
        return Redirect(f"/ecran/{screen_token}/tournoi/{finals_now[0].id}?rotation=20", status_code=303)
    return Template(
        "kiosk.html",
        context={"label": actor_of(request).name, "now": utcnow(), "live": live, "token": screen_token,
                 "heartbeat": request.app.state.boards.settings.heartbeat_seconds},
        headers=PRIVATE_PAGE_HEADERS,
    )


def _link_out(request: Request, link: ScreenLink) -> ScreenLinkOut:
    url = absolute(request, screen_path(link.token))
    return ScreenLinkOut(screen=from_row(ScreenOut, link.screen), token=link.token, url=url)


@get("/api/screens", summary="Every kiosk screen (MDE staff)")
async def list_screens_api(request: Request, db: DB) -> list[ScreenOut]:
    async with db.read() as session:
        return [from_row(ScreenOut, screen) for screen in await list_screens(session, actor=actor_of(request))]


@post("/api/screens", summary="Issue a kiosk screen token; the answer holds its address, shown this once (MDE staff)")
async def create_screen_api(request: Request, db: DB, settings: Config, data: JSONBody[ScreenIn]) -> ScreenLinkOut:
    async with db.write() as session:
        link = await create_screen(session, label=data.label, actor=actor_of(request))
    return _link_out(request, link)


@post("/api/screens/{screen_id:int}/renew", status_code=200,
      summary="Give a kiosk screen a new address; the old one stops at once; the answer holds it, shown this once (MDE staff)")
async def renew_screen_api(request: Request, db: DB, screen_id: PathId) -> ScreenLinkOut:
    async with db.write() as session:
        link = await renew_screen(session, screen_id=screen_id, actor=actor_of(request))
    return _link_out(request, link)


@post("/api/screens/{screen_id:int}/revoke", status_code=200, summary="Revoke a kiosk screen token at once (MDE staff)")
async def revoke_screen_api(request: Request, db: DB, screen_id: PathId) -> ScreenOut:
    async with db.write() as session:
        screen = await revoke_screen(session, screen_id=screen_id, actor=actor_of(request))
    return from_row(ScreenOut, screen)


ROUTERS = [
    pages(screens_page, create_screen_form, revoke_screen_form, renew_screen_form, shown_screen_page, guards=[staff_only]),
    pages(kiosk_page, guards=[screen_link]),
    api("screens", list_screens_api, create_screen_api, renew_screen_api, revoke_screen_api, guards=[staff_only]),
]
