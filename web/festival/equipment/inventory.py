"""The equipment inventory: items and kits, kept by MDE staff; pages under `/admin/materiel`, JSON twins under
`/api/festival/equipment`."""

from typing import Any

from litestar import Request, get, post, put
from litestar.exceptions import NotFoundException
from litestar.params import JSONBody
from litestar.response import Redirect, Template

from tournament.festival.equipment import EquipmentItem, ItemInput, list_items, list_kits, save_item, save_kit
from tournament.festival.errors import FestivalError
from web.auth import account_only, staff_only
from web.deps import DB
from web.festival.common import actor_or_401, read_int
from web.festival.equipment.common import page
from web.festival.equipment.schemas import ItemOut, KitBody, KitOut
from web.festival_messages import message
from web.forms import FormState, form_or_errors, read_form
from web.routers import api, pages
from web.schemas import from_row
from web.params import PathId

API = "/api/festival/equipment"


def _kit_options(kits: list) -> list[tuple[str, str]]:
    return [(str(kit.id), kit.name) for kit in kits]


async def _inventory_context(
    db: DB, item_form: FormState | None = None, kit_form: FormState | None = None
) -> dict[str, Any]:
    async with db.read() as session:
        items = await list_items(session, include_retired=True)
        kits = await list_kits(session)
    return {"items": items, "kits": kits, "kit_names": {kit.id: kit.name for kit in kits},
            "kit_options": _kit_options(kits),
            "item_form": item_form or FormState(values={"kind": "console", "condition": "good", "is_active": "on"}),
            "kit_form": kit_form or FormState()}


async def _item_page(db: DB, item_id: int, form: FormState | None = None, status_code: int = 200) -> Template:
    async with db.read() as session:
        item = await session.get(EquipmentItem, item_id)
        kits = await list_kits(session)
    if item is None:
        raise NotFoundException(message("unknown_item"))
    return page("item_form.html", status_code, item=item, kit_options=_kit_options(kits),
                form=form or FormState(values=_item_values(item)))


@get("/admin/materiel")
async def inventory_page(db: DB) -> Template:
    return page("inventory.html", **await _inventory_context(db))


def _item_input(values: dict[str, str]) -> ItemInput:
    errors: dict[str, str] = {}
    kit_id = read_int(values, "kit_id", errors)
    if errors:
        raise FestivalError("invalid", errors=errors)
    return ItemInput(kind=values.get("kind", ""), label=values.get("label", ""),
                     serial_number=values.get("serial_number", ""), kit_id=kit_id,
                     condition=values.get("condition", ""), condition_notes=values.get("condition_notes", ""),
                     storage_place=values.get("storage_place", ""),
                     is_active=values.get("is_active") in ("on", "true", "1"))


@post("/admin/materiel/objets")
async def item_submit(request: Request, db: DB) -> Template | Redirect:
    values = await read_form(request)
    async with form_or_errors(values) as submitted:
        data = _item_input(values)
        async with db.write() as session:
            await save_item(session, data=data, actor=actor_or_401(request))
    if submitted.refused:
        return page("inventory.html", submitted.status, **await _inventory_context(db, item_form=submitted.form))
    return Redirect("/admin/materiel#inventaire")


def _item_values(item: EquipmentItem) -> dict[str, str]:
    return {"kind": item.kind, "label": item.label, "serial_number": item.serial_number,
            "kit_id": str(item.kit_id or ""), "condition": item.condition, "condition_notes": item.condition_notes,
            "storage_place": item.storage_place, "is_active": "on" if item.is_active else ""}


@get("/admin/materiel/objets/{item_id:int}")
async def item_page(db: DB, item_id: PathId) -> Template:
    return await _item_page(db, item_id)


@post("/admin/materiel/objets/{item_id:int}")
async def item_update(request: Request, db: DB, item_id: PathId) -> Template | Redirect:
    values = await read_form(request)
    async with form_or_errors(values) as submitted:
        data = _item_input(values)
        async with db.write() as session:
            await save_item(session, data=data, actor=actor_or_401(request), item_id=item_id)
    if submitted.refused:
        return await _item_page(db, item_id, submitted.form, submitted.status)
    return Redirect("/admin/materiel#inventaire")


@post("/admin/materiel/malles")
async def kit_submit(request: Request, db: DB) -> Template | Redirect:
    values = await read_form(request)
    async with form_or_errors(values) as submitted:
        async with db.write() as session:
            await save_kit(session, name=values.get("name", ""), description=values.get("description", ""),
                           actor=actor_or_401(request))
    if submitted.refused:
        return page("inventory.html", submitted.status, **await _inventory_context(db, kit_form=submitted.form))
    return Redirect("/admin/materiel#malles")


# --- JSON API -------------------------------------------------------------------------------------


@get(API + "/items", summary="The inventory (retired items too)")
async def items_api(db: DB) -> list[ItemOut]:
    async with db.read() as session:
        return [from_row(ItemOut, item) for item in await list_items(session, include_retired=True)]


@post(API + "/items", guards=[staff_only], summary="Add an item (MDE staff)")
async def create_item_api(request: Request, db: DB, data: JSONBody[ItemInput]) -> ItemOut:
    async with db.write() as session:
        return from_row(ItemOut, await save_item(session, data=data, actor=actor_or_401(request)))


@put(API + "/items/{item_id:int}", summary="Change an item: label, kit, state, storage place, retired (MDE staff)")
async def update_item_api(request: Request, db: DB, item_id: PathId, data: JSONBody[ItemInput]) -> ItemOut:
    async with db.write() as session:
        return from_row(ItemOut, await save_item(session, data=data, actor=actor_or_401(request), item_id=item_id))


async def _kits_out(session) -> list[KitOut]:
    items = await list_items(session)
    return [from_row(KitOut, kit, item_ids=[item.id for item in items if item.kit_id == kit.id])
            for kit in await list_kits(session)]


@get(API + "/kits", summary="Kits and the items in each")
async def kits_api(db: DB) -> list[KitOut]:
    async with db.read() as session:
        return await _kits_out(session)


@post(API + "/kits", guards=[staff_only], summary="Add a kit (MDE staff)")
async def create_kit_api(request: Request, db: DB, data: JSONBody[KitBody]) -> KitOut:
    async with db.write() as session:
        kit = await save_kit(session, name=data.name, description=data.description, actor=actor_or_401(request))
        return next(k for k in await _kits_out(session) if k.id == kit.id)


ROUTERS = [
    pages(inventory_page, item_submit, item_page, item_update, kit_submit, guards=[staff_only]),
    # Accounts read the inventory; adding to it shares those URLs, so those writes carry the staff guard themselves.
    api("festival equipment", items_api, create_item_api, kits_api, create_kit_api, guards=[account_only]),
    api("festival equipment", update_item_api, guards=[staff_only]),
]
