"""Account administration by MDE staff: list, create, disable and enable accounts; pages and JSON twins."""

from dataclasses import dataclass
from datetime import datetime

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template

from tournament.accounts import Account, AccountError, Role, create_account, list_accounts, set_active
from tournament.libraries import list_libraries
from web.auth import actor_of, staff_only
from web.deps import DB
from web.errors import REFUSAL_STATUS
from web.forms import FormState, read_form, show_refusal
from web.i18n import N_, _
from web.messages import MESSAGES, message

MESSAGES.update(
    {
        "cannot_disable_self": N_("You cannot disable your own account: ask another MDE staff member."),
        "unknown_account": N_("This account does not exist."),
        "too_long": N_("This text is too long."),
        "forbidden": N_("You are not allowed to do this."),
    }
)
REFUSAL_STATUS.update({"cannot_disable_self": 409, "unknown_account": 404})

NOTICES = {
    "cree": N_("The account has been created. Give its holder their password in person."),
    "desactive": N_("The account has been disabled: its sessions have ended."),
    "active": N_("The account has been enabled."),
}


@dataclass
class AccountIn:
    email: str
    display_name: str
    password: str
    """The first password, handed over in person (at least 10 characters)."""
    role: Role
    library_id: int | None = None
    """Required for a librarian, ignored otherwise."""


@dataclass
class AccountOut:
    id: int
    email: str
    display_name: str
    role: Role
    library_id: int | None
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, account: Account) -> "AccountOut":
        return cls(
            id=account.id,
            email=account.email,
            display_name=account.display_name,
            role=Role(account.role),
            library_id=account.library_id,
            is_active=account.is_active,
            created_at=account.created_at,
            last_login_at=account.last_login_at,
        )


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


@get("/admin/comptes", include_in_schema=False, guards=[staff_only])
async def accounts_page(request: Request, db: DB, fait: FromQuery[str | None] = None) -> Template:
    notice = _(NOTICES[fait]) if fait in NOTICES else ""
    return await _page(request, db, FormState(values={"role": Role.LIBRARIAN.value}), notice=notice)


@post("/admin/comptes", include_in_schema=False, guards=[staff_only])
async def create_account_form(request: Request, db: DB) -> Template | Redirect:
    data = await read_form(request)
    role, library_id, form = _parse_account_form(data)
    if form.ok:
        try:
            async with db.write() as session:
                await create_account(
                    session,
                    email=data.get("email", ""),
                    display_name=data.get("display_name", ""),
                    password=data.get("password", ""),
                    role=role,
                    library_id=library_id,
                    actor=actor_of(request),
                )
        except AccountError as exc:
            show_refusal(form, exc)
    if not form.ok:
        return await _page(request, db, form, status_code=400)
    return Redirect("/admin/comptes?fait=cree", status_code=303)


async def _set_active(request: Request, db: DB, account_id: int, active: bool) -> Account:
    async with db.write() as session:
        return await set_active(session, account_id=account_id, active=active, actor=actor_of(request))


@post("/admin/comptes/{account_id:int}/desactiver", include_in_schema=False, guards=[staff_only])
async def disable_account_form(request: Request, db: DB, account_id: FromPath[int]) -> Redirect:
    await _set_active(request, db, account_id, False)
    return Redirect("/admin/comptes?fait=desactive", status_code=303)


@post("/admin/comptes/{account_id:int}/activer", include_in_schema=False, guards=[staff_only])
async def enable_account_form(request: Request, db: DB, account_id: FromPath[int]) -> Redirect:
    await _set_active(request, db, account_id, True)
    return Redirect("/admin/comptes?fait=active", status_code=303)


@get("/api/accounts", tags=["accounts"], summary="Every account (MDE staff)", guards=[staff_only])
async def list_accounts_api(request: Request, db: DB) -> list[AccountOut]:
    async with db.read() as session:
        return [AccountOut.of(account) for account in await list_accounts(session, actor=actor_of(request))]


@post("/api/accounts", tags=["accounts"], summary="Create an account (MDE staff)", guards=[staff_only])
async def create_account_api(request: Request, db: DB, data: JSONBody[AccountIn]) -> AccountOut:
    async with db.write() as session:
        account = await create_account(
            session,
            email=data.email,
            display_name=data.display_name,
            password=data.password,
            role=data.role,
            library_id=data.library_id,
            actor=actor_of(request),
        )
    return AccountOut.of(account)


@post(
    "/api/accounts/{account_id:int}/disable",
    tags=["accounts"],
    summary="Disable an account and end its sessions (MDE staff; not your own)",
    guards=[staff_only],
    status_code=200,
)
async def disable_account_api(request: Request, db: DB, account_id: FromPath[int]) -> AccountOut:
    return AccountOut.of(await _set_active(request, db, account_id, False))


@post(
    "/api/accounts/{account_id:int}/enable",
    tags=["accounts"],
    summary="Enable a disabled account (MDE staff)",
    guards=[staff_only],
    status_code=200,
)
async def enable_account_api(request: Request, db: DB, account_id: FromPath[int]) -> AccountOut:
    return AccountOut.of(await _set_active(request, db, account_id, True))


ROUTES = [
    accounts_page,
    create_account_form,
    disable_account_form,
    enable_account_form,
    list_accounts_api,
    create_account_api,
    disable_account_api,
    enable_account_api,
]
