"""Tournaments: the list, a tournament's page, its set-up by MDE staff, libraries joining; JSON twins."""

from datetime import datetime
from typing import Any

from litestar import Request, get, patch, post
from litestar.params import FromQuery, JSONBody
from litestar.response import Redirect, Template

from brackets.elimination import GRAND_FINALS
from tournament import policies, setup
from tournament.libraries import Library, list_libraries
from tournament.players import AgeCategory
from tournament.tournaments import (
    FINAL_FORMATS,
    QUALIFIER_FORMATS,
    MatchKind,
    Tournament,
    TournamentError,
    join,
    list_tournaments,
)
from tournament.views.overview import overview
from web.auth import account_only, actor_of, staff_only
from web.deps import DB
from web.forms import FormState, read_form
from web.i18n import N_, _
from web.messages import age_label
from web.routers import api, pages
from web.tournament.forms import local_input, needs_fold, paris_time, parse_int, parse_local
from web.tournament.schemas import (
    JoinIn,
    LibraryRef,
    SessionOut,
    TournamentDetailOut,
    TournamentIn,
    TournamentOut,
    TournamentPatch,
)
from web.tournament.wording import page
from web.tournament_messages import FORMAT_LABELS, GRAND_FINAL_LABELS, MATCH_KIND_LABELS, label, message
from web.params import PathId


def _values(data: TournamentIn | TournamentPatch, current: Tournament | None = None) -> dict[str, Any]:
    """Tournament fields from an API body (only those given, for a patch)."""
    given = {name: value for name, value in vars(data).items() if value is not None}
    values: dict[str, Any] = {}
    for name in setup.SETUP_FIELDS:
        if name in given:
            value = given[name]
            values[name] = paris_time(value, name) if isinstance(value, datetime) else value
    if isinstance(data, TournamentIn) or {"final_format", "grand_final", "third_place"} & set(given):
        final_format = given.get("final_format") or (current.final_format if current else "double_elimination")
        options = dict(current.final_options) if current else {}
        values["final_options"] = setup.final_options(
            final_format,
            grand_final=given.get("grand_final", options.get("grand_final", "reset")),
            third_place=given.get("third_place", options.get("third_place", False)),
        )
    return values


async def _form_values(request: Request) -> tuple[dict[str, str], dict[str, Any], dict[str, str]]:
    """The set-up form: raw values to show back, parsed values, and errors by field."""
    form = await request.form()
    raw = await read_form(request)
    multi = {name: [str(v) for v in form.getall(name, [])] for name in ("qualifier_formats", "age_categories")}
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "name": raw.get("name", ""),
        "game": raw.get("game", ""),
        "match_kind": raw.get("match_kind", ""),
        "qualifier_formats": multi["qualifier_formats"],
        "age_categories": multi["age_categories"],
        "prizes": [line.strip() for line in raw.get("prizes", "").splitlines() if line.strip()],
        "final_format": raw.get("final_format", ""),
        "final_library_id": None,
        "final_at": None,
    }

    def read(name: str, parse, *more: str) -> None:
        try:
            values[name] = parse(raw.get(name, ""), name, *more)
        except TournamentError as exc:
            errors[name] = message(exc.code)
            needs_fold(raw, name, exc.code)

    for name in ("heat_size", "races_per_heat", "finalists", "quota_per_library"):
        read(name, parse_int)
    for name in ("qualifying_opens_at", "qualifying_closes_at", "final_at"):
        if name != "final_at" or raw.get(name):
            read(name, parse_local, raw.get(f"{name}_fold", ""))
    if raw.get("final_library_id"):
        read("final_library_id", parse_int)
    try:
        values["final_options"] = setup.final_options(
            values["final_format"], grand_final=raw.get("grand_final", "reset"), third_place=bool(raw.get("third_place"))
        )
    except TournamentError as exc:
        errors[exc.field] = message(exc.code)
    shown = {**raw, **{name: "\n".join(values) for name, values in multi.items()}}
    shown["qualifier_formats_list"] = multi["qualifier_formats"]  # type: ignore[assignment]
    shown["age_categories_list"] = multi["age_categories"]  # type: ignore[assignment]
    return shown, values, errors


def _form_from(tournament: Tournament) -> FormState:
    options = tournament.final_options
    return FormState(values={
        "name": tournament.name, "game": tournament.game, "match_kind": tournament.match_kind,
        "heat_size": str(tournament.heat_size), "races_per_heat": str(tournament.races_per_heat),
        "qualifier_formats_list": list(tournament.qualifier_formats),
        "age_categories_list": list(tournament.age_categories),
        "qualifying_opens_at": local_input(tournament.qualifying_opens_at),
        "qualifying_closes_at": local_input(tournament.qualifying_closes_at),
        "finalists": str(tournament.finalists), "quota_per_library": str(tournament.quota_per_library),
        "final_format": tournament.final_format, "grand_final": options.get("grand_final", "reset"),
        "third_place": "1" if options.get("third_place") else "",
        "final_library_id": str(tournament.final_library_id or ""), "final_at": local_input(tournament.final_at),
        "prizes": "\n".join(tournament.prizes),
    })


NEW_TOURNAMENT = FormState(values={
    "match_kind": "duel", "heat_size": "4", "races_per_heat": "4", "finalists": "16", "quota_per_library": "2",
    "qualifier_formats_list": ["single_elimination"], "age_categories_list": [], "final_format": "double_elimination",
    "grand_final": "reset", "qualifying_opens_at": "2025-03-29T10:00", "qualifying_closes_at": "2025-04-11T19:00",
    "final_at": "2025-04-12T14:00",
})


async def _setup_page(db: DB, form: FormState, *, tournament: Tournament | None = None, status_code: int = 200) -> Template:
    async with db.read() as session:
        libraries = await list_libraries(session)
    return page("setup.html", {
        "form": form,
        "tournament": tournament,
        "venues": [("", _("To be decided"))] + [(str(lib.id), f"{lib.name} ({lib.commune})") for lib in libraries],
        "kinds": [(kind.value, label(MATCH_KIND_LABELS, kind.value)) for kind in MatchKind],
        "qualifier_formats": [(name, label(FORMAT_LABELS, name)) for name in QUALIFIER_FORMATS],
        "final_formats": [(name, label(FORMAT_LABELS, name)) for name in FINAL_FORMATS],
        "grand_finals": [(name, label(GRAND_FINAL_LABELS, name)) for name in GRAND_FINALS],
        "ages": [(category.value, age_label(category.value)) for category in AgeCategory],
    }, status_code=status_code)


async def _save_setup(request: Request, db: DB, write, *, tournament_id: int | None = None) -> Template | Redirect:
    """The set-up form: parse, `write` (a coroutine taking the session and the values, returning the
    redirect's address), or the same page again with each error next to its field."""
    shown, values, errors = await _form_values(request)
    form = FormState(values=shown, errors=errors)
    if form.ok:
        try:
            async with db.write() as session:
                return Redirect(await write(session, values), status_code=303)
        except TournamentError as exc:
            if not exc.field:
                raise
            form.errors[exc.field] = message(exc.code)
    tournament = None
    if tournament_id is not None:
        async with db.read() as session:
            tournament = (await overview(session, tournament_id)).tournament
    return await _setup_page(db, form, tournament=tournament, status_code=400)


# --- pages -------------------------------------------------------------------------------------------------


@get("/tournois")
async def tournaments_page(request: Request, db: DB) -> Template:
    async with db.read() as session:
        tournaments = await list_tournaments(session)
    return page("list.html", {"tournaments": tournaments, "is_staff": policies.is_staff(actor_of(request))})


NOTICES = {
    "modifie": N_("The set-up has been saved."),
    "ouvert": N_("The qualifiers are open: libraries can now run their sessions."),
    "rejoint": N_("The library takes part in the tournament."),
}


@get("/tournois/{tournament_id:int}")
async def tournament_page(request: Request, db: DB, tournament_id: PathId, fait: FromQuery[str | None] = None) -> Template:
    who = actor_of(request)
    async with db.read() as session:
        seen = await overview(session, tournament_id)
        libraries = await list_libraries(session) if policies.is_staff(who) else []
    joined = {library.id for library in seen.libraries}
    return page("detail.html", {
        "o": seen,
        "t": seen.tournament,
        "notice": _(NOTICES[fait]) if fait in NOTICES else "",
        "is_staff": policies.is_staff(who),
        "can_referee": policies.can_referee(who),
        "my_library_id": who.library_id if who and who.kind == "account" and who.role == "librarian" else None,
        "joined": joined,
        "can_manage": lambda library_id: policies.can_manage_library(who, library_id),
        "joinable": [library for library in libraries if library.id not in joined],
    })


@get("/tournois/nouveau")
async def new_tournament_page(db: DB) -> Template:
    return await _setup_page(db, FormState(values=dict(NEW_TOURNAMENT.values)))


@post("/tournois/nouveau")
async def create_tournament_form(request: Request, db: DB) -> Template | Redirect:
    async def write(session, values):
        tournament = await setup.set_up_tournament(session, Tournament(**values), actor=actor_of(request))
        return f"/tournois/{tournament.id}"

    return await _save_setup(request, db, write)


@get("/tournois/{tournament_id:int}/modifier")
async def edit_tournament_page(db: DB, tournament_id: PathId) -> Template:
    async with db.read() as session:
        tournament = (await overview(session, tournament_id)).tournament
    return await _setup_page(db, _form_from(tournament), tournament=tournament)


@post("/tournois/{tournament_id:int}/modifier")
async def edit_tournament_form(request: Request, db: DB, tournament_id: PathId) -> Template | Redirect:
    async def write(session, values):
        await setup.update_setup(session, tournament_id=tournament_id, changes=values, actor=actor_of(request))
        return f"/tournois/{tournament_id}?fait=modifie"

    return await _save_setup(request, db, write, tournament_id=tournament_id)


@post("/tournois/{tournament_id:int}/ouverture")
async def open_qualifying_form(request: Request, db: DB, tournament_id: PathId) -> Redirect:
    async with db.write() as session:
        await setup.open_qualifying(session, tournament_id=tournament_id, actor=actor_of(request))
    return Redirect(f"/tournois/{tournament_id}?fait=ouvert", status_code=303)


@post("/tournois/{tournament_id:int}/bibliotheques")
async def join_form(request: Request, db: DB, tournament_id: PathId) -> Redirect:
    data = await read_form(request)
    who = actor_of(request)
    library_id = parse_int(data.get("library_id") or str(who.library_id or ""), "library_id")
    async with db.write() as session:
        await join(session, tournament_id, library_id, actor=who)
    return Redirect(f"/tournois/{tournament_id}?fait=rejoint", status_code=303)


# --- API ---------------------------------------------------------------------------------------------------


@get("/api/tournaments", summary="Every tournament (public)")
async def list_tournaments_api(db: DB) -> list[TournamentOut]:
    async with db.read() as session:
        return [TournamentOut.of(t) for t in await list_tournaments(session)]


@get("/api/tournaments/{tournament_id:int}", summary="A tournament with its libraries, qualifier sessions and final (public)")
async def tournament_api(db: DB, tournament_id: PathId) -> TournamentDetailOut:
    async with db.read() as session:
        seen = await overview(session, tournament_id)
    return TournamentDetailOut(
        **vars(TournamentOut.of(seen.tournament)),
        libraries=[LibraryRef.of(lib) for lib in seen.libraries],
        sessions=[SessionOut.of(line) for line in seen.sessions],
        final_stage_id=seen.final_stage.id if seen.final_stage else None,
    )


@post("/api/tournaments", guards=[staff_only], summary="Set up a tournament (MDE staff)")
async def create_tournament_api(request: Request, db: DB, data: JSONBody[TournamentIn]) -> TournamentOut:
    async with db.write() as session:
        tournament = await setup.set_up_tournament(session, Tournament(**_values(data)), actor=actor_of(request))
    return TournamentOut.of(tournament)


@patch("/api/tournaments/{tournament_id:int}", guards=[staff_only], summary="Change the set-up while in set-up (MDE staff)")
async def update_tournament_api(
    request: Request, db: DB, tournament_id: PathId, data: JSONBody[TournamentPatch]
) -> TournamentOut:
    async with db.write() as session:
        current = (await overview(session, tournament_id)).tournament
        tournament = await setup.update_setup(
            session, tournament_id=tournament_id, changes=_values(data, current), actor=actor_of(request)
        )
    return TournamentOut.of(tournament)


@post("/api/tournaments/{tournament_id:int}/open", status_code=200,
      summary="End the set-up and open the qualifiers (MDE staff)")
async def open_qualifying_api(request: Request, db: DB, tournament_id: PathId) -> TournamentOut:
    async with db.write() as session:
        tournament = await setup.open_qualifying(session, tournament_id=tournament_id, actor=actor_of(request))
    return TournamentOut.of(tournament)


@post("/api/tournaments/{tournament_id:int}/libraries", status_code=200,
      summary="A library joins the tournament (its librarians or MDE staff; idempotent)")
async def join_api(request: Request, db: DB, tournament_id: PathId, data: JSONBody[JoinIn]) -> LibraryRef:
    async with db.write() as session:
        await join(session, tournament_id, data.library_id, actor=actor_of(request))
        library = await session.get(Library, data.library_id)
    return LibraryRef.of(library)


ROUTERS = [
    pages(tournaments_page, tournament_page),
    pages(new_tournament_page, create_tournament_form, edit_tournament_page, edit_tournament_form, open_qualifying_form, guards=[staff_only]),
    pages(join_form, guards=[account_only]),
    api("tournaments", list_tournaments_api, tournament_api, create_tournament_api, update_tournament_api),
    api("tournaments", open_qualifying_api, guards=[staff_only]),
    api("tournaments", join_api, guards=[account_only]),
]
