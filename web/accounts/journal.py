"""The audit log for MDE staff: every audited action, newest first, a page at a time and searchable; page and
JSON twin."""

from litestar import Request, get
from litestar.response import Response, Template

from tournament.views.audit import audit_log
from web.accounts.schemas import AuditEntryOut
from web.auth import actor_of, staff_only
from web.deps import DB
from web.pagination import (
    LIST_HEADERS,
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    Offset,
    PageNumber,
    PageSize,
    Pagination,
    SearchText,
    api_slice,
)
from web.routers import api, pages


@get("/admin/journal")
async def journal_page(request: Request, db: DB, page: PageNumber = 1, q: SearchText = "") -> Template:
    async with db.read() as session:
        total = (await audit_log(session, actor=actor_of(request), q=q, limit=0)).total
        shown = Pagination.of(page, PAGE_SIZE, total)
        log = await audit_log(session, actor=actor_of(request), q=q, offset=shown.offset, limit=shown.limit)
    return Template("admin/journal.html", context={
        "lines": log.lines, "q": q, "total": log.total, "pagination": shown, "page_path": "/admin/journal",
        "page_params": {"q": q}})


@get("/api/audit", response_headers=LIST_HEADERS,
     summary="The audit log, newest first, a page at a time (?offset=&limit=, ?q= action, subject or who) (MDE staff)")
async def journal_api(request: Request, db: DB, offset: Offset = 0, limit: PageSize = MAX_PAGE_SIZE,
                      q: SearchText = "") -> Response[list[AuditEntryOut]]:
    async with db.read() as session:
        log = await audit_log(session, actor=actor_of(request), q=q, offset=offset, limit=limit)
    return api_slice(request, [AuditEntryOut.of(line) for line in log.lines], Pagination(offset, limit, log.total))


ROUTERS = [
    pages(journal_page, guards=[staff_only]),
    api("audit", journal_api, guards=[staff_only]),
]
