"""MDE staff's exports of an edition, on one page (`/admin/festival/exports`): each as CSV for French Excel and as
a printable page, built from the same `tournament.festival.staff_exports.Sheet`. Headers are always French."""

from litestar import Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from tournament.festival.csvfiles import write_table
from tournament.festival.editions import list_editions
from tournament.festival.staff_exports import EXPORTS, staff_sheet
from web.auth import actor_of, staff_only
from web.deps import DB
from web.festival.common import chosen_edition, edition_or_404, render
from web.routers import pages
from web.params import PathYear, QueryId

STAFF_EXPORTS_PAGE = "/admin/festival/exports"
"""The page the staff dashboard links to."""


@get(STAFF_EXPORTS_PAGE)
async def exports_page(db: DB, edition: QueryId = None) -> Template:
    async with db.read() as session:
        chosen = await chosen_edition(session, edition)
        editions = await list_editions(session)
    return render("exports.html", edition=chosen, editions=editions, exports=EXPORTS)


@get("/admin/festival/{year:int}/exports/{name:str}")
async def export_page(request: Request, db: DB, year: PathYear, name: FromPath[str]) -> Template | Response:
    """``inscriptions``: the printable page; ``inscriptions.csv``: the same rows as CSV for French Excel."""
    as_csv = name.endswith(".csv")
    name = name.removesuffix(".csv")
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        sheet = await staff_sheet(session, edition, name, actor=actor_of(request))
    if as_csv:
        return Response(content=write_table(sheet.header, sheet.rows).encode("utf-8-sig"),
                        media_type="text/csv",
                        headers={"content-disposition": f'attachment; filename="xpo-{year}-{name}.csv"'})
    return render("export_sheet.html", edition=edition, sheet=sheet, name=name)


ROUTERS = [pages(exports_page, export_page, guards=[staff_only])]
