"""The catalogue of ready-made animations, kept by MDE staff: providers, the windows in which they can come, and
the animations they offer. Pages under `/admin/festival/{year}/animations`, JSON twins under `/api/festival/…`."""

from typing import Any

from litestar import Request, delete, get, post, put
from litestar.params import JSONBody
from litestar.response import Redirect, Template

from tournament.festival.catalogue import (
    AnimationInput,
    Provider,
    ProviderInput,
    ReadyMadeAnimation,
    add_availability,
    availability_of,
    list_catalogue,
    list_providers,
    load_animation,
    remove_availability,
    save_animation,
    save_provider,
)
from tournament.festival.editions import Edition
from tournament.festival.errors import FestivalError
from tournament.festival.fiches import SlotInput
from tournament.festival.money import euros_input, parse_euros
from tournament.refusals import Status
from web.auth import staff_only
from web.deps import DB
from web.festival.allocation.common import page
from web.festival.allocation.schemas import AnimationOut, ProviderOut, WindowOut
from web.festival.common import actor_or_401, edition_or_404, read_int
from web.forms import FormState, form_or_errors, read_form
from web.routers import api, pages
from web.schemas import from_row
from web.params import PathId, PathYear

CATALOGUE_PAGE = "/admin/festival/{year:int}/animations"
PROVIDER_FIELDS = ("name", "kind", "contact_name", "email", "phone", "notes")


async def _catalogue_context(db: DB, year: int) -> dict[str, Any]:
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        providers = await list_providers(session)
        windows: dict[int, list] = {}
        for availability in await availability_of(session, edition.id):
            windows.setdefault(availability.provider_id, []).append(availability)
        catalogue = await list_catalogue(session, edition.id)
    return {"edition": edition, "providers": providers, "windows": windows, "catalogue": catalogue,
            "provider_form": FormState(values={"kind": "external"}), "availability_form": FormState(),
            "animation_form": FormState(values={"duration": "120"}), "availability_provider": None}


async def _catalogue_again(db: DB, year: int, status: int, **forms: Any) -> Template:
    """The catalogue page again, with the refused form (``provider_form``, ``animation_form``…) in place."""
    return page("catalogue.html", status, **{**await _catalogue_context(db, year), **forms})


@get(CATALOGUE_PAGE)
async def catalogue_page(db: DB, year: PathYear) -> Template:
    return page("catalogue.html", **await _catalogue_context(db, year))


@post(CATALOGUE_PAGE + "/prestataires")
async def provider_submit(request: Request, db: DB, year: PathYear) -> Template | Redirect:
    values = await read_form(request)
    async with form_or_errors(values) as submitted:
        async with db.write() as session:
            await save_provider(session, data=ProviderInput(**{k: values.get(k, "") for k in PROVIDER_FIELDS}),
                                actor=actor_or_401(request))
    if submitted.refused:
        return await _catalogue_again(db, year, submitted.status, provider_form=submitted.form)
    return Redirect(f"/admin/festival/{year}/animations#prestataires")


@post(CATALOGUE_PAGE + "/prestataires/{provider_id:int}/disponibilites")
async def availability_submit(
    request: Request, db: DB, year: PathYear, provider_id: PathId
) -> Template | Redirect:
    values = await read_form(request)
    slot = SlotInput(date=values.get("date", ""), start=values.get("start", ""), end=values.get("end", ""))
    async with form_or_errors(values) as submitted:
        async with db.write() as session:
            edition = await edition_or_404(session, year)
            await add_availability(session, edition=edition, provider_id=provider_id, slot=slot,
                                   actor=actor_or_401(request))
    if submitted.refused:
        return await _catalogue_again(db, year, submitted.status, availability_form=submitted.form,
                                      availability_provider=provider_id)
    return Redirect(f"/admin/festival/{year}/animations#prestataire-{provider_id}")


@post(CATALOGUE_PAGE + "/disponibilites/{availability_id:int}/supprimer")
async def availability_remove(
    request: Request, db: DB, year: PathYear, availability_id: PathId
) -> Redirect:
    try:
        async with db.write() as session:
            await remove_availability(session, availability_id=availability_id, actor=actor_or_401(request))
    except FestivalError as exc:
        if exc.status in (Status.FORBIDDEN, Status.NOT_FOUND):
            raise
    return Redirect(f"/admin/festival/{year}/animations#prestataires")


def _animation_input(values: dict[str, str]) -> AnimationInput:
    errors: dict[str, str] = {}
    provider_id = read_int(values, "provider_id", errors)
    duration = read_int(values, "duration", errors)
    sessions = read_int(values, "sessions", errors)
    cost = parse_euros(values.get("cost", "") or "0")
    if cost is None:
        errors["cost"] = "invalid_amount"
    if "duration" in errors:
        errors["duration"] = "invalid_duration"
    if errors:
        raise FestivalError("invalid", errors=errors)
    return AnimationInput(
        provider_id=provider_id or 0, title=values.get("title", ""), description=values.get("description", ""),
        duration_minutes=duration or 0, audience=values.get("audience", ""), cost_cents=cost or 0,
        material_needs=values.get("material_needs", ""), sessions=sessions,
        is_offered=values.get("is_offered") in ("on", "true", "1"),
    )


def _animation_fields(errors: dict[str, str]) -> dict[str, str]:
    """Field names of the form (duration, cost) for the service's (duration_minutes, cost_cents)."""
    renamed = {"duration_minutes": "duration", "cost_cents": "cost"}
    return {renamed.get(k, k): v for k, v in errors.items()}


@post(CATALOGUE_PAGE)
async def animation_submit(request: Request, db: DB, year: PathYear) -> Template | Redirect:
    values = await read_form(request)
    async with form_or_errors(values, fields=_animation_fields) as submitted:
        data = _animation_input(values)
        data.is_offered = True
        async with db.write() as session:
            edition = await edition_or_404(session, year)
            await save_animation(session, edition=edition, data=data, actor=actor_or_401(request))
    if submitted.refused:
        return await _catalogue_again(db, year, submitted.status, animation_form=submitted.form)
    return Redirect(f"/admin/festival/{year}/animations#catalogue")


def _animation_values(animation: ReadyMadeAnimation) -> dict[str, str]:
    return {"provider_id": str(animation.provider_id), "title": animation.title, "description": animation.description,
            "duration": str(animation.duration_minutes), "audience": animation.audience,
            "cost": euros_input(animation.cost_cents), "material_needs": animation.material_needs,
            "sessions": "" if animation.sessions is None else str(animation.sessions),
            "is_offered": "on" if animation.is_offered else ""}


async def _animation_page(db: DB, year: int, animation_id: int, form: FormState | None = None,
                          status_code: int = 200) -> Template:
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        animation = await load_animation(session, animation_id)
        providers = await list_providers(session)
    return page("animation_form.html", status_code, edition=edition, animation=animation, providers=providers,
                form=form or FormState(values=_animation_values(animation)))


@get(CATALOGUE_PAGE + "/{animation_id:int}")
async def animation_page(db: DB, year: PathYear, animation_id: PathId) -> Template:
    return await _animation_page(db, year, animation_id)


@post(CATALOGUE_PAGE + "/{animation_id:int}")
async def animation_update(
    request: Request, db: DB, year: PathYear, animation_id: PathId
) -> Template | Redirect:
    values = await read_form(request)
    async with form_or_errors(values, fields=_animation_fields) as submitted:
        data = _animation_input(values)
        async with db.write() as session:
            edition = await edition_or_404(session, year)
            await save_animation(session, edition=edition, data=data, actor=actor_or_401(request),
                                 animation_id=animation_id)
    if submitted.refused:
        return await _animation_page(db, year, animation_id, submitted.form, submitted.status)
    return Redirect(f"/admin/festival/{year}/animations#catalogue")


# --- JSON API -------------------------------------------------------------------------------------


async def _provider_out(session, provider: Provider, edition: Edition | None) -> ProviderOut:
    windows = await availability_of(session, edition.id, provider.id) if edition else []
    return from_row(ProviderOut, provider, availability=[WindowOut.of(w.starts_at, w.ends_at, w.id) for w in windows])


@get("/api/festival/editions/{year:int}/animations", summary="The catalogue of ready-made animations of an edition")
async def catalogue_api(db: DB, year: PathYear) -> list[AnimationOut]:
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        return [AnimationOut.of(a, p) for a, p in await list_catalogue(session, edition.id)]


@post("/api/festival/editions/{year:int}/animations", guards=[staff_only],
      summary="Add an animation to the catalogue (MDE staff)")
async def create_animation_api(
    request: Request, db: DB, year: PathYear, data: JSONBody[AnimationInput]
) -> AnimationOut:
    async with db.write() as session:
        edition = await edition_or_404(session, year)
        animation = await save_animation(session, edition=edition, data=data, actor=actor_or_401(request))
        return AnimationOut.of(animation, await session.get(Provider, animation.provider_id))


@put("/api/festival/editions/{year:int}/animations/{animation_id:int}",
     summary="Change a catalogue animation, or withdraw it (is_offered false) (MDE staff)")
async def update_animation_api(request: Request, db: DB, year: PathYear, animation_id: PathId,
                               data: JSONBody[AnimationInput]) -> AnimationOut:
    async with db.write() as session:
        edition = await edition_or_404(session, year)
        animation = await save_animation(session, edition=edition, data=data, actor=actor_or_401(request),
                                         animation_id=animation_id)
        return AnimationOut.of(animation, await session.get(Provider, animation.provider_id))


@get("/api/festival/editions/{year:int}/providers",
     summary="Providers, with their availability during the edition (MDE staff)")
async def providers_api(db: DB, year: PathYear) -> list[ProviderOut]:
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        return [await _provider_out(session, p, edition) for p in await list_providers(session)]


@post("/api/festival/providers", summary="Add a provider (MDE staff)")
async def create_provider_api(request: Request, db: DB, data: JSONBody[ProviderInput]) -> ProviderOut:
    async with db.write() as session:
        provider = await save_provider(session, data=data, actor=actor_or_401(request))
        return await _provider_out(session, provider, None)


@post("/api/festival/editions/{year:int}/providers/{provider_id:int}/availability",
      summary="Add a window in which the provider can come (MDE staff)")
async def add_availability_api(request: Request, db: DB, year: PathYear, provider_id: PathId,
                               data: JSONBody[SlotInput]) -> ProviderOut:
    async with db.write() as session:
        edition = await edition_or_404(session, year)
        await add_availability(session, edition=edition, provider_id=provider_id, slot=data,
                               actor=actor_or_401(request))
        return await _provider_out(session, await session.get(Provider, provider_id), edition)


@delete("/api/festival/availability/{availability_id:int}", summary="Remove a provider's window (MDE staff)")
async def remove_availability_api(request: Request, db: DB, availability_id: PathId) -> None:
    async with db.write() as session:
        await remove_availability(session, availability_id=availability_id, actor=actor_or_401(request))


ROUTERS = [
    pages(catalogue_page, provider_submit, availability_submit, availability_remove, animation_submit, animation_page,
          animation_update, guards=[staff_only]),
    # Anyone reads the catalogue; adding to it shares that URL, so that write carries the staff guard itself.
    api("festival allocation", catalogue_api, create_animation_api),
    api("festival allocation", update_animation_api, providers_api, create_provider_api, add_availability_api,
        remove_availability_api, guards=[staff_only]),
]
