"""The departmental final: finalists and their check-in on the day, the draw and its seeding report,
stations and the call list, the podium; JSON twins. Result entry is the same screen as at the
qualifiers (`results`), for referees."""

from dataclasses import dataclass

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template

from tournament import finals, flow, policies
from tournament.tournaments import TournamentError, get_tournament
from web.auth import referee_only, staff_only
from web.controllers.results import PAGE_HELPERS, SeatOut, call_line
from web.controllers.tournaments import actor, page, page_refusal, parse_int
from web.deps import DB
from web.forms import read_form
from web.i18n import N_, _
from web.messages import message


@dataclass
class FinalistOut:
    qualification_id: int
    player_id: int
    pseudonym: str
    library_id: int
    commune: str
    place: int
    """Place in the library's qualifier."""
    metric: float
    """Share of the points available won in the qualifier (0 to 1)."""
    status: str
    """``qualified``, ``present``, ``absent`` or ``reserve``."""

    @classmethod
    def of(cls, line: finals.Finalist) -> "FinalistOut":
        return cls(line.qualification_id, line.player_id, line.pseudonym, line.library_id, line.commune, line.place,
                   line.metric, line.status)


@dataclass
class SeedOut:
    seed: int
    player: SeatOut
    place: int
    """Place in the library's qualifier."""
    metric: float
    tier: int
    """1 for library winners, 2 for runners-up…, then the best of the rest."""
    opponents: list[SeatOut]
    moved_from: int | None
    """The seed whose place in the standard draw this one took to keep libraries apart."""
    heat: int | None
    """Heats: the first-stage heat."""
    standard_heat: int | None
    """Heats: the heat plain snake seeding would have given."""
    earliest_same_library: int | None
    earliest_before: int | None


@dataclass
class SeedingOut:
    stage_id: int
    draw_seed: int | None
    seeds: list[SeedOut]
    moves: list[SeedOut]
    same_library_before: list[int]
    """Same-library pairs that could first meet in each round in the standard draw (index 0: round 1;
    heats: pairs sharing a first-stage heat)."""
    same_library_after: list[int]
    round_one_avoidable: bool


@dataclass
class SeedIn:
    draw_seed: int
    """Settles the ties nothing else can, reproducibly: announce it before the draw."""


@dataclass
class StationsIn:
    count: int


@dataclass
class StationOut:
    number: int
    label: str
    match_id: str | None
    call: str | None
    """«Match 12 · Poste 3 · Luna (Vernon) contre Max (Bernay)» while a match is called there."""


@dataclass
class PodiumLineOut:
    place: int
    player: SeatOut
    prize: str | None


@dataclass
class PodiumOut:
    decided: bool
    podium: list[PodiumLineOut]
    ranking: list[PodiumLineOut]


def _seed_out(line: flow.SeedLine) -> SeedOut:
    return SeedOut(line.seed, SeatOut.of(line.seat), line.place, line.metric, line.tier,
                   [SeatOut.of(s) for s in line.opponents], line.moved_from, line.heat, line.standard_heat,
                   line.earliest_same_library, line.earliest_before)


def _seeding_out(report: flow.SeedingReport) -> SeedingOut:
    return SeedingOut(
        stage_id=report.stage.id, draw_seed=report.draw_seed, seeds=[_seed_out(line) for line in report.lines],
        moves=[_seed_out(line) for line in report.moves], same_library_before=list(report.same_library_before),
        same_library_after=list(report.same_library_after), round_one_avoidable=report.round_one_avoidable,
    )


async def _stations_out(session, tournament_id: int) -> list[StationOut]:
    stations, calls = await flow.call_list(session, tournament_id)
    by_station = {call.station.id: call for call in calls}
    return [
        StationOut(s.number, s.label, s.match_id,
                   call_line(by_station[s.id].match, s.number) if s.id in by_station else None)
        for s in stations
    ]


# --- pages ------------------------------------------------------------------------------------------------

NOTICES = {
    "finalistes": N_("The finalists have been recomputed."),
    "present": N_("The finalist is checked in."),
    "absent": N_("The finalist is marked absent; the next qualified player of the library takes their place."),
    "absent-sans": N_("The finalist is marked absent; their library has no one left, so the place goes to the best result."),
    "tirage": N_("The final is drawn: the first matches are called to the stations."),
    "postes": N_("The stations have been added."),
    "terminee": N_("The final is over: congratulations to the winners!"),
}


async def _final_page(request: Request, db: DB, tournament_id: int, *, notice: str = "", error: str = "",
                      status_code: int = 200) -> Template:
    who = actor(request)
    async with db.read() as session:
        tournament = await get_tournament(session, tournament_id)
        lines = await finals.finalists(session, tournament_id)
        stage = await flow.final_stage(session, tournament_id)
        stations, calls = await flow.call_list(session, tournament_id)
        result = await flow.podium(session, tournament_id)
    return page("final.html", {
        **PAGE_HELPERS,
        "t": tournament,
        "finalists": [line for line in lines if line.status in (finals.QUALIFIED, finals.PRESENT)],
        "others": [line for line in lines if line.status not in (finals.QUALIFIED, finals.PRESENT)],
        "present": sum(1 for line in lines if line.status == finals.PRESENT),
        "stage": stage,
        "stations": stations,
        "calls": [call_line(call.match, call.station.number) for call in calls],
        "podium": result,
        "draw_seed": int(tournament.final_at.strftime("%Y%m%d")) if tournament.final_at else tournament.id,
        "is_staff": policies.is_staff(who),
        "can_referee": policies.can_referee(who),
        "notice": _(NOTICES[notice]) if notice in NOTICES else "",
        "error": error,
    }, status_code=status_code)


@get("/tournois/{tournament_id:int}/finale", include_in_schema=False)
async def final_page(request: Request, db: DB, tournament_id: FromPath[int], fait: FromQuery[str | None] = None) -> Template:
    return await _final_page(request, db, tournament_id, notice=fait or "")


async def _final_action(request: Request, db: DB, tournament_id: int, action, done) -> Template | Redirect:
    """Run one final action; a refusal comes back on the final's page (403 and 404 as error pages)."""
    try:
        async with db.write() as session:
            outcome = await action(session)
    except TournamentError as exc:
        if exc.code in ("forbidden", "not_found"):
            raise page_refusal(exc) from None
        return await _final_page(request, db, tournament_id, error=message(exc.code), status_code=409)
    return Redirect(f"/tournois/{tournament_id}/finale?fait={done(outcome) if callable(done) else done}", status_code=303)


@post("/tournois/{tournament_id:int}/finale/finalistes", include_in_schema=False, guards=[staff_only])
async def refresh_form(request: Request, db: DB, tournament_id: FromPath[int]) -> Template | Redirect:
    return await _final_action(
        request, db, tournament_id,
        lambda session: finals.refresh_finalists(session, tournament_id=tournament_id, actor=actor(request)),
        "finalistes",
    )


@post("/tournois/{tournament_id:int}/finale/finalistes/{qualification_id:int}/presence", include_in_schema=False,
      guards=[referee_only])
async def check_in_form(request: Request, db: DB, tournament_id: FromPath[int], qualification_id: FromPath[int]) -> Template | Redirect:
    async def action(session):
        await flow.qualification_of(session, tournament_id=tournament_id, qualification_id=qualification_id)
        return await finals.check_in_finalist(session, qualification_id=qualification_id, actor=actor(request))

    return await _final_action(request, db, tournament_id, action, "present")


@post("/tournois/{tournament_id:int}/finale/finalistes/{qualification_id:int}/absence", include_in_schema=False,
      guards=[referee_only])
async def absent_form(request: Request, db: DB, tournament_id: FromPath[int], qualification_id: FromPath[int]) -> Template | Redirect:
    async def action(session):
        await flow.qualification_of(session, tournament_id=tournament_id, qualification_id=qualification_id)
        return await finals.mark_absent(session, qualification_id=qualification_id, actor=actor(request))

    return await _final_action(request, db, tournament_id, action,
                               lambda replacement: "absent" if replacement is not None else "absent-sans")


@post("/tournois/{tournament_id:int}/finale/tirage", include_in_schema=False, guards=[staff_only])
async def seed_form(request: Request, db: DB, tournament_id: FromPath[int]) -> Template | Redirect:
    data = await read_form(request)
    try:
        draw_seed = parse_int(data.get("draw_seed", ""), "draw_seed")
    except TournamentError as exc:
        return await _final_page(request, db, tournament_id, error=message(exc.code), status_code=400)
    return await _final_action(
        request, db, tournament_id,
        lambda session: finals.seed_final(session, tournament_id=tournament_id, draw_seed=draw_seed, actor=actor(request)),
        "tirage",
    )


@post("/tournois/{tournament_id:int}/finale/cloture", include_in_schema=False, guards=[staff_only])
async def finish_form(request: Request, db: DB, tournament_id: FromPath[int]) -> Template | Redirect:
    return await _final_action(
        request, db, tournament_id,
        lambda session: finals.finish(session, tournament_id=tournament_id, actor=actor(request)), "terminee",
    )


@get("/tournois/{tournament_id:int}/finale/tirage", include_in_schema=False)
async def seeding_page(db: DB, tournament_id: FromPath[int]) -> Template:
    async with db.read() as session:
        tournament = await get_tournament(session, tournament_id)
        report = await flow.seeding_report(session, tournament_id)
    return page("seeding.html", {**PAGE_HELPERS, "t": tournament, "report": report,
                                 "by_seed": {line.seed: line for line in report.lines}})


@get("/tournois/{tournament_id:int}/finale/postes", include_in_schema=False)
async def stations_page(request: Request, db: DB, tournament_id: FromPath[int], fait: FromQuery[str | None] = None) -> Template:
    async with db.read() as session:
        tournament = await get_tournament(session, tournament_id)
        stations = await _stations_out(session, tournament_id)
        stage = await flow.final_stage(session, tournament_id)
    return page("stations.html", {
        "t": tournament, "stations": stations, "stage": stage, "is_staff": policies.is_staff(actor(request)),
        "notice": _(NOTICES[fait]) if fait in NOTICES else "",
    })


@post("/tournois/{tournament_id:int}/finale/postes", include_in_schema=False, guards=[staff_only])
async def add_stations_form(request: Request, db: DB, tournament_id: FromPath[int]) -> Template | Redirect:
    data = await request.form()
    try:
        count = int(str(data.get("count", "")))
    except ValueError:
        count = 0
    async with db.write() as session:
        await flow.add_stations(session, tournament_id=tournament_id, count=count, actor=actor(request))
    return Redirect(f"/tournois/{tournament_id}/finale/postes?fait=postes", status_code=303)


@get("/tournois/{tournament_id:int}/finale/palmares", include_in_schema=False)
async def podium_page(db: DB, tournament_id: FromPath[int]) -> Template:
    async with db.read() as session:
        tournament = await get_tournament(session, tournament_id)
        result = await flow.podium(session, tournament_id)
    return page("podium.html", {"t": tournament, "podium": result})


# --- API ---------------------------------------------------------------------------------------------------


@get("/api/tournaments/{tournament_id:int}/final/finalists", tags=["final"],
     summary="Qualified players, finalists first, with their status on the day (public)")
async def finalists_api(db: DB, tournament_id: FromPath[int]) -> list[FinalistOut]:
    async with db.read() as session:
        await get_tournament(session, tournament_id)
        return [FinalistOut.of(line) for line in await finals.finalists(session, tournament_id)]


@post("/api/tournaments/{tournament_id:int}/final/finalists/refresh", tags=["final"], guards=[staff_only],
      status_code=200, summary="Recompute who qualifies under the quota rule (MDE staff)")
async def refresh_api(request: Request, db: DB, tournament_id: FromPath[int]) -> list[FinalistOut]:
    async with db.write() as session:
        lines = await finals.refresh_finalists(session, tournament_id=tournament_id, actor=actor(request))
    return [FinalistOut.of(line) for line in lines]


async def _finalist_action(request: Request, db: DB, tournament_id: int, qualification_id: int, action) -> list[FinalistOut]:
    async with db.write() as session:
        await flow.qualification_of(session, tournament_id=tournament_id, qualification_id=qualification_id)
        await action(session, qualification_id=qualification_id, actor=actor(request))
    async with db.read() as session:
        return [FinalistOut.of(line) for line in await finals.finalists(session, tournament_id)]


@post("/api/tournaments/{tournament_id:int}/final/finalists/{qualification_id:int}/check-in", tags=["final"],
      guards=[referee_only], status_code=200, summary="A finalist is present on the day (referees, MDE staff)")
async def check_in_api(request: Request, db: DB, tournament_id: FromPath[int], qualification_id: FromPath[int]) -> list[FinalistOut]:
    return await _finalist_action(request, db, tournament_id, qualification_id, finals.check_in_finalist)


@post("/api/tournaments/{tournament_id:int}/final/finalists/{qualification_id:int}/absent", tags=["final"],
      guards=[referee_only], status_code=200,
      summary="A finalist is absent: the next qualified player of their library takes the place")
async def absent_api(request: Request, db: DB, tournament_id: FromPath[int], qualification_id: FromPath[int]) -> list[FinalistOut]:
    return await _finalist_action(request, db, tournament_id, qualification_id, finals.mark_absent)


@post("/api/tournaments/{tournament_id:int}/final/seed", tags=["final"], guards=[staff_only],
      summary="Draw the final from the finalists present, libraries kept apart (MDE staff)")
async def seed_api(request: Request, db: DB, tournament_id: FromPath[int], data: JSONBody[SeedIn]) -> SeedingOut:
    async with db.write() as session:
        await finals.seed_final(session, tournament_id=tournament_id, draw_seed=data.draw_seed, actor=actor(request))
    async with db.read() as session:
        return _seeding_out(await flow.seeding_report(session, tournament_id))


@get("/api/tournaments/{tournament_id:int}/final/seeding", tags=["final"],
     summary="The seeding report: who is seeded where, and which moves kept libraries apart (public)")
async def seeding_api(db: DB, tournament_id: FromPath[int]) -> SeedingOut:
    async with db.read() as session:
        return _seeding_out(await flow.seeding_report(session, tournament_id))


@get("/api/tournaments/{tournament_id:int}/final/stations", tags=["final"],
     summary="The stations and the call list (public)")
async def stations_api(db: DB, tournament_id: FromPath[int]) -> list[StationOut]:
    async with db.read() as session:
        await get_tournament(session, tournament_id)
        return await _stations_out(session, tournament_id)


@post("/api/tournaments/{tournament_id:int}/final/stations", tags=["final"], guards=[staff_only],
      summary="Add stations; during the final they get the next matches at once (MDE staff)")
async def add_stations_api(request: Request, db: DB, tournament_id: FromPath[int], data: JSONBody[StationsIn]) -> list[StationOut]:
    async with db.write() as session:
        await flow.add_stations(session, tournament_id=tournament_id, count=data.count, actor=actor(request))
    async with db.read() as session:
        return await _stations_out(session, tournament_id)


@post("/api/tournaments/{tournament_id:int}/final/finish", tags=["final"], guards=[staff_only], status_code=200,
      summary="Close the final once every match is decided (MDE staff)")
async def finish_api(request: Request, db: DB, tournament_id: FromPath[int]) -> PodiumOut:
    async with db.write() as session:
        await finals.finish(session, tournament_id=tournament_id, actor=actor(request))
    return await _podium(db, tournament_id)


def _podium_out(result: flow.Podium) -> PodiumOut:
    def out(line: flow.PodiumLine) -> PodiumLineOut:
        return PodiumLineOut(line.place, SeatOut.of(line.seat), line.prize)

    return PodiumOut(result.decided, [out(line) for line in result.top], [out(line) for line in result.lines])


@get("/api/tournaments/{tournament_id:int}/final/podium", tags=["final"],
     summary="The podium and the final ranking, with the prizes (public)")
async def podium_api(db: DB, tournament_id: FromPath[int]) -> PodiumOut:
    return await _podium(db, tournament_id)


async def _podium(db: DB, tournament_id: int) -> PodiumOut:
    async with db.read() as session:
        await get_tournament(session, tournament_id)
        return _podium_out(await flow.podium(session, tournament_id))


ROUTES = [
    final_page, refresh_form, check_in_form, absent_form, seed_form, finish_form, seeding_page, stations_page,
    add_stations_form, podium_page,
    finalists_api, refresh_api, check_in_api, absent_api, seed_api, seeding_api, stations_api, add_stations_api,
    finish_api, podium_api,
]
