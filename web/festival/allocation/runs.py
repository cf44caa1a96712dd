"""Allocation runs, run by MDE staff: freeze the inputs with a seed, run the rule, publish, override a decision
with a note, compare with today's data. A run's frozen inputs and result download as the JSON `xpo allocate`
reads and prints, with the standalone verifier; every librarian sees every run of an edition
(`/festival/{year}/attribution`). Staff pages under `/admin/festival/…/attribution`, JSON twins under `/api/festival/…`."""

import json
import shlex
from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post, put
from litestar.exceptions import NotFoundException
from litestar.params import JSONBody
from litestar.response import Redirect, Template

from tournament.festival import allocation as rule
from tournament.festival.allocation_verifier import FILENAME as VERIFIER_FILENAME
from tournament.festival.allocation_verifier import verifier_bytes
from tournament.festival.allocation_runs import (
    AllocationDecision,
    AllocationRun,
    RerunReport,
    execute_run,
    freeze_run,
    latest_run,
    list_runs,
    load_run,
    override_decision,
    publish_run,
    rerun,
    run_decisions,
)
from tournament.festival.animation_requests import list_requests
from tournament.festival.catalogue import parse_window
from tournament.festival.editions import Edition
from tournament.festival.errors import FestivalError
from tournament.festival.funding import list_funding_requests
from tournament.festival.money import parse_euros
from tournament.libraries import list_libraries
from tournament.refusals import Status
from web.auth import allocation_checker, library_manager, staff_only
from web.deps import DB
from web.errors import ProblemError
from web.festival.allocation.common import LIBRARY_API, page, parse_slot_lines
from web.festival.allocation.messages import LABELS
from web.festival.allocation.schemas import DecisionOut, FreezeBody, OverrideBody, RunOut
from web.festival.common import actor_or_401, edition_or_404, read_int
from web.festival_messages import message
from web.forms import FormState, conflict_409, form_or_errors, read_form
from web.i18n import _
from web.routers import api, pages
from web.params import PathId, PathYear


async def _runs_context(db: DB, year: int, form: FormState | None = None) -> dict[str, Any]:
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        runs = await list_runs(session, edition.id)
    return {"edition": edition, "runs": runs, "form": form or FormState(values={"max_animations_per_library": "2"})}


@get("/admin/festival/{year:int}/attribution")
async def runs_page(db: DB, year: PathYear) -> Template:
    return page("runs.html", **await _runs_context(db, year))


@post("/admin/festival/{year:int}/attribution")
async def freeze_submit(request: Request, db: DB, year: PathYear) -> Template | Redirect:
    values = await read_form(request)
    errors: dict[str, str] = {}
    limit = read_int(values, "max_animations_per_library", errors)
    async with form_or_errors(values) as submitted:
        if errors:
            raise FestivalError("invalid", errors=errors)
        async with db.write() as session:
            edition = await edition_or_404(session, year)
            run = await freeze_run(session, edition=edition, seed=values.get("seed", ""),
                                   max_animations_per_library=limit, actor=actor_or_401(request))
    if submitted.refused:
        return page("runs.html", submitted.status, **await _runs_context(db, year, submitted.form))
    return Redirect(f"/admin/festival/attribution/{run.id}")


async def _run_context(
    db: DB, run_id: int, form: FormState | None = None, form_for: int | None = None
) -> dict[str, Any]:
    async with db.read() as session:
        run = await load_run(session, run_id)
        edition = await session.get(Edition, run.edition_id)
        decisions = await run_decisions(session, run.id)
    inputs = rule.inputs_from_data(json.loads(run.inputs_json))
    result = json.loads(run.result_json) if run.result_json else None
    return {
        "run": run, "edition": edition, "decisions": decisions, "result": result,
        "library_names": {lib.id: lib.name for lib in inputs.libraries},
        "animation_titles": {a.id: a.title for a in inputs.animations},
        "funding_titles": {f.id: f.title for f in inputs.funding_requests},
        "requests_count": len(inputs.requests), "funding_count": len(inputs.funding_requests),
        "envelope": inputs.funding.envelope_cents if inputs.funding else 0,
        "granted_cents": sum(d.granted_cents for d in decisions if d.kind == "funding" and d.granted),
        "override_form": form or FormState(), "override_for": form_for, "verify_command": verify_command,
    }


def verify_command(run: AllocationRun) -> str:
    """The one command that reproduces a run's result fingerprint from its downloaded files."""
    return (f"python3 {VERIFIER_FILENAME} xpo-allocation-{run.id}-inputs.json "
            f"--seed {shlex.quote(run.seed)}")


@get("/admin/festival/attribution/{run_id:int}")
async def run_page(db: DB, run_id: PathId) -> Template:
    return page("run.html", **await _run_context(db, run_id))


@get("/festival/{year:int}/attribution")
async def library_runs_page(db: DB, year: PathYear) -> Template:
    """Every run of the edition, for every library: seed, when and who, fingerprints and the files to check it."""
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        runs = await list_runs(session, edition.id)
    return page("library_runs.html", edition=edition, runs=runs, verify_command=verify_command)


async def _run_action(request: Request, db: DB, run_id: int, action) -> Template | Redirect:
    try:
        async with db.write() as session:
            await action(session, run_id=run_id, actor=actor_or_401(request))
    except (FestivalError, rule.SearchLimitError) as exc:
        if isinstance(exc, rule.SearchLimitError):
            exc = FestivalError("search_limit")
        if exc.status in (Status.FORBIDDEN, Status.NOT_FOUND):
            raise
        context = await _run_context(db, run_id)
        context["action_error"] = message(exc.code)
        return page("run.html", status_code=409, **context)
    return Redirect(f"/admin/festival/attribution/{run_id}")


@post("/admin/festival/attribution/{run_id:int}/lancer")
async def execute_submit(request: Request, db: DB, run_id: PathId) -> Template | Redirect:
    return await _run_action(request, db, run_id, execute_run)


@post("/admin/festival/attribution/{run_id:int}/publier")
async def publish_submit(request: Request, db: DB, run_id: PathId) -> Template | Redirect:
    return await _run_action(request, db, run_id, publish_run)


def _override_args(values: dict[str, str], decision: AllocationDecision) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    granted = values.get("granted") == "yes"
    args: dict[str, Any] = {"granted": granted, "note": values.get("note", "")}
    if granted and decision.kind == "animation":
        slots, bad = parse_slot_lines(values.get("slot", ""))
        if bad or len(slots) != 1:
            errors["slot"] = "invalid_slot_line"
        else:
            parsed = parse_window(slots[0])
            if isinstance(parsed, str):
                errors["slot"] = parsed
            else:
                args["slot"] = parsed
    if granted and decision.kind == "funding":
        amount = parse_euros(values.get("amount", ""))
        if amount is None:
            errors["amount"] = "invalid_amount"
        args["granted_cents"] = amount
    return args, errors


@post("/admin/festival/attribution/decisions/{decision_id:int}")
async def override_submit(request: Request, db: DB, decision_id: PathId) -> Template | Redirect:
    values = await read_form(request)
    async with db.read() as session:
        decision = await session.get(AllocationDecision, decision_id)
    if decision is None:
        raise NotFoundException(message("unknown_decision"))
    args, errors = _override_args(values, decision)
    async with form_or_errors(values, status=conflict_409) as submitted:
        if errors:
            raise FestivalError("invalid", errors=errors)
        async with db.write() as session:
            await override_decision(session, decision_id=decision_id, actor=actor_or_401(request), **args)
    if submitted.refused:
        context = await _run_context(db, decision.run_id, submitted.form, decision_id)
        return page("run.html", submitted.status, **context)
    return Redirect(f"/admin/festival/attribution/{decision.run_id}#decision-{decision_id}")


def _outcome_text(side: dict[str, Any] | None) -> str:
    """One side of a difference in words: status, reason, window or amount."""
    if side is None:
        return "—"
    parts = [_("Granted") if side["status"] == "granted" else _("Refused"), LABELS.reason(side["reason"])]
    if side.get("slot"):
        window = rule.Window(datetime.fromisoformat(side["slot"]["start"]), datetime.fromisoformat(side["slot"]["end"]))
        parts.append(rule.format_window(window))
    if side.get("granted_cents"):
        parts.append(rule.format_euros(side["granted_cents"]))
    return " · ".join(parts)


@get("/admin/festival/attribution/{run_id:int}/comparer")
async def compare_page(db: DB, run_id: PathId) -> Template:
    context = await _run_context(db, run_id)
    edition = context["edition"]
    try:
        async with db.read() as session:
            report = await rerun(session, run_id=run_id, edition=edition)
            names = {lib.id: lib.name for lib in await list_libraries(session)}
            titles = {("animation", v.request.id): f"{names[v.request.library_id]} · {v.animation.title}"
                      for v in await list_requests(session, edition.id)}
            titles |= {("funding", f.id): f"{names[f.library_id]} · {f.title}"
                       for f in await list_funding_requests(session, edition.id)}
    except FestivalError as exc:
        if exc.status in (Status.FORBIDDEN, Status.NOT_FOUND):
            raise
        context["action_error"] = message(exc.code)
        return page("run.html", status_code=409, **context)
    rows = [(titles.get((d.kind, d.request_id), f"#{d.request_id}"), _outcome_text(d.before), _outcome_text(d.after))
            for d in report.differences]
    return page("compare.html", report=report, rows=rows, **context)




# --- JSON API -------------------------------------------------------------------------------------


@get(LIBRARY_API + "/allocation",
     summary="The library's decisions in the latest published allocation (empty before publication)")
async def library_decisions_api(db: DB, year: PathYear, library_id: PathId) -> list[DecisionOut]:
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        published = await latest_run(session, edition.id, published=True)
        if published is None:
            return []
        return [DecisionOut.of(d) for d in await run_decisions(session, published.id, library_id=library_id)]


@get("/api/festival/editions/{year:int}/allocation/runs",
     summary="An edition's allocation runs, newest first (MDE staff and every librarian)")
async def runs_api(db: DB, year: PathYear) -> list[RunOut]:
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        return [RunOut.of(r, year) for r in await list_runs(session, edition.id)]


@post("/api/festival/editions/{year:int}/allocation/runs", guards=[staff_only],
      summary="Freeze today's inputs with a seed in a new run (MDE staff)")
async def freeze_api(request: Request, db: DB, year: PathYear, data: JSONBody[FreezeBody]) -> RunOut:
    async with db.write() as session:
        edition = await edition_or_404(session, year)
        run = await freeze_run(session, edition=edition, seed=data.seed,
                               max_animations_per_library=data.max_animations_per_library,
                               actor=actor_or_401(request))
        return RunOut.of(run, year)


async def _run_out(session, run: AllocationRun) -> RunOut:
    edition = await session.get(Edition, run.edition_id)
    return RunOut.of(run, edition.year, await run_decisions(session, run.id))


@get("/api/festival/allocation/runs/{run_id:int}",
     summary="A run and its decisions, overrides included (MDE staff)")
async def run_api(db: DB, run_id: PathId) -> RunOut:
    async with db.read() as session:
        return await _run_out(session, await load_run(session, run_id))


async def _run_action_api(request: Request, db: DB, run_id: int, action) -> RunOut:
    try:
        async with db.write() as session:
            run = await action(session, run_id=run_id, actor=actor_or_401(request))
            return await _run_out(session, run)
    except rule.SearchLimitError:
        raise FestivalError("search_limit") from None


@post("/api/festival/allocation/runs/{run_id:int}/run",
      status_code=200, summary="Run the allocation rule on a frozen run (MDE staff)")
async def execute_api(request: Request, db: DB, run_id: PathId) -> RunOut:
    return await _run_action_api(request, db, run_id, execute_run)


@post("/api/festival/allocation/runs/{run_id:int}/publish",
      status_code=200, summary="Show a run's decisions to the libraries (MDE staff)")
async def publish_api(request: Request, db: DB, run_id: PathId) -> RunOut:
    return await _run_action_api(request, db, run_id, publish_run)


@get("/api/festival/allocation/runs/{run_id:int}/rerun",
     summary="Replay the run, run today's data with its seed, and list the differences (MDE staff)")
async def rerun_api(db: DB, run_id: PathId) -> RerunReport:
    async with db.read() as session:
        run = await load_run(session, run_id)
        return await rerun(session, run_id=run_id, edition=await session.get(Edition, run.edition_id))


async def _run_document(request: Request, db: DB, run_id: int, which: str) -> Response:
    """A run's canonical JSON, for MDE staff and every librarian (the guard), whatever the run's status."""
    async with db.read() as session:
        run = await load_run(session, run_id)
    text = run.inputs_json if which == "inputs" else run.result_json
    if not text:
        raise FestivalError("run_not_done")
    return Response(content=text.encode("utf-8"), media_type="application/json",
                    headers={"content-disposition": f'attachment; filename="xpo-allocation-{run.id}-{which}.json"'})


@get("/api/festival/allocation/runs/{run_id:int}/inputs.json",
     summary="A run's frozen inputs, exactly as hashed: `xpo allocate` and the verifier read them (staff, librarians)")
async def inputs_export(request: Request, db: DB, run_id: PathId) -> Response:
    return await _run_document(request, db, run_id, "inputs")


@get("/api/festival/allocation/runs/{run_id:int}/result.json",
     summary="A run's result, exactly as `xpo allocate` prints it and as its SHA-256 was taken; overrides are in the decisions")
async def result_export(request: Request, db: DB, run_id: PathId) -> Response:
    return await _run_document(request, db, run_id, "result")


@get("/api/festival/allocation/runs/{run_id:int}/verify.py",
     summary="The standalone verifier (one Python file, standard library only, built from the rule's code): "
             "`python3 xpo-verification-attribution.py inputs.json --seed S` prints the result's SHA-256")
async def verifier_export(db: DB, run_id: PathId) -> Response:
    async with db.read() as session:
        await load_run(session, run_id)
    return Response(content=verifier_bytes(), media_type="text/x-python",
                    headers={"content-disposition": f'attachment; filename="{VERIFIER_FILENAME}"'})


@put("/api/festival/allocation/decisions/{decision_id:int}",
     summary="Override a decision with a note (audited) (MDE staff)")
async def override_api(
    request: Request, db: DB, decision_id: PathId, data: JSONBody[OverrideBody]
) -> DecisionOut:
    slot = None
    if data.slot_start is not None or data.slot_end is not None:
        if any(moment is None or moment.tzinfo is None for moment in (data.slot_start, data.slot_end)):
            raise ProblemError(422, message("invalid"), errors={"slot": message("invalid_datetime")})
        slot = (data.slot_start, data.slot_end)
    async with db.write() as session:
        decision = await override_decision(session, decision_id=decision_id, granted=data.granted, note=data.note,
                                           slot=slot, granted_cents=data.granted_cents, actor=actor_or_401(request))
        return DecisionOut.of(decision)




ROUTERS = [
    pages(runs_page, freeze_submit, run_page, execute_submit, publish_submit, override_submit, compare_page,
          guards=[staff_only]),
    api("festival allocation", library_decisions_api, guards=[library_manager]),
    api("festival allocation", run_api, execute_api, publish_api, rerun_api, override_api,
        guards=[staff_only]),
    # Every seed ever tried stays visible to the libraries: the list of runs and their documents, whatever the status.
    pages(library_runs_page, guards=[allocation_checker]),
    # freeze_api shares its URL with runs_api and carries its own staff guard.
    api("festival allocation", runs_api, freeze_api, inputs_export, result_export, verifier_export, guards=[allocation_checker]),
]
