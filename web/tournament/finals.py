"""The departmental final: finalists and their check-in on the day, the draw and its seeding report,
stations and the call list, the podium; JSON twins. Result entry is the same screen as at the
qualifiers (`results`), for referees."""

from litestar import Request, get, post
from litestar.params import FromQuery, JSONBody
from litestar.response import Redirect, Template

from tournament import finals, policies, stations
from tournament.finals import Finalist, qualification_of
from tournament.stages import final_stage
from tournament.tournaments import TournamentError, get_tournament
from tournament.views.final import call_list, podium, seeding_report
from web.auth import actor_of, referee_only, staff_only
from web.deps import DB
from web.forms import read_form
from web.i18n import N_, _
from web.routers import api, pages
from web.tournament.forms import parse_int
from web.tournament.schemas import PodiumOut, SeedIn, SeedingOut, StationOut, StationsIn
from web.tournament.wording import call_line, page
from web.tournament_messages import message
from web.params import PathId

NOTICES = {
    "finalistes": N_("The finalists have been recomputed."),
    "present": N_("The finalist is checked in."),
    "absent": N_("The finalist is marked absent; the next qualified player of the library takes their place."),
    "absent-sans": N_("The finalist is marked absent; their library has no one left, so the place goes to the best result."),
    "tirage": N_("The final is drawn: the first matches are called to the stations."),
    "postes": N_("The stations have been added."),
    "terminee": N_("The final is over: congratulations to the winners!"),
}


# --- pages ------------------------------------------------------------------------------------------------


async def _final_page(request: Request, db: DB, tournament_id: int, *, notice: str = "", error: str = "",
                      status_code: int = 200) -> Template:
    who = actor_of(request)
    async with db.read() as session:
        tournament = await get_tournament(session, tournament_id)
        lines = await finals.finalists(session, tournament_id)
        stage = await final_stage(session, tournament_id)
        listed = await call_list(session, tournament_id)
        result = await podium(session, tournament_id)
    return page("final.html", {
        "t": tournament,
        "finalists": [line for line in lines if line.status in (finals.QUALIFIED, finals.PRESENT)],
        "others": [line for line in lines if line.status not in (finals.QUALIFIED, finals.PRESENT)],
        "present": sum(1 for line in lines if line.status == finals.PRESENT),
        "stage": stage,
        "stations": listed.stations,
        "calls": [call_line(call.match, call.station.number) for call in listed.calls],
        "podium": result,
        "draw_seed": int(tournament.final_at.strftime("%Y%m%d")) if tournament.final_at else tournament.id,
        "is_staff": policies.is_staff(who),
        "can_referee": policies.can_referee(who),
        "notice": _(NOTICES[notice]) if notice in NOTICES else "",
        "error": error,
    }, status_code=status_code)


@get("/tournois/{tournament_id:int}/finale")
async def final_page(request: Request, db: DB, tournament_id: PathId, fait: FromQuery[str | None] = None) -> Template:
    return await _final_page(request, db, tournament_id, notice=fait or "")


async def _final_action(request: Request, db: DB, tournament_id: int, action, done) -> Template | Redirect:
    """Run one final action; a refusal comes back on the final's page (403 and 404 as error pages)."""
    try:
        async with db.write() as session:
            outcome = await action(session)
    except TournamentError as exc:
        if exc.code in ("forbidden", "not_found"):
            raise
        return await _final_page(request, db, tournament_id, error=message(exc.code), status_code=409)
    return Redirect(f"/tournois/{tournament_id}/finale?fait={done(outcome) if callable(done) else done}", status_code=303)


@post("/tournois/{tournament_id:int}/finale/finalistes")
async def refresh_form(request: Request, db: DB, tournament_id: PathId) -> Template | Redirect:
    return await _final_action(
        request, db, tournament_id,
        lambda session: finals.refresh_finalists(session, tournament_id=tournament_id, actor=actor_of(request)),
        "finalistes",
    )


@post("/tournois/{tournament_id:int}/finale/finalistes/{qualification_id:int}/presence")
async def check_in_form(request: Request, db: DB, tournament_id: PathId, qualification_id: PathId) -> Template | Redirect:
    async def action(session):
        await qualification_of(session, tournament_id=tournament_id, qualification_id=qualification_id)
        return await finals.check_in_finalist(session, qualification_id=qualification_id, actor=actor_of(request))

    return await _final_action(request, db, tournament_id, action, "present")


@post("/tournois/{tournament_id:int}/finale/finalistes/{qualification_id:int}/absence")
async def absent_form(request: Request, db: DB, tournament_id: PathId, qualification_id: PathId) -> Template | Redirect:
    async def action(session):
        await qualification_of(session, tournament_id=tournament_id, qualification_id=qualification_id)
        return await finals.mark_absent(session, qualification_id=qualification_id, actor=actor_of(request))

    return await _final_action(request, db, tournament_id, action,
                               lambda replacement: "absent" if replacement is not None else "absent-sans")


@post("/tournois/{tournament_id:int}/finale/tirage", guards=[staff_only])
async def seed_form(request: Request, db: DB, tournament_id: PathId) -> Template | Redirect:
    data = await read_form(request)
    try:
        draw_seed = parse_int(data.get("draw_seed", ""), "draw_seed")
    except TournamentError as exc:
        return await _final_page(request, db, tournament_id, error=message(exc.code), status_code=400)
    return await _final_action(
        request, db, tournament_id,
        lambda session: finals.seed_final(session, tournament_id=tournament_id, draw_seed=draw_seed, actor=actor_of(request)),
        "tirage",
    )


@post("/tournois/{tournament_id:int}/finale/cloture")
async def finish_form(request: Request, db: DB, tournament_id: PathId) -> Template | Redirect:
    return await _final_action(
        request, db, tournament_id,
        lambda session: finals.finish(session, tournament_id=tournament_id, actor=actor_of(request)), "terminee",
    )


@get("/tournois/{tournament_id:int}/finale/tirage")
async def seeding_page(db: DB, tournament_id: PathId) -> Template:
    async with db.read() as session:
        tournament = await get_tournament(session, tournament_id)
        report = await seeding_report(session, tournament_id)
    return page("seeding.html", {"t": tournament, "report": report, "by_seed": {line.seed: line for line in report.lines}})


@get("/tournois/{tournament_id:int}/finale/postes")
async def stations_page(request: Request, db: DB, tournament_id: PathId, fait: FromQuery[str | None] = None) -> Template:
    async with db.read() as session:
        tournament = await get_tournament(session, tournament_id)
        listed = await call_list(session, tournament_id)
        stage = await final_stage(session, tournament_id)
    return page("stations.html", {
        "t": tournament, "stations": StationOut.all_of(listed), "stage": stage,
        "is_staff": policies.is_staff(actor_of(request)),
        "live_url": request.app.state.boards.url(tournament_id, request.url.hostname or "127.0.0.1",
                                                 secure=request.url.scheme == "https")
        if stage is not None and stage.status == "running" else "",
        "notice": _(NOTICES[fait]) if fait in NOTICES else "",
    })


@post("/tournois/{tournament_id:int}/finale/postes", guards=[staff_only])
async def add_stations_form(request: Request, db: DB, tournament_id: PathId) -> Template | Redirect:
    data = await request.form()
    try:
        count = int(str(data.get("count", "")))
    except ValueError:
        count = 0
    async with db.write() as session:
        await stations.add_stations(session, tournament_id=tournament_id, count=count, actor=actor_of(request))
    return Redirect(f"/tournois/{tournament_id}/finale/postes?fait=postes", status_code=303)


@get("/tournois/{tournament_id:int}/finale/palmares")
async def podium_page(db: DB, tournament_id: PathId) -> Template:
    async with db.read() as session:
        tournament = await get_tournament(session, tournament_id)
        result = await podium(session, tournament_id)
    return page("podium.html", {"t": tournament, "podium": result})


# --- API ---------------------------------------------------------------------------------------------------


@get("/api/tournaments/{tournament_id:int}/final/finalists",
     summary="Qualified players, finalists first, with their status on the day (public)")
async def finalists_api(db: DB, tournament_id: PathId) -> list[Finalist]:
    async with db.read() as session:
        await get_tournament(session, tournament_id)
        return await finals.finalists(session, tournament_id)


@post("/api/tournaments/{tournament_id:int}/final/finalists/refresh", status_code=200,
      summary="Recompute who qualifies under the quota rule (MDE staff)")
async def refresh_api(request: Request, db: DB, tournament_id: PathId) -> list[Finalist]:
    async with db.write() as session:
        return await finals.refresh_finalists(session, tournament_id=tournament_id, actor=actor_of(request))


async def _finalist_action(request: Request, db: DB, tournament_id: int, qualification_id: int, action) -> list[Finalist]:
    async with db.write() as session:
        await qualification_of(session, tournament_id=tournament_id, qualification_id=qualification_id)
        await action(session, qualification_id=qualification_id, actor=actor_of(request))
    async with db.read() as session:
        return await finals.finalists(session, tournament_id)


@post("/api/tournaments/{tournament_id:int}/final/finalists/{qualification_id:int}/check-in", status_code=200,
      summary="A finalist is present on the day (referees, MDE staff)")
async def check_in_api(request: Request, db: DB, tournament_id: PathId, qualification_id: PathId) -> list[Finalist]:
    return await _finalist_action(request, db, tournament_id, qualification_id, finals.check_in_finalist)


@post("/api/tournaments/{tournament_id:int}/final/finalists/{qualification_id:int}/absent", status_code=200,
      summary="A finalist is absent: the next qualified player of their library takes the place")
async def absent_api(request: Request, db: DB, tournament_id: PathId, qualification_id: PathId) -> list[Finalist]:
    return await _finalist_action(request, db, tournament_id, qualification_id, finals.mark_absent)


@post("/api/tournaments/{tournament_id:int}/final/seed",
      summary="Draw the final from the finalists present, libraries kept apart (MDE staff)")
async def seed_api(request: Request, db: DB, tournament_id: PathId, data: JSONBody[SeedIn]) -> SeedingOut:
    async with db.write() as session:
        await finals.seed_final(session, tournament_id=tournament_id, draw_seed=data.draw_seed, actor=actor_of(request))
    async with db.read() as session:
        return SeedingOut.of(await seeding_report(session, tournament_id))


@get("/api/tournaments/{tournament_id:int}/final/seeding",
     summary="The seeding report: who is seeded where, and which moves kept libraries apart (public)")
async def seeding_api(db: DB, tournament_id: PathId) -> SeedingOut:
    async with db.read() as session:
        return SeedingOut.of(await seeding_report(session, tournament_id))


@get("/api/tournaments/{tournament_id:int}/final/stations", summary="The stations and the call list (public)")
async def stations_api(db: DB, tournament_id: PathId) -> list[StationOut]:
    async with db.read() as session:
        await get_tournament(session, tournament_id)
        return StationOut.all_of(await call_list(session, tournament_id))


@post("/api/tournaments/{tournament_id:int}/final/stations", guards=[staff_only],
      summary="Add stations; during the final they get the next matches at once (MDE staff)")
async def add_stations_api(request: Request, db: DB, tournament_id: PathId, data: JSONBody[StationsIn]) -> list[StationOut]:
    async with db.write() as session:
        await stations.add_stations(session, tournament_id=tournament_id, count=data.count, actor=actor_of(request))
    async with db.read() as session:
        return StationOut.all_of(await call_list(session, tournament_id))


@post("/api/tournaments/{tournament_id:int}/final/finish", status_code=200,
      summary="Close the final once every match is decided (MDE staff)")
async def finish_api(request: Request, db: DB, tournament_id: PathId) -> PodiumOut:
    async with db.write() as session:
        await finals.finish(session, tournament_id=tournament_id, actor=actor_of(request))
    return await _podium(db, tournament_id)


@get("/api/tournaments/{tournament_id:int}/final/podium", summary="The podium and the final ranking, with the prizes (public)")
async def podium_api(db: DB, tournament_id: PathId) -> PodiumOut:
    return await _podium(db, tournament_id)


async def _podium(db: DB, tournament_id: int) -> PodiumOut:
    async with db.read() as session:
        return PodiumOut.of(await podium(session, tournament_id))


ROUTERS = [
    pages(final_page, seeding_page, stations_page, podium_page, seed_form, add_stations_form),
    pages(refresh_form, finish_form, guards=[staff_only]),
    pages(check_in_form, absent_form, guards=[referee_only]),
    api("final", finalists_api, seeding_api, stations_api, podium_api, add_stations_api),
    api("final", refresh_api, seed_api, finish_api, guards=[staff_only]),
    api("final", check_in_api, absent_api, guards=[referee_only]),
]
