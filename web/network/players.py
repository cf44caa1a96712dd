"""Players: enrolment and link replacement at the library desk, the player's own page, and JSON twins."""

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template

from tournament import policies
from tournament.players import (
    AgeCategory,
    Player,
    PlayerError,
    PlayerLink,
    create_player,
    list_players,
    player_profile,
    regenerate_link,
    shown_link,
)
from web.auth import account_only, actor_of, library_manager, player_link, player_only
from web.deps import DB, Config
from web.forms import form_or_errors, read_form
from web.i18n import N_, _
from web.links import PRIVATE_PAGE_HEADERS, absolute, player_path, qr_svg
from web.messages import age_label, word
from web.network.library_page import library_page
from web.network.schemas import MyPlayerOut, PlayerIn, PlayerLinkOut, PlayerOut
from web.params import PathId
from web.routers import api, pages
from web.schemas import from_row

word("players", 
    {
        "invalid_pseudonym": N_("The pseudonym must have 2 to 40 characters."),
        "pseudonym_taken": N_("Another player of this library already uses this pseudonym."),
        "invalid_initial": N_("Enter the first letter of the last name only."),
        "invalid_age_category": N_("Choose an age group from the list."),
        "guardian_consent_required": N_("Under 15, a parent or guardian must agree first."),
        "guardian_contact_required": N_("Under 15, leave a phone number or e-mail address of a parent or guardian."),
        "unknown_player": N_("This player does not exist."),
        "link_replaced": N_("This link has been replaced since: make a new one from the library page if the card is lost."),
    }
)


def _link_page(request: Request, link: PlayerLink, *, status_code: int) -> Template:
    url = absolute(request, player_path(link.token))
    label = _("QR code of the private link of {pseudonym}").format(pseudonym=link.player.pseudonym)
    return Template(
        "players/link.html",
        context={"player": link.player, "library": link.library, "url": url, "qr": qr_svg(url, label=label)},
        status_code=status_code,
        headers=PRIVATE_PAGE_HEADERS,
    )


def _link_out(request: Request, link: PlayerLink) -> PlayerLinkOut:
    url = absolute(request, player_path(link.token))
    return PlayerLinkOut(player=PlayerOut.of(link.player), token=link.token, url=url)


@post("/bibliotheques/{library_id:int}/joueurs")
async def enrol_player_form(request: Request, db: DB, settings: Config, library_id: PathId) -> Template:
    data = await read_form(request)
    async with form_or_errors(data) as submitted:
        async with db.write() as session:
            link = await create_player(
                session, library_id=library_id, pseudonym=data.get("pseudonym", ""),
                first_name=data.get("first_name", ""), last_initial=data.get("last_initial", ""),
                age_category=data.get("age_category", ""), guardian_consent=bool(data.get("guardian_consent")),
                guardian_contact=data.get("guardian_contact", ""), actor=actor_of(request),
            )
    if submitted.refused:
        return await library_page(request, db, library_id, player_form=submitted.form, status_code=submitted.status)
    return _link_page(request, link, status_code=201)


@get("/joueurs/{player_id:int}/lien")
async def regenerate_link_confirm(request: Request, db: DB, player_id: PathId,
                                  lien: FromQuery[str | None] = None) -> Template:
    """Before a new link: a confirmation that says the old card stops working. After it (the redirect of
    the POST, `?lien=`): the new link, which a refresh shows again instead of making another."""
    async with db.read() as session:
        if lien is not None:
            return _link_page(request, await shown_link(session, player_id=player_id, token=lien,
                                                        actor=actor_of(request)), status_code=200)
        player = await session.get(Player, player_id)
        if player is None or not policies.can_manage_library(actor_of(request), player.library_id):
            raise PlayerError("forbidden")
    return Template("players/regenerate.html", context={"player": player}, headers=PRIVATE_PAGE_HEADERS)


@post("/joueurs/{player_id:int}/lien")
async def regenerate_link_form(request: Request, db: DB, player_id: PathId) -> Redirect:
    async with db.write() as session:
        link = await regenerate_link(session, player_id=player_id, actor=actor_of(request))
    return Redirect(f"/joueurs/{player_id}/lien?lien={link.token}", status_code=303, headers=PRIVATE_PAGE_HEADERS)


@get("/joueur/{player_token:str}")
async def player_page(request: Request, db: DB, settings: Config, player_token: FromPath[str]) -> Template:
    actor = actor_of(request)
    async with db.read() as session:
        profile = await player_profile(session, player_id=actor.id, actor=actor)
    url = absolute(request, player_path(player_token))
    return Template(
        "players/me.html",
        context={
            "player": profile.player,
            "library": profile.library,
            "age": age_label(profile.player.age_category),
            "url": url,
            "token": player_token,
            "qr": qr_svg(url, label=_("QR code of your private link")),
        },
        headers=PRIVATE_PAGE_HEADERS,
    )


@post("/api/libraries/{library_id:int}/players",
      summary="Enrol a player; the answer holds their private link, shown this once")
async def enrol_player_api(
    request: Request, db: DB, settings: Config, library_id: PathId, data: JSONBody[PlayerIn]
) -> PlayerLinkOut:
    async with db.write() as session:
        link = await create_player(
            session, library_id=library_id, pseudonym=data.pseudonym, first_name=data.first_name,
            last_initial=data.last_initial, age_category=data.age_category, guardian_consent=data.guardian_consent,
            guardian_contact=data.guardian_contact, actor=actor_of(request),
        )
    return _link_out(request, link)


@get("/api/libraries/{library_id:int}/players", summary="The players of a library (MDE staff, its librarians)")
async def list_players_api(request: Request, db: DB, library_id: PathId) -> list[PlayerOut]:
    async with db.read() as session:
        players = await list_players(session, library_id=library_id, actor=actor_of(request))
    return [PlayerOut.of(player) for player in players]


@post("/api/players/{player_id:int}/link", status_code=200,
      summary="Replace a player's private link (the old one stops working)")
async def regenerate_link_api(request: Request, db: DB, settings: Config, player_id: PathId) -> PlayerLinkOut:
    async with db.write() as session:
        link = await regenerate_link(session, player_id=player_id, actor=actor_of(request))
    return _link_out(request, link)


@get("/api/me/player",
     summary="The player behind the bearer token (Authorization: Bearer <token of the private link>)")
async def my_player_api(request: Request, db: DB) -> MyPlayerOut:
    actor = actor_of(request)
    async with db.read() as session:
        profile = await player_profile(session, player_id=actor.id, actor=actor)
    player = profile.player
    return from_row(MyPlayerOut, player, library_name=profile.library.name,
                    age_category=AgeCategory(player.age_category))


ROUTERS = [
    pages(enrol_player_form, guards=[library_manager]),
    pages(regenerate_link_confirm, regenerate_link_form, guards=[account_only]),
    pages(player_page, guards=[player_link]),
    api("players", enrol_player_api, list_players_api, guards=[library_manager]),
    api("players", regenerate_link_api, guards=[account_only]),
    api("players", my_player_api, guards=[player_only]),
]
