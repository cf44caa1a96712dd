"""Players: enrolment and link replacement at the library desk, the player's own page, and JSON twins."""

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Response, Template

from tournament import policies
from tournament.players import (
    AgeCategory,
    Player,
    PlayerError,
    PlayerLink,
    consent_player,
    create_player,
    list_players,
    player_profile,
    record_consent,
    regenerate_link,
    shown_link,
)
from tournament.privacy import erase_player
from web.auth import account_only, actor_of, library_manager, player_link, player_only
from web.deps import DB, Config
from web.forms import FormState, form_or_errors, read_form
from web.i18n import N_, _
from web.links import PRIVATE_PAGE_HEADERS, absolute, player_path, qr_svg
from web.messages import age_label, page_link, word
from web.network.library_page import library_page, player_text
from web.network.schemas import ConsentIn, MyPlayerOut, PlayerIn, PlayerLinkOut, PlayerOut
from web.pagination import LIST_HEADERS, MAX_PAGE_SIZE, Offset, PageSize, SearchText, api_page, matching
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
        "guardian_name_required": N_("Under 15, write the name of the parent or legal guardian who agreed."),
        "consent_date_required": N_("Under 15, give the date the parent or guardian agreed."),
        "invalid_consent_date": N_("Enter a valid date, such as 2026-09-14."),
        "consent_date_future": N_("The date of the agreement cannot be in the future."),
        "consent_not_needed": N_("From 15 on, no guardian's agreement is recorded."),
        "reserved_pseudonym": N_("This pseudonym is kept for players who have been removed: choose another one."),
        "player_erased": N_("This player has been removed: their personal data is gone."),
        "unknown_player": N_("This player does not exist."),
        "link_replaced": N_("This link has been replaced since: make a new one from the library page if the card is lost."),
    }
)


def _library_page(params) -> str | None:
    return f"/bibliotheques/{params['library_id']}" if "library_id" in params else None


page_link("players", "link_replaced", _library_page, N_("Go to the library page"))


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
                guardian_contact=data.get("guardian_contact", ""), guardian_name=data.get("guardian_name", ""),
                consent_on=data.get("consent_on", ""), actor=actor_of(request),
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


@post("/joueurs/{player_id:int}/effacer")
async def erase_player_form(request: Request, db: DB, player_id: PathId) -> Redirect:
    """Erase a player (after the library page's confirmation dialog), then back to their library's page."""
    async with db.write() as session:
        player = await erase_player(session, player_id=player_id, actor=actor_of(request))
    return Redirect(f"/bibliotheques/{player.library_id}?fait=effacement#players", status_code=303)


async def _consent_player(db: DB, request: Request, player_id: int) -> Player:
    async with db.read() as session:
        return await consent_player(session, player_id=player_id, actor=actor_of(request))


def _consent_page(player: Player, form: FormState, *, status_code: int = 200) -> Template:
    return Template("players/consent.html", context={"player": player, "form": form}, status_code=status_code,
                    headers=PRIVATE_PAGE_HEADERS)


@get("/joueurs/{player_id:int}/consentement")
async def consent_page(request: Request, db: DB, player_id: PathId) -> Template:
    """The guardian's agreement of a player under 15: to complete (recorded before dates were asked) or correct."""
    player = await _consent_player(db, request, player_id)
    return _consent_page(player, FormState(values={
        "guardian_name": player.guardian_name, "guardian_contact": player.guardian_contact,
        "consent_on": player.consent_on.isoformat() if player.consent_on else "",
    }))


@post("/joueurs/{player_id:int}/consentement")
async def record_consent_form(request: Request, db: DB, player_id: PathId) -> Template | Redirect:
    data = await read_form(request)
    player = await _consent_player(db, request, player_id)
    async with form_or_errors(data) as submitted:
        async with db.write() as session:
            await record_consent(session, player_id=player_id, guardian_name=data.get("guardian_name", ""),
                                 guardian_contact=data.get("guardian_contact", ""),
                                 consent_on=data.get("consent_on", ""), actor=actor_of(request))
    if submitted.refused:
        return _consent_page(player, submitted.form, status_code=submitted.status)
    return Redirect(f"/bibliotheques/{player.library_id}?fait=consentement#player-{player_id}", status_code=303)


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
            guardian_contact=data.guardian_contact, guardian_name=data.guardian_name, consent_on=data.consent_on,
            actor=actor_of(request),
        )
    return _link_out(request, link)


@get("/api/libraries/{library_id:int}/players", response_headers=LIST_HEADERS,
     summary="The players of a library, a page at a time (?offset=&limit=, ?q= pseudonym or first name) "
             "(MDE staff, its librarians)")
async def list_players_api(request: Request, db: DB, library_id: PathId, offset: Offset = 0,
                           limit: PageSize = MAX_PAGE_SIZE, q: SearchText = "") -> Response[list[PlayerOut]]:
    async with db.read() as session:
        players = await list_players(session, library_id=library_id, actor=actor_of(request))
    return api_page(request, [PlayerOut.of(player) for player in matching(players, q, player_text)], offset, limit)


@post("/api/players/{player_id:int}/link", status_code=200,
      summary="Replace a player's private link (the old one stops working)")
async def regenerate_link_api(request: Request, db: DB, settings: Config, player_id: PathId) -> PlayerLinkOut:
    async with db.write() as session:
        link = await regenerate_link(session, player_id=player_id, actor=actor_of(request))
    return _link_out(request, link)


@post("/api/players/{player_id:int}/erase", status_code=200,
      summary="Erase a player on request: pseudonym replaced by «Joueur retiré n°N», personal fields emptied, link revoked")
async def erase_player_api(request: Request, db: DB, player_id: PathId) -> PlayerOut:
    async with db.write() as session:
        player = await erase_player(session, player_id=player_id, actor=actor_of(request))
    return PlayerOut.of(player)


@post("/api/players/{player_id:int}/consent", status_code=200,
      summary="Record the guardian's consent of a player under 15: guardian's name, contact, date (the recorder is you)")
async def record_consent_api(request: Request, db: DB, player_id: PathId, data: JSONBody[ConsentIn]) -> PlayerOut:
    async with db.write() as session:
        player = await record_consent(session, player_id=player_id, guardian_name=data.guardian_name,
                                      guardian_contact=data.guardian_contact, consent_on=data.consent_on,
                                      actor=actor_of(request))
    return PlayerOut.of(player)


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
    pages(regenerate_link_confirm, regenerate_link_form, erase_player_form, consent_page, record_consent_form, guards=[account_only]),
    pages(player_page, guards=[player_link]),
    api("players", enrol_player_api, list_players_api, guards=[library_manager]),
    api("players", regenerate_link_api, erase_player_api, record_consent_api, guards=[account_only]),
    api("players", my_player_api, guards=[player_only]),
]
