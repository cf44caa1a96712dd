"""/admin/courriels: the outbox as MDE staff read it (state, server's answer, resend), and its JSON twins."""

from dataclasses import dataclass
from datetime import datetime

from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Response, Template

from tournament.outbox import MailState, OutboxMail, get_mail, list_mails, resend
from web.auth import actor_of, staff_only
from web.deps import DB
from web.i18n import N_, _
from web.messages import word
from web.pagination import LIST_HEADERS, MAX_PAGE_SIZE, PAGE_SIZE, Offset, PageNumber, PageSize, Pagination, api_slice
from web.params import PathId
from web.routers import api, pages
from web.schemas import from_row

word("outbox", {"unknown_mail": N_("This mail does not exist."),
                "already_queued": N_("This mail is already waiting to be sent: there is nothing to resend.")})

STATE_LABELS = {
    MailState.PENDING: N_("Waiting to be sent"),
    MailState.SENDING: N_("Being sent"),
    MailState.SENT: N_("Sent"),
    MailState.FAILED: N_("Failed"),
    MailState.LIMITED: N_("Held (too many mails to this address)"),
    MailState.DIGEST: N_("Held for the daily digest"),
    MailState.DIGESTED: N_("Sent in a daily digest"),
    MailState.SKIPPED: N_("Not sent (the recipient's choice)"),
}


@dataclass
class MailOut:
    id: int
    message_id: str
    kind: str
    recipient: str
    subject: str
    cause: str
    state: str
    attempts: int
    last_answer: str
    created_at: datetime
    sent_at: datetime | None


@dataclass
class MailDetail(MailOut):
    body_text: str
    body_html: str


@get("/admin/courriels")
async def outbox_page(request: Request, db: DB, etat: FromQuery[str | None] = None, fait: FromQuery[str | None] = None,
                      page: PageNumber = 1) -> Template:
    state = etat if etat in STATE_LABELS else None
    async with db.read() as session:
        total = (await list_mails(session, actor=actor_of(request), state=state, limit=0))[1]
        shown = Pagination.of(page, PAGE_SIZE, total)
        mails, total = await list_mails(session, actor=actor_of(request), state=state, offset=shown.offset,
                                        limit=shown.limit)
    return Template("admin/outbox.html", context={
        "mails": mails, "state": state or "", "states": {key: _(label) for key, label in STATE_LABELS.items()},
        "pagination": shown, "page_path": "/admin/courriels", "page_params": {"etat": state} if state else {},
        "notice": _("The mail is back in the queue.") if fait == "renvoye" else "",
    })


@get("/admin/courriels/{mail_id:int}")
async def mail_page(request: Request, db: DB, mail_id: PathId) -> Template:
    async with db.read() as session:
        mail = await get_mail(session, mail_id, actor=actor_of(request))
    return Template("admin/outbox_mail.html", context={
        "mail": mail, "states": {key: _(label) for key, label in STATE_LABELS.items()},
    })


async def _resend(request: Request, db: DB, mail_id: int) -> OutboxMail:
    async with db.write() as session:
        mail = await resend(session, mail_id, actor=actor_of(request))
    sender = request.app.state.get("mail_sender")
    if sender is not None:
        sender.wake()
    return mail


@post("/admin/courriels/{mail_id:int}/renvoyer")
async def resend_form(request: Request, db: DB, mail_id: PathId) -> Redirect:
    await _resend(request, db, mail_id)
    return Redirect("/admin/courriels?fait=renvoye", status_code=303)


@get("/api/mails", response_headers=LIST_HEADERS,
     summary="The outbox, newest first, a page at a time (?offset=&limit=, ?mail_state=) (MDE staff)")
async def list_mails_api(request: Request, db: DB, mail_state: FromQuery[str | None] = None, offset: Offset = 0,
                         limit: PageSize = MAX_PAGE_SIZE) -> Response[list[MailOut]]:
    async with db.read() as session:
        mails, total = await list_mails(session, actor=actor_of(request), state=mail_state, offset=offset, limit=limit)
    return api_slice(request, [from_row(MailOut, mail) for mail in mails], Pagination(offset, limit, total))


@get("/api/mails/{mail_id:int}", summary="One mail of the outbox with its bodies (MDE staff)")
async def mail_api(request: Request, db: DB, mail_id: PathId) -> MailDetail:
    async with db.read() as session:
        return from_row(MailDetail, await get_mail(session, mail_id, actor=actor_of(request)))


@post("/api/mails/{mail_id:int}/resend", status_code=200, summary="Put a mail back in the queue (MDE staff)")
async def resend_api(request: Request, db: DB, mail_id: PathId) -> MailOut:
    return from_row(MailOut, await _resend(request, db, mail_id))


ROUTERS = [
    pages(outbox_page, mail_page, resend_form, guards=[staff_only]),
    api("mails", list_mails_api, mail_api, resend_api, guards=[staff_only]),
]
