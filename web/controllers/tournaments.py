"""Tournaments: the list, a tournament's page, its set-up by MDE staff, libraries joining; JSON twins.

Also the small helpers the other tournament controllers share: reading Paris dates and numbers
from forms, and turning a refusal into a page error or a problem.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template

from tournament import flow, policies
from tournament.audit import Actor
from tournament.libraries import Library, list_libraries
from tournament.players import AgeCategory
from tournament.tournaments import FINAL_FORMATS, QUALIFIER_FORMATS, MatchKind, Tournament, TournamentError, join
from web.auth import account_only, actor_of, staff_only
from web.deps import DB
from web.errors import ProblemError
from web.forms import FormState, read_form
from web.i18n import N_, _
from web.messages import age_label, message
from web.tournament_messages import (
    FORMAT_LABELS,
    GRAND_FINAL_LABELS,
    MATCH_KIND_LABELS,
    OUTCOME_LABELS,
    STATUS_LABELS,
    label,
    tournament_problem,
)

PARIS = ZoneInfo("Europe/Paris")


# --- shared helpers -------------------------------------------------------------------------------


def paris_time(value: datetime) -> datetime:
    """An instant in UTC; a time given without offset is read as Paris time (what people type)."""
    return (value if value.tzinfo else value.replace(tzinfo=PARIS)).astimezone(UTC)


def parse_local(value: str, field_name: str) -> datetime:
    """A ``datetime-local`` input (Paris time) as an aware UTC instant."""
    try:
        return paris_time(datetime.fromisoformat(value))
    except ValueError:
        raise TournamentError("invalid_datetime", field_name) from None


def local_input(moment: datetime | None) -> str:
    """The value a ``datetime-local`` input shows for an instant: Paris time, to the minute."""
    return "" if moment is None else moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


def parse_int(value: str, field_name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise TournamentError("invalid_number", field_name) from None


def page_refusal(exc: TournamentError) -> ProblemError:
    """A refusal on a page that has no field to show it next to: the French error page."""
    return tournament_problem(exc)


def actor(request: Request) -> Actor | None:
    return actor_of(request)


TEMPLATE_HELPERS = {
    "format_label": lambda key: label(FORMAT_LABELS, key),
    "status_label": lambda key: label(STATUS_LABELS, key),
    "outcome_label": lambda key: label(OUTCOME_LABELS, key),
    "kind_label": lambda key: label(MATCH_KIND_LABELS, key),
    "grand_final_label": lambda key: label(GRAND_FINAL_LABELS, key),
    "age_label": age_label,
}
"""Label functions every tournament template receives."""


def page(template: str, context: dict[str, Any], *, status_code: int = 200, headers: dict[str, str] | None = None) -> Template:
    """A tournament page: the template with the shared label helpers."""
    return Template(f"tournament/{template}", context={**TEMPLATE_HELPERS, **context}, status_code=status_code,
                    headers=headers)


# --- set-up ----------------------------------------------------------------------------------------


@dataclass
class TournamentIn:
    """A tournament's set-up. Times without an offset are Paris time."""

    name: str
    game: str
    qualifying_opens_at: datetime
    qualifying_closes_at: datetime
    match_kind: str = "duel"
    """``duel`` (1 against 1) or ``heat`` (free-for-all races)."""
    heat_size: int = 4
    races_per_heat: int = 4
    age_categories: list[str] = field(default_factory=list)
    """Empty: every age. Otherwise among ``u11``, ``11-14``, ``15-17``, ``adult``."""
    qualifier_formats: list[str] = field(default_factory=lambda: ["single_elimination"])
    """Among ``single_elimination``, ``double_elimination``, ``round_robin``, ``swiss``, ``ffa``."""
    finalists: int = 16
    quota_per_library: int = 2
    final_format: str = "double_elimination"
    """``single_elimination``, ``double_elimination`` or ``ffa``."""
    grand_final: str = "reset"
    """Double elimination: ``none``, ``single`` or ``reset``."""
    third_place: bool = False
    """Single elimination: play a match for third place."""
    final_library_id: int | None = None
    final_at: datetime | None = None
    prizes: list[str] = field(default_factory=list)


@dataclass
class TournamentPatch:
    """Set-up fields to change (while in set-up); those left out keep their value."""

    name: str | None = None
    game: str | None = None
    qualifying_opens_at: datetime | None = None
    qualifying_closes_at: datetime | None = None
    match_kind: str | None = None
    heat_size: int | None = None
    races_per_heat: int | None = None
    age_categories: list[str] | None = None
    qualifier_formats: list[str] | None = None
    finalists: int | None = None
    quota_per_library: int | None = None
    final_format: str | None = None
    grand_final: str | None = None
    third_place: bool | None = None
    final_library_id: int | None = None
    final_at: datetime | None = None
    prizes: list[str] | None = None


@dataclass
class TournamentOut:
    id: int
    name: str
    game: str
    status: str
    match_kind: str
    heat_size: int
    races_per_heat: int
    age_categories: list[str]
    qualifier_formats: list[str]
    qualifying_opens_at: datetime
    qualifying_closes_at: datetime
    finalists: int
    quota_per_library: int
    final_format: str
    final_options: dict[str, Any]
    final_library_id: int | None
    final_at: datetime | None
    prizes: list[str]

    @classmethod
    def of(cls, t: Tournament) -> "TournamentOut":
        return cls(
            id=t.id, name=t.name, game=t.game, status=t.status, match_kind=t.match_kind, heat_size=t.heat_size,
            races_per_heat=t.races_per_heat, age_categories=list(t.age_categories),
            qualifier_formats=list(t.qualifier_formats), qualifying_opens_at=t.qualifying_opens_at,
            qualifying_closes_at=t.qualifying_closes_at, finalists=t.finalists, quota_per_library=t.quota_per_library,
            final_format=t.final_format, final_options=dict(t.final_options), final_library_id=t.final_library_id,
            final_at=t.final_at, prizes=list(t.prizes),
        )


@dataclass
class LibraryRef:
    id: int
    name: str
    commune: str


@dataclass
class SessionOut:
    id: int
    tournament_id: int
    library_id: int
    commune: str
    starts_at: datetime
    place: str
    capacity: int
    format: str
    status: str
    stage_id: int | None
    enrolled: int
    pending: int

    @classmethod
    def of(cls, line: flow.SessionLine) -> "SessionOut":
        q = line.qualifier
        return cls(
            id=q.id, tournament_id=q.tournament_id, library_id=q.library_id, commune=line.library.commune,
            starts_at=q.starts_at, place=q.place, capacity=q.capacity, format=q.format, status=q.status,
            stage_id=q.stage_id, enrolled=line.enrolled, pending=line.pending,
        )


@dataclass
class TournamentDetailOut(TournamentOut):
    libraries: list[LibraryRef]
    sessions: list[SessionOut]
    final_stage_id: int | None


@dataclass
class JoinIn:
    library_id: int


def _values(data: TournamentIn | TournamentPatch, current: Tournament | None = None) -> dict[str, Any]:
    """Tournament fields from an API body (only those given, for a patch)."""
    given = {name: value for name, value in vars(data).items() if value is not None}
    values: dict[str, Any] = {}
    for name in flow.SETUP_FIELDS:
        if name in given:
            value = given[name]
            values[name] = paris_time(value) if isinstance(value, datetime) else value
    if isinstance(data, TournamentIn) or {"final_format", "grand_final", "third_place"} & set(given):
        final_format = given.get("final_format") or (current.final_format if current else "double_elimination")
        options = dict(current.final_options) if current else {}
        values["final_options"] = flow.final_options(
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
    for name in ("heat_size", "races_per_heat", "finalists", "quota_per_library"):
        try:
            values[name] = parse_int(raw.get(name, ""), name)
        except TournamentError as exc:
            errors[name] = message(exc.code)
    for name in ("qualifying_opens_at", "qualifying_closes_at", "final_at"):
        if name == "final_at" and not raw.get(name):
            continue
        try:
            values[name] = parse_local(raw.get(name, ""), name)
        except TournamentError as exc:
            errors[name] = message(exc.code)
    if raw.get("final_library_id"):
        try:
            values["final_library_id"] = parse_int(raw["final_library_id"], "final_library_id")
        except TournamentError as exc:
            errors["final_library_id"] = message(exc.code)
    try:
        values["final_options"] = flow.final_options(
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
        "grand_finals": [(name, label(GRAND_FINAL_LABELS, name)) for name in flow.GRAND_FINALS],
        "ages": [(category.value, age_label(category.value)) for category in AgeCategory],
    }, status_code=status_code)


@get("/tournois", include_in_schema=False)
async def tournaments_page(request: Request, db: DB) -> Template:
    async with db.read() as session:
        tournaments = await flow.list_tournaments(session)
    return page("list.html", {"tournaments": tournaments, "is_staff": policies.is_staff(actor(request))})


@get("/tournois/nouveau", include_in_schema=False, guards=[staff_only])
async def new_tournament_page(db: DB) -> Template:
    return await _setup_page(db, FormState(values=dict(NEW_TOURNAMENT.values)))


@post("/tournois/nouveau", include_in_schema=False, guards=[staff_only])
async def create_tournament_form(request: Request, db: DB) -> Template | Redirect:
    shown, values, errors = await _form_values(request)
    form = FormState(values=shown, errors=errors)
    if form.ok:
        try:
            async with db.write() as session:
                tournament = await flow.set_up_tournament(session, Tournament(**values), actor=actor(request))
            return Redirect(f"/tournois/{tournament.id}", status_code=303)
        except TournamentError as exc:
            if not exc.field:
                raise page_refusal(exc) from None
            form.errors[exc.field] = message(exc.code)
    return await _setup_page(db, form, status_code=400)


@get("/tournois/{tournament_id:int}/modifier", include_in_schema=False, guards=[staff_only])
async def edit_tournament_page(db: DB, tournament_id: FromPath[int]) -> Template:
    async with db.read() as session:
        tournament = (await flow.overview(session, tournament_id)).tournament
    return await _setup_page(db, _form_from(tournament), tournament=tournament)


@post("/tournois/{tournament_id:int}/modifier", include_in_schema=False, guards=[staff_only])
async def edit_tournament_form(request: Request, db: DB, tournament_id: FromPath[int]) -> Template | Redirect:
    shown, values, errors = await _form_values(request)
    form = FormState(values=shown, errors=errors)
    if form.ok:
        try:
            async with db.write() as session:
                await flow.update_setup(session, tournament_id=tournament_id, changes=values, actor=actor(request))
            return Redirect(f"/tournois/{tournament_id}?fait=modifie", status_code=303)
        except TournamentError as exc:
            if not exc.field:
                raise page_refusal(exc) from None
            form.errors[exc.field] = message(exc.code)
    async with db.read() as session:
        tournament = (await flow.overview(session, tournament_id)).tournament
    return await _setup_page(db, form, tournament=tournament, status_code=400)


NOTICES = {
    "modifie": N_("The set-up has been saved."),
    "ouvert": N_("The qualifiers are open: libraries can now run their sessions."),
    "rejoint": N_("The library takes part in the tournament."),
}


@get("/tournois/{tournament_id:int}", include_in_schema=False)
async def tournament_page(request: Request, db: DB, tournament_id: FromPath[int], fait: FromQuery[str | None] = None) -> Template:
    who = actor(request)
    async with db.read() as session:
        seen = await flow.overview(session, tournament_id)
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


@post("/tournois/{tournament_id:int}/ouverture", include_in_schema=False, guards=[staff_only])
async def open_qualifying_form(request: Request, db: DB, tournament_id: FromPath[int]) -> Redirect:
    async with db.write() as session:
        await flow.open_qualifying(session, tournament_id=tournament_id, actor=actor(request))
    return Redirect(f"/tournois/{tournament_id}?fait=ouvert", status_code=303)


@post("/tournois/{tournament_id:int}/bibliotheques", include_in_schema=False, guards=[account_only])
async def join_form(request: Request, db: DB, tournament_id: FromPath[int]) -> Redirect:
    data = await read_form(request)
    who = actor(request)
    library_id = parse_int(data.get("library_id") or str(who.library_id or ""), "library_id")
    async with db.write() as session:
        await join(session, tournament_id, library_id, actor=who)
    return Redirect(f"/tournois/{tournament_id}?fait=rejoint", status_code=303)


# --- API ---------------------------------------------------------------------------------------------


async def _detail(db: DB, tournament_id: int) -> TournamentDetailOut:
    async with db.read() as session:
        seen = await flow.overview(session, tournament_id)
    return TournamentDetailOut(
        **vars(TournamentOut.of(seen.tournament)),
        libraries=[LibraryRef(lib.id, lib.name, lib.commune) for lib in seen.libraries],
        sessions=[SessionOut.of(line) for line in seen.sessions],
        final_stage_id=seen.final_stage.id if seen.final_stage else None,
    )


@get("/api/tournaments", tags=["tournaments"], summary="Every tournament (public)")
async def list_tournaments_api(db: DB) -> list[TournamentOut]:
    async with db.read() as session:
        return [TournamentOut.of(t) for t in await flow.list_tournaments(session)]


@post("/api/tournaments", tags=["tournaments"], summary="Set up a tournament (MDE staff)", guards=[staff_only])
async def create_tournament_api(request: Request, db: DB, data: JSONBody[TournamentIn]) -> TournamentOut:
    async with db.write() as session:
        tournament = await flow.set_up_tournament(session, Tournament(**_values(data)), actor=actor(request))
    return TournamentOut.of(tournament)


@get("/api/tournaments/{tournament_id:int}", tags=["tournaments"],
     summary="A tournament with its libraries, qualifier sessions and final (public)")
async def tournament_api(db: DB, tournament_id: FromPath[int]) -> TournamentDetailOut:
    return await _detail(db, tournament_id)


@patch("/api/tournaments/{tournament_id:int}", tags=["tournaments"],
       summary="Change the set-up while in set-up (MDE staff)", guards=[staff_only])
async def update_tournament_api(
    request: Request, db: DB, tournament_id: FromPath[int], data: JSONBody[TournamentPatch]
) -> TournamentOut:
    async with db.write() as session:
        current = (await flow.overview(session, tournament_id)).tournament
        tournament = await flow.update_setup(
            session, tournament_id=tournament_id, changes=_values(data, current), actor=actor(request)
        )
    return TournamentOut.of(tournament)


@post("/api/tournaments/{tournament_id:int}/open", tags=["tournaments"], status_code=200,
      summary="End the set-up and open the qualifiers (MDE staff)", guards=[staff_only])
async def open_qualifying_api(request: Request, db: DB, tournament_id: FromPath[int]) -> TournamentOut:
    async with db.write() as session:
        tournament = await flow.open_qualifying(session, tournament_id=tournament_id, actor=actor(request))
    return TournamentOut.of(tournament)


@post("/api/tournaments/{tournament_id:int}/libraries", tags=["tournaments"], status_code=200,
      summary="A library joins the tournament (its librarians or MDE staff; idempotent)", guards=[account_only])
async def join_api(request: Request, db: DB, tournament_id: FromPath[int], data: JSONBody[JoinIn]) -> LibraryRef:
    async with db.write() as session:
        await join(session, tournament_id, data.library_id, actor=actor(request))
        library = await session.get(Library, data.library_id)
    return LibraryRef(library.id, library.name, library.commune)


ROUTES = [
    tournaments_page, new_tournament_page, create_tournament_form, edit_tournament_page, edit_tournament_form,
    tournament_page, open_qualifying_form, join_form,
    list_tournaments_api, create_tournament_api, tournament_api, update_tournament_api, open_qualifying_api, join_api,
]
