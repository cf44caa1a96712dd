"""Live board pages: public (`/direct/…`, read-only, no login) and kiosk (`/ecran/{token}/tournoi/…`).

A page embeds the current snapshot (so it shows the truth before its websocket opens), the
websocket address, and the words its script needs, translated. Its JSON twin is
`/api/boards/{id}/snapshot`.
"""

from dataclasses import dataclass
from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody
from litestar.response import Template
from sqlmodel import select

from tournament.audit import Actor
from tournament.db import utcnow
from tournament.results import ResultInput, submit_result
from tournament.roles import Role
from tournament.snapshots import consistent_read, snapshot
from tournament.stages import Stage, get_stage
from tournament.tournaments import Tournament, TournamentError
from web.auth import screen_link
from web.deps import DB
from web.errors import ProblemError
from web.i18n import _
from web.links import PRIVATE_PAGE_HEADERS, absolute, qr_svg
from web.params import PathId, QueryId
from web.routers import PROBLEMS

VIEWS = {
    "tableau": "bracket",
    "matchs": "matches",
    "a-venir": "upcoming",
    "classements": "standings",
    "podium": "podium",
}
"""Path segment -> view name (the script draws each view)."""


def _script_words() -> dict[str, str]:
    """Everything the board script shows, in the page's language."""
    return {
        "connecting": _("Connecting…"),
        "connected": _("Connected"),
        "reconnecting": _("Reconnecting…"),
        "offline": _("Offline"),
        "bracket": _("Bracket"),
        "matches": _("Matches"),
        "upcoming": _("Upcoming"),
        "standings": _("Standings"),
        "podium": _("Podium"),
        "match": _("Match {number}"),
        "station": _("Station {number}"),
        "versus": _("{home} vs {away}"),
        "entrant": _("{pseudonym} ({commune})"),
        "pool": _("Pool {name}"),
        "winners": _("Winners bracket"),
        "losers": _("Losers bracket"),
        "grand_final": _("Grand final"),
        "third_place": _("Third-place match"),
        "heat": _("Heats"),
        "swiss": _("Swiss rounds"),
        "final": _("Final"),
        "qualifier": _("Qualifier: {library}"),
        "to_be_decided": _("To be decided"),
        "winner_of": _("Winner of match {number}"),
        "loser_of": _("Loser of match {number}"),
        "bye": _("Bye"),
        "forfeit": _("Forfeit"),
        "free_station": _("Free station"),
        "called": _("Called to station"),
        "next": _("Next to play"),
        "waiting": _("Waiting for earlier matches"),
        "place": _("Place"),
        "player": _("Player"),
        "points": _("Points"),
        "record": _("W–D–L"),
        "first": _("1st"),
        "second": _("2nd"),
        "third": _("3rd"),
        "no_final": _("The bracket of the final will appear once it is drawn."),
        "no_matches": _("No match is being played right now."),
        "no_upcoming": _("No upcoming match."),
        "planned_heats": _("Next round: {heats} heats, {players} players"),
        "planned_final": _("Final heat: {players} players"),
        "after_current_heats": _("Drawn once the current heats are over"),
        "in_play": _("still in play"),
        "no_standings": _("No qualifier has started yet."),
        "no_podium": _("The podium will appear once the final is decided."),
        "running": _("In progress"),
        "closed": _("Finished"),
        "removed": _("This screen has been removed."),
        "removed_help": _("Its address no longer works. MDE staff can give it a new one from the screens page."),
    }


def _view_links(base: str) -> list[tuple[str, str, str]]:
    """(title, view, address) of each view, for the public pages' menu."""
    titles = {"bracket": _("Bracket"), "matches": _("Matches"), "upcoming": _("Upcoming"),
              "standings": _("Standings"), "podium": _("Podium")}
    return [(titles[view], view, f"{base}/{segment}") for segment, view in VIEWS.items()]


async def _board(db, tournament_id: int) -> dict[str, Any]:
    try:
        async with consistent_read(db) as session:
            return await snapshot(session, tournament_id)
    except TournamentError:
        raise NotFoundException() from None


async def _page(request: Request, db, tournament_id: int, view: str, rotation: int | None, *, kiosk: bool, base: str,
                screen_token: str = "") -> Template:
    if view not in VIEWS.values():
        raise NotFoundException()
    board = await _board(db, tournament_id)
    boards = request.app.state.boards
    settings = boards.settings
    config = {
        "tournament_id": tournament_id,
        "ws_url": boards.url(tournament_id, request.url.hostname or "127.0.0.1", secure=request.url.scheme == "https"),
        "view": view,
        "rotation": max(5, rotation) if rotation else 0,
        "views": list(VIEWS.values()),
        "heartbeat": settings.heartbeat_seconds,
        "words": _script_words(),
        "screen": screen_token,
    }
    context = {"board": board, "config": config, "kiosk": kiosk, "view": view, "links": _view_links(base)}
    if kiosk:
        follow = absolute(request, f"/direct/{tournament_id}")
        context |= {"now": utcnow(), "follow_url": follow.split("://", 1)[-1],
                    "follow_qr": qr_svg(follow, label=_("QR code of the public live board"))}
    return Template("boards/board.html", context=context, headers=PRIVATE_PAGE_HEADERS if kiosk else None)


@get("/direct", include_in_schema=False)
async def public_index(db: DB) -> Template:
    async with db.read() as session:
        tournaments = list((await session.exec(select(Tournament).order_by(Tournament.edition_year.desc(), Tournament.id))).all())
    return Template("boards/index.html", context={"tournaments": tournaments})


@get("/direct/{tournament_id:int}", include_in_schema=False)
async def public_board(request: Request, db: DB, tournament_id: PathId, rotation: QueryId = None) -> Template:
    return await _page(request, db, tournament_id, "bracket", rotation, kiosk=False, base=f"/direct/{tournament_id}")


@get("/direct/{tournament_id:int}/{segment:str}", include_in_schema=False)
async def public_view(
    request: Request, db: DB, tournament_id: PathId, segment: FromPath[str], rotation: QueryId = None
) -> Template:
    return await _page(request, db, tournament_id, VIEWS.get(segment, ""), rotation, kiosk=False, base=f"/direct/{tournament_id}")


@get("/ecran/{screen_token:str}/tournoi/{tournament_id:int}", include_in_schema=False, guards=[screen_link])
async def kiosk_board(
    request: Request, db: DB, screen_token: FromPath[str], tournament_id: PathId, rotation: QueryId = None
) -> Template:
    base = f"/ecran/{screen_token}/tournoi/{tournament_id}"
    return await _page(request, db, tournament_id, "bracket", rotation, kiosk=True, base=base, screen_token=screen_token)


@get("/ecran/{screen_token:str}/tournoi/{tournament_id:int}/{segment:str}", include_in_schema=False, guards=[screen_link])
async def kiosk_view(
    request: Request, db: DB, screen_token: FromPath[str], tournament_id: PathId, segment: FromPath[str],
    rotation: QueryId = None,
) -> Template:
    base = f"/ecran/{screen_token}/tournoi/{tournament_id}"
    return await _page(request, db, tournament_id, VIEWS.get(segment, ""), rotation, kiosk=True, base=base,
                       screen_token=screen_token)


@get("/api/boards/{tournament_id:int}/snapshot", tags=["boards"], summary="The public board state of a tournament",
     responses=PROBLEMS)
async def snapshot_api(db: DB, tournament_id: PathId) -> dict[str, Any]:
    try:
        async with consistent_read(db) as session:
            return await snapshot(session, tournament_id)
    except TournamentError:
        raise ProblemError(404, _("This page does not exist.")) from None


ROUTES = [public_index, public_board, public_view, kiosk_board, kiosk_view, snapshot_api]


# --- test endpoint: mounted only with [boards] test_endpoints = true ---------------------------

TEST_ACTOR = Actor(kind="account", id=None, role=Role.MDE, name="boards test endpoint")


@dataclass
class PlayBody:
    stage_id: int
    match_id: str | None = None
    """Default: the first playable match."""
    winner_player_id: int | None = None
    """Default: the match's first entrant."""
    key: str | None = None


@post("/api/boards/test/play", include_in_schema=False, status_code=200, exclude_from_csrf=True, exclude_from_auth=True)
async def test_play(db: DB, data: JSONBody[PlayBody]) -> dict[str, Any]:
    """Record a result with no login (benchmark and end-to-end tests; see config.toml)."""
    async with db.write() as session:
        try:  # the result path's own read (raw, its state decoded once per committed state)
            stage = await get_stage(session, data.stage_id, for_update=True)
        except TournamentError:
            raise ProblemError(404, _("This page does not exist.")) from None
        event = stage.event()
        match = event.matches.get(data.match_id) if data.match_id else next(
            (m for m in event.matches.values() if m.is_playable), None
        )
        if match is None or not match.is_playable:
            raise ProblemError(409, _("Someone changed this in the meantime."))
        winner = data.winner_player_id or stage.player_of(match.entrants[0])
        outcome = await submit_result(
            session, stage_id=stage.id, match_id=match.id, version=stage.version_of(match.id),
            data=_result_for(match, stage, winner), idempotency_key=data.key or f"test-{stage.id}-{match.id}-{stage.version_of(match.id)}",
            actor=TEST_ACTOR,
        )
    return outcome.to_json()


def _result_for(match, stage: Stage, winner: int) -> ResultInput:
    if stage.format == "ffa":
        others = [stage.player_of(s) for s in match.entrants if stage.player_of(s) != winner]
        return ResultInput(races=((winner, *others),) * stage.event().options.get("races", 1))
    return ResultInput(winner_player_id=winner)


@get("/api/boards/test/gc", include_in_schema=False, exclude_from_auth=True)
async def test_gc(request: Request) -> dict[str, Any]:
    """The full garbage collections of this process: start (CLOCK_MONOTONIC), milliseconds, why (benchmark)."""
    collector = request.app.state.collector
    return {"full": [] if collector is None else [list(entry) for entry in collector.full],
            "joined": [] if collector is None else [list(entry) for entry in collector.joined]}


TEST_ROUTES = [test_play, test_gc]
