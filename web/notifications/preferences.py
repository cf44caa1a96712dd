"""/compte/notifications: each staff or librarian account chooses, per kind of notice, "at once", "in the daily
digest" or "none" (`tournament.notification_preferences`); JSON twins under `/api/me/notifications`. It is
also the `List-Unsubscribe` target of optional mails."""

from dataclasses import dataclass

from litestar import Request, get, post, put
from litestar.params import JSONBody
from litestar.response import Redirect, Template

from tournament.accounts import Account
from tournament.notification_preferences import Mode, modes_for, preferences_of, save_preferences
from web.auth import account_only, actor_of
from web.deps import DB
from web.forms import FormState, form_or_errors, read_form
from web.i18n import N_, _
from web.messages import word
from web.routers import api, pages

word("notification_preferences", {"unknown_kind": N_("This kind of notice is not one you can choose for."),
                                   "invalid": N_("Some choices need attention.")})

KIND_LABELS = {
    "registration_received": N_("Registration received"),
    "registration_late": N_("Late registration accepted by MDE"),
    "fiche_accepted": N_("Fiche accepted"),
    "fiche_changes_requested": N_("Changes requested on a fiche"),
    "fiche_published": N_("Fiche published"),
    "allocation_published": N_("Ready-made animations allocated"),
    "funding_decided": N_("Funding decided"),
    "loan_approved": N_("Equipment loan approved"),
    "loan_refused": N_("Equipment loan refused"),
    "loan_pickup": N_("Reminder two days before collecting equipment"),
    "loan_due": N_("Equipment to return tomorrow"),
    "loan_overdue": N_("Equipment overdue"),
    "tournament_dispute": N_("A disputed result to settle"),
    "tournament_finalists": N_("Your players qualified for the final"),
    "fiche_submitted": N_("A fiche to review"),
    "fiche_cancelled": N_("A published event cancelled by its library"),
    "loan_overdue_staff": N_("A loan overdue"),
    "staff_digest": N_("What awaits you (fiches, loan requests, overdue loans), in the daily digest"),
}
MODE_LABELS = {Mode.IMMEDIATE: N_("At once"), Mode.DAILY: N_("Daily digest"), Mode.NONE: N_("None")}


@dataclass
class PreferenceOut:
    kind: str
    label: str
    mode: str
    modes: list[str]


@dataclass
class PreferencesBody:
    choices: dict[str, str]
    """Kind → `immediate`, `daily` or `none` (only the kinds to change)."""


def _rows(preferences: dict[str, Mode]) -> list[PreferenceOut]:
    return [PreferenceOut(kind=kind, label=_(KIND_LABELS.get(kind, kind)), mode=mode.value,
                          modes=[m.value for m in modes_for(kind)]) for kind, mode in preferences.items()]


async def _load(db: DB, request: Request) -> list[PreferenceOut]:
    async with db.read() as session:
        account = await session.get(Account, actor_of(request).id)
        return _rows(await preferences_of(session, account))


async def _save(db: DB, request: Request, choices: dict[str, str]) -> list[PreferenceOut]:
    async with db.write() as session:
        account = await session.get(Account, actor_of(request).id)
        return _rows(await save_preferences(session, account=account, choices=choices, actor=actor_of(request)))


def _page(rows: list[PreferenceOut], form: FormState | None = None, status: int = 200, saved: bool = False) -> Template:
    return Template("account_notifications.html", status_code=status, context={
        "rows": rows, "form": form or FormState(), "saved": saved,
        "mode_labels": {mode.value: _(label) for mode, label in MODE_LABELS.items()},
    })


@get("/compte/notifications")
async def preferences_page(request: Request, db: DB) -> Template:
    return _page(await _load(db, request), saved=request.query_params.get("fait") == "1")


@post("/compte/notifications")
async def preferences_form(request: Request, db: DB) -> Template | Redirect:
    values = await read_form(request)
    rows = await _load(db, request)
    choices = {row.kind: values[row.kind] for row in rows if row.kind in values}
    async with form_or_errors(values) as submitted:
        await _save(db, request, choices)
    if submitted.refused:
        return _page(rows, submitted.form, submitted.status)
    return Redirect("/compte/notifications?fait=1", status_code=303)


@get("/api/me/notifications", summary="My notification preferences: each kind of notice I may choose for, and how it comes")
async def preferences_api(request: Request, db: DB) -> list[PreferenceOut]:
    return await _load(db, request)


@put("/api/me/notifications", summary="Change how some kinds of notice come to me (at once, daily digest, none)")
async def save_preferences_api(request: Request, db: DB, data: JSONBody[PreferencesBody]) -> list[PreferenceOut]:
    return await _save(db, request, data.choices)


ROUTERS = [
    pages(preferences_page, preferences_form, guards=[account_only]),
    api("notifications", preferences_api, save_preferences_api, guards=[account_only]),
]
