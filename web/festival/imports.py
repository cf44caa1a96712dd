"""CSV imports by MDE staff: the library directory and past participations; preview, then import all rows or
only the valid ones. Pages and API."""

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody
from litestar.response import Template

from tournament.festival.csvfiles import ENCODINGS, decode
from tournament.festival.imports import ImportRefused, import_libraries, import_participations
from web.auth import staff_only
from web.deps import DB
from web.errors import problem_of
from web.festival.common import actor_or_401, render
from web.festival.schemas import ImportBody, ImportReportOut
from web.festival_messages import message
from web.forms import FormState, form_or_errors, read_form
from web.routers import api, pages

IMPORTS = {"bibliotheques": import_libraries, "historique": import_participations}
"""The importers, by the page's name for them."""


def _importer(kind: str):
    if kind not in IMPORTS:
        raise NotFoundException()
    return IMPORTS[kind]


@get("/admin/festival/import/{kind:str}")
async def import_page(kind: FromPath[str]) -> Template:
    _importer(kind)
    return render("import_upload.html", kind=kind, form=FormState())


@post("/admin/festival/import/{kind:str}")
async def import_preview(request: Request, db: DB, kind: FromPath[str]) -> Template:
    importer = _importer(kind)
    form_data = await request.form()
    upload, encoding = form_data.get("file"), str(form_data.get("encoding") or "")
    chosen = {"encoding": encoding if encoding in ENCODINGS else ""}
    content = ""
    async with form_or_errors(chosen) as submitted:
        content = decode(await upload.read(), chosen["encoding"]) if isinstance(upload, UploadFile) else ""
    if submitted.refused:
        return render("import_upload.html", status_code=400, kind=kind, form=submitted.form)
    if not content.strip():
        form = FormState(values=chosen, errors={"file": message("import_empty")})
        return render("import_upload.html", status_code=400, kind=kind, form=form)
    async with db.read() as session:
        report = await importer(session, content, actor=actor_or_401(request), apply=False)
    return render("import_preview.html", kind=kind, report=report, content=content, error=None)


@post("/admin/festival/import/{kind:str}/confirmer")
async def import_confirm(request: Request, db: DB, kind: FromPath[str]) -> Template:
    importer = _importer(kind)
    values = await read_form(request)
    content = values.get("content", "")
    try:
        async with db.write() as session:
            report = await importer(session, content, actor=actor_or_401(request), apply=True,
                                    only_valid=values.get("mode") == "valid_only")
    except ImportRefused as exc:
        return render("import_preview.html", status_code=400, kind=kind, report=exc.report, content=content,
                      error=message(exc.code))
    return render("import_preview.html", kind=kind, report=report, content="", error=None)


async def _import_api(request: Request, db: DB, importer, data: ImportBody) -> ImportReportOut:
    try:
        async with db.write() as session:
            report = await importer(session, data.content, actor=actor_or_401(request), apply=data.mode != "preview",
                                    only_valid=data.mode == "valid_only")
    except ImportRefused as exc:
        raise problem_of(exc, report=ImportReportOut.of(exc.report)) from None
    return ImportReportOut.of(report)


@post("/api/festival/imports/libraries", status_code=200,
      summary="Import the library directory from CSV (preview, all-or-nothing, or valid rows only)")
async def import_libraries_api(request: Request, db: DB, data: JSONBody[ImportBody]) -> ImportReportOut:
    return await _import_api(request, db, import_libraries, data)


@post("/api/festival/imports/participations", status_code=200,
      summary="Import past participations from CSV (library, year, took part, ready-made animation, funding)")
async def import_participations_api(request: Request, db: DB, data: JSONBody[ImportBody]) -> ImportReportOut:
    return await _import_api(request, db, import_participations, data)


ROUTERS = [
    pages(import_page, import_preview, import_confirm, guards=[staff_only]),
    api("festival", import_libraries_api, import_participations_api, guards=[staff_only]),
]
