"""Account administration by MDE staff: list, create, disable and enable accounts; pages and JSON twins."""

from litestar import Request, get, post
from litestar.params import FromQuery, JSONBody
from litestar.response import Redirect, Template

from tournament.account_links import invite_account
from tournament.accounts import Account, Role, create_account, list_accounts, set_active
from tournament.libraries import list_libraries
from web.accounts.schemas import AccountIn, AccountInvite, AccountOut
from web.auth import actor_of, staff_only
from web.deps import DB
from web.forms import FormState, form_or_errors, read_form
from web.i18n import N_, _
from web.messages import message, word
from web.routers import api, pages
from web.params import PathId

word("accounts", 
    {
        "cannot_disable_self": N_("You cannot disable your own account: ask another MDE staff member."),
        "unknown_account": N_("This account does not exist."),
    }
)

NOTICES = {
    "cree": N_("The account has been created. Give its holder their password in person."),
    "invite": N_("The account has been created: its holder has been mailed a link, valid 72 hours, to choose their password."),
    "desactive": N_("The account has been disabled: its sessions have ended."),
    "active": N_("The account has been enabled."),
}


async def _page(request: Request, db: DB, form: FormState, *, notice: str = "", status_code: int = 200) -> Template:
    async with db.read() as session:
        accounts = await list_accounts(session, actor=actor_of(request))
        libraries = await list_libraries(session)
    return Template(
        "admin/accounts.html",
        context={
            "accounts": accounts,
            "libraries": libraries,
            "library_names": {library.id: library.name for library in libraries},
            "library_options": [(library.id, library.name) for library in libraries],
            "form": form,
            "notice": notice,
        },
        status_code=status_code,
    )


def _parse_account_form(data: dict[str, str]) -> tuple[Role | None, int | None, FormState]:
    """The role and library chosen in the form, with field errors for values that are not in the lists."""
    form = FormState(values={key: data.get(key, "") for key in ("display_name", "email", "role", "library_id")})
    role = next((role for role in Role if role.value == data.get("role")), None)
    if role is None:
        form.errors["role"] = message("invalid_role")
    library_id = None
    if role is Role.LIBRARIAN and data.get("library_id"):
        try:
            library_id = int(data["library_id"])
        except ValueError:
            form.errors["library_id"] = message("unknown_library")
    return role, library_id, form


@get("/admin/comptes")
async def accounts_page(request: Request, db: DB, fait: FromQuery[str | None] = None) -> Template:
    notice = _(NOTICES[fait]) if fait in NOTICES else ""
    return await _page(request, db, FormState(values={"role": Role.LIBRARIAN.value}), notice=notice)


@post("/admin/comptes")
async def create_account_form(request: Request, db: DB) -> Template | Redirect:
    data = await read_form(request)
    role, library_id, form = _parse_account_form(data)
    async with form_or_errors(form) as submitted:
        if form.ok:
            async with db.write() as session:
                if data.get("password"):
                    await create_account(
                        session, email=data.get("email", ""), display_name=data.get("display_name", ""),
                        password=data.get("password", ""), role=role, library_id=library_id, actor=actor_of(request),
                    )
                else:
                    await invite_account(
                        session, email=data.get("email", ""), display_name=data.get("display_name", ""),
                        role=role, library_id=library_id, actor=actor_of(request),
                    )
    if submitted.refused:
        return await _page(request, db, submitted.form, status_code=submitted.status)
    return Redirect("/admin/comptes?fait=" + ("cree" if data.get("password") else "invite"), status_code=303)


async def _set_active(request: Request, db: DB, account_id: int, active: bool) -> Account:
    async with db.write() as session:
        return await set_active(session, account_id=account_id, active=active, actor=actor_of(request))


@post("/admin/comptes/{account_id:int}/desactiver")
async def disable_account_form(request: Request, db: DB, account_id: PathId) -> Redirect:
    await _set_active(request, db, account_id, False)
    return Redirect("/admin/comptes?fait=desactive", status_code=303)


@post("/admin/comptes/{account_id:int}/activer")
async def enable_account_form(request: Request, db: DB, account_id: PathId) -> Redirect:
    await _set_active(request, db, account_id, True)
    return Redirect("/admin/comptes?fait=active", status_code=303)


@get("/api/accounts", summary="Every account (MDE staff)")
async def list_accounts_api(request: Request, db: DB) -> list[AccountOut]:
    async with db.read() as session:
        return [AccountOut.of(account) for account in await list_accounts(session, actor=actor_of(request))]


@post("/api/accounts", summary="Create an account (MDE staff)")
async def create_account_api(request: Request, db: DB, data: JSONBody[AccountIn]) -> AccountOut:
    async with db.write() as session:
        account = await create_account(
            session, email=data.email, display_name=data.display_name, password=data.password, role=data.role,
            library_id=data.library_id, actor=actor_of(request),
        )
    return AccountOut.of(account)


@post("/api/accounts/invite", summary="Invite someone: create the account and mail a 72 h link to choose a password (MDE staff)")
async def invite_account_api(request: Request, db: DB, data: JSONBody[AccountInvite]) -> AccountOut:
    async with db.write() as session:
        account = await invite_account(
            session, email=data.email, display_name=data.display_name, role=data.role, library_id=data.library_id,
            actor=actor_of(request),
        )
    return AccountOut.of(account)


@post("/api/accounts/{account_id:int}/disable", status_code=200,
      summary="Disable an account and end its sessions (MDE staff; not your own)")
async def disable_account_api(request: Request, db: DB, account_id: PathId) -> AccountOut:
    return AccountOut.of(await _set_active(request, db, account_id, False))


@post("/api/accounts/{account_id:int}/enable", status_code=200, summary="Enable a disabled account (MDE staff)")
async def enable_account_api(request: Request, db: DB, account_id: PathId) -> AccountOut:
    return AccountOut.of(await _set_active(request, db, account_id, True))


ROUTERS = [
    pages(accounts_page, create_account_form, disable_account_form, enable_account_form, guards=[staff_only]),
    api("accounts", list_accounts_api, create_account_api, invite_account_api, disable_account_api, enable_account_api,
        guards=[staff_only]),
]
