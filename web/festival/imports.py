"""CSV imports by MDE staff: the library directory and past participations, as import runs
(`tournament.festival.import_runs`): the upload is copied to disk as it comes and checked in the background as a
stream, its progress page shows the counts, the first rows and the rows with errors page by page (never the
whole file), applying writes in short batches, and a run can be rolled back as a whole. Pages and API."""

import asyncio

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template

from tournament.festival.csvfiles import ENCODINGS, EncodingProbe
from tournament.festival.errors import FestivalError
from tournament.festival.import_runs import CHUNK, ImportRun, ImportRuns, spool
from tournament.festival.imports import ImportRefused, import_libraries, import_participations
from tournament.refusals import Status
from web.auth import staff_only
from web.deps import DB
from web.errors import problem_of
from web.festival.common import actor_or_401, render
from web.festival.schemas import ImportApplyBody, ImportBody, ImportReportOut, ImportRunBody, ImportRunOut
from web.festival_messages import message
from web.forms import FormState, form_or_errors, read_form
from web.pagination import Offset, PageNumber, PageSize, Pagination
from web.routers import api, pages

IMPORTS = {"bibliotheques": import_libraries, "historique": import_participations}
"""The one-request importers (API, small files), by the page's name for them."""

PREVIEW_ROWS = 50
"""Rows with errors per page of a run's preview."""

FIRST_ROWS = 10
"""The first rows of the file a preview shows, to check the columns were read right."""

QUICK = 2.0
"""Seconds a page waits for a run's background step before showing its progress instead."""


def _importer(kind: str):
    if kind not in IMPORTS:
        raise NotFoundException()
    return IMPORTS[kind]


def _runs(request: Request) -> ImportRuns:
    return request.app.state["import_runs"]


async def _briefly(run: ImportRun) -> None:
    """Wait a little for a small file's step to end, so the next page shows its outcome; never blocks the loop."""
    if run.task is not None:
        await asyncio.wait({run.task}, timeout=QUICK)


@get("/admin/festival/import/{kind:str}")
async def import_page(kind: FromPath[str]) -> Template:
    _importer(kind)
    return render("import_upload.html", kind=kind, form=FormState())


@post("/admin/festival/import/{kind:str}")
async def import_preview(request: Request, kind: FromPath[str]) -> Template | Redirect:
    _importer(kind)
    form_data = await request.form()
    upload, encoding = form_data.get("file"), str(form_data.get("encoding") or "")
    chosen = {"encoding": encoding if encoding in ENCODINGS else ""}
    probe, source = EncodingProbe(chosen["encoding"]), None
    async with form_or_errors(chosen) as submitted:
        if isinstance(upload, UploadFile):
            await upload.seek(0)
            source = await asyncio.to_thread(spool, iter(lambda: upload.file.read(CHUNK), b""), probe)
            probe.encoding  # noqa: B018 - refuses (next to the field) a file that is no known text
    if submitted.refused or source is None or probe.blank:
        if source is not None:
            source.unlink(missing_ok=True)
        form = submitted.form if submitted.refused else FormState(values=chosen,
                                                                  errors={"file": message("import_empty")})
        return render("import_upload.html", status_code=400, kind=kind, form=form)
    run = _runs(request).start(kind, source, actor=actor_or_401(request), encoding=probe.encoding)
    await _briefly(run)
    return Redirect(f"/admin/festival/import/{kind}/runs/{run.id}", status_code=303)


@get("/admin/festival/import/{kind:str}/runs/{run_id:str}")
async def import_run_page(request: Request, kind: FromPath[str], run_id: FromPath[str],
                          page: PageNumber = 1) -> Template:
    _importer(kind)
    run = _runs(request).get(run_id, actor_or_401(request))
    error_rows = run.report.error_rows if run.report else []
    shown = Pagination.of(page, PREVIEW_ROWS, len(error_rows))
    return render("import_run.html", kind=kind, run=run, first_rows=run.report.rows[:FIRST_ROWS] if run.report else [],
                  error_rows=error_rows[shown.offset:shown.offset + shown.limit], pagination=shown,
                  error=message(run.error_code) if run.error_code else None,
                  page_path=f"/admin/festival/import/{kind}/runs/{run.id}", page_params={})


@post("/admin/festival/import/{kind:str}/runs/{run_id:str}/appliquer")
async def import_run_apply(request: Request, kind: FromPath[str], run_id: FromPath[str]) -> Redirect:
    _importer(kind)
    values = await read_form(request)
    runs = _runs(request)
    run = runs.get(run_id, actor_or_401(request))
    try:
        runs.apply(run_id, "valid_only" if values.get("mode") == "valid_only" else "all", actor=actor_or_401(request))
    except FestivalError as exc:
        if exc.status != Status.INVALID:
            raise  # the run is busy: the app's error page says so
        # refused (rows with errors): the run page shows why
    await _briefly(run)
    return Redirect(f"/admin/festival/import/{kind}/runs/{run.id}", status_code=303)


@post("/admin/festival/import/{kind:str}/runs/{run_id:str}/annuler")
async def import_run_rollback(request: Request, kind: FromPath[str], run_id: FromPath[str]) -> Redirect:
    _importer(kind)
    run = _runs(request).rollback(run_id, actor=actor_or_401(request))
    await _briefly(run)
    return Redirect(f"/admin/festival/import/{kind}/runs/{run.id}", status_code=303)


async def _import_api(request: Request, db: DB, importer, data: ImportBody) -> ImportReportOut:
    try:
        async with db.write() as session:
            report = await importer(session, data.content, actor=actor_or_401(request), apply=data.mode != "preview",
                                    only_valid=data.mode == "valid_only")
    except ImportRefused as exc:
        raise problem_of(exc, report=ImportReportOut.of(exc.report)) from None
    return ImportReportOut.of(report)


@post("/api/festival/imports/libraries", status_code=200,
      summary="Import the library directory from CSV in one request (small files; large ones: import runs)")
async def import_libraries_api(request: Request, db: DB, data: JSONBody[ImportBody]) -> ImportReportOut:
    return await _import_api(request, db, import_libraries, data)


@post("/api/festival/imports/participations", status_code=200,
      summary="Import past participations from CSV in one request (small files; large ones: import runs)")
async def import_participations_api(request: Request, db: DB, data: JSONBody[ImportBody]) -> ImportReportOut:
    return await _import_api(request, db, import_participations, data)


@post("/api/festival/import-runs", status_code=202,
      summary="Start an import run: the file is checked in the background; follow it at its URL")
async def start_run_api(request: Request, data: JSONBody[ImportRunBody]) -> ImportRunOut:
    runs = _runs(request)
    run = runs.start_text(data.kind, data.content, actor=actor_or_401(request))
    if data.mode != "preview":
        await runs.wait(run)
        runs.apply(run.id, data.mode, actor=run.actor)
    return ImportRunOut.of(run, 0, PREVIEW_ROWS)


@get("/api/festival/import-runs/{run_id:str}",
     summary="An import run: state, counts, rows done of the total, its first rows, a page of the rows with errors")
async def run_api(request: Request, run_id: FromPath[str], offset: Offset = 0,
                  limit: PageSize = PREVIEW_ROWS) -> ImportRunOut:
    return ImportRunOut.of(_runs(request).get(run_id, actor_or_401(request)), offset, limit)


@post("/api/festival/import-runs/{run_id:str}/apply", status_code=202,
      summary="Apply a checked import run in batches (all rows, refused if any is wrong, or the valid ones only)")
async def apply_run_api(request: Request, run_id: FromPath[str], data: JSONBody[ImportApplyBody]) -> ImportRunOut:
    run = _runs(request).apply(run_id, data.mode, actor=actor_or_401(request))
    return ImportRunOut.of(run, 0, PREVIEW_ROWS)


@post("/api/festival/import-runs/{run_id:str}/rollback", status_code=202,
      summary="Roll a done (or failed) import run back as a whole, in batches: the records it created are deleted "
              "(kept if used since), the values it replaced put back (kept if changed since)")
async def rollback_run_api(request: Request, run_id: FromPath[str]) -> ImportRunOut:
    run = _runs(request).rollback(run_id, actor=actor_or_401(request))
    return ImportRunOut.of(run, 0, PREVIEW_ROWS)


ROUTERS = [
    pages(import_page, import_preview, import_run_page, import_run_apply, import_run_rollback, guards=[staff_only]),
    api("festival", import_libraries_api, import_participations_api, start_run_api, run_api, apply_run_api,
        rollback_run_api, guards=[staff_only]),
]
