"""The departmental programme, public: pages by date, commune and category, each event's page with
schema.org JSON-LD, and the exports (iCalendar, CSV for French Excel, printable PDF) and JSON API."""

import json
from datetime import date, timedelta
from itertools import groupby
from pathlib import Path
from typing import Any

from icalendar import Calendar, Event
from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from markupsafe import Markup

from tournament.festival.csvfiles import write_table
from tournament.festival.editions import Edition
from tournament.festival.errors import FestivalNotFound
from tournament.festival.fiches import EventFiche
from tournament.festival.programme import ProgrammeEntry, programme, published_fiche
from tournament.libraries import Library
from web.deps import DB, Config
from web.festival.common import chosen_edition, picture_url, render
from web.festival.schemas import ProgrammeEventOut
from web.festival_messages import LABELS, message
from web.i18n import _
from web.links import site_url
from web.pdf_cache import cached_pdf, content_key
from web.routers import api, pages
from web.schemas import from_row

WEB_DIR = Path(__file__).resolve().parent.parent
PRINT_CSS = WEB_DIR / "static" / "festival-print.css"
UID_DOMAIN = "xpo.mde.eure"


def uid(entry: ProgrammeEntry) -> str:
    return f"fiche-{entry.fiche.id}-slot-{entry.slot.position}@{UID_DOMAIN}"


def event_url(base: str, fiche: EventFiche) -> str:
    return f"{base.rstrip('/')}/programme/evenements/{fiche.id}"


def full_address(fiche: EventFiche) -> str:
    return ", ".join(part for part in (fiche.place_name, fiche.place_address,
                                       f"{fiche.place_postcode} {fiche.place_commune}".strip()) if part)


def event_jsonld(entry: ProgrammeEntry, base: str) -> dict[str, Any]:
    """A schema.org Event for one slot: search engines and agendas read it from the page."""
    fiche, library = entry.fiche, entry.library
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "@id": f"{event_url(base, fiche)}#{uid(entry)}",
        "name": fiche.title,
        "description": fiche.summary,
        "startDate": entry.starts_at.isoformat(),
        "endDate": entry.ends_at.isoformat(),
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "inLanguage": "fr",
        "isAccessibleForFree": fiche.is_free,
        "url": event_url(base, fiche),
        "audience": {"@type": "Audience", "audienceType": fiche.audience},
        "location": {
            "@type": "Place",
            "name": fiche.place_name,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": fiche.place_address,
                "postalCode": fiche.place_postcode,
                "addressLocality": fiche.place_commune,
                "addressRegion": "Eure",
                "addressCountry": "FR",
            },
        },
        "organizer": {"@type": "Organization", "name": library.name, **({"email": library.email} if library.email else {})},
        "superEvent": {"@type": "Event", "name": "X.PO Expérience des possibles"},
    }
    if fiche.age_min is not None or fiche.age_max is not None:
        data["typicalAgeRange"] = f"{fiche.age_min if fiche.age_min is not None else ''}-{fiche.age_max if fiche.age_max is not None else ''}"
    if fiche.capacity:
        data["maximumAttendeeCapacity"] = fiche.capacity
    if not fiche.is_free and fiche.price:
        data["offers"] = {"@type": "Offer", "description": fiche.price, "url": event_url(base, fiche)}
    if fiche.picture:
        data["image"] = f"{base.rstrip('/')}{picture_url(fiche)}"
    return data


def jsonld_script(data: Any) -> Markup:
    """The JSON-LD as a safe <script> body (`<` escaped so no text can close the tag)."""
    text = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(f'<script type="application/ld+json">{text}</script>')


def by_day(entries: list[ProgrammeEntry]) -> list[tuple[date, list[ProgrammeEntry]]]:
    return [(day, list(items)) for day, items in groupby(entries, key=lambda e: e.day)]


def by_key(entries: list[ProgrammeEntry], key) -> list[tuple[str, list[ProgrammeEntry]]]:
    ordered = sorted(entries, key=lambda e: (key(e).casefold(), e.slot.starts_at))
    return [(name, list(items)) for name, items in groupby(ordered, key=key)]


async def _entries(db: DB, edition_year: int | None, **filters) -> tuple[Edition | None, list[ProgrammeEntry]]:
    async with db.read() as session:
        edition = await chosen_edition(session, edition_year)
        if edition is None:
            return None, []
        return edition, await programme(session, edition.id, **filters)


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise NotFoundException() from None


def _page(view: str, edition: Edition | None, entries: list[ProgrammeEntry], request: Request, **extra) -> Template:
    base = site_url(request)
    return render(
        "programme.html", view=view, edition=edition, entries=entries, days=by_day(entries),
        communes=by_key(entries, lambda e: e.fiche.place_commune),
        categories=by_key(entries, lambda e: LABELS.category(e.fiche.category)),
        jsonld=jsonld_script([event_jsonld(e, base) for e in entries]), **extra,
    )


@get("/programme")
async def programme_by_date(
    request: Request, db: DB, settings: Config, edition: FromQuery[int | None] = None, day: FromQuery[str | None] = None,
    commune: FromQuery[str | None] = None, category: FromQuery[str | None] = None,
) -> Template:
    chosen, entries = await _entries(db, edition, day=_day(day), commune=commune or None, category=category or None)
    return _page("date", chosen, entries, request, filters={"day": day, "commune": commune, "category": category})


@get("/programme/communes")
async def programme_by_commune(request: Request, db: DB, settings: Config, edition: FromQuery[int | None] = None) -> Template:
    chosen, entries = await _entries(db, edition)
    return _page("commune", chosen, entries, request, filters={})


@get("/programme/categories")
async def programme_by_category(request: Request, db: DB, settings: Config, edition: FromQuery[int | None] = None) -> Template:
    chosen, entries = await _entries(db, edition)
    return _page("category", chosen, entries, request, filters={})


@get("/programme/evenements/{fiche_id:int}")
async def programme_event(request: Request, db: DB, settings: Config, fiche_id: FromPath[int]) -> Template:
    async with db.read() as session:
        try:
            fiche, library, slots = await published_fiche(session, fiche_id)
        except FestivalNotFound as exc:
            raise NotFoundException(message(exc.code)) from None
        edition = await session.get(Edition, fiche.edition_id)
    entries = [ProgrammeEntry(fiche, slot, library) for slot in slots]
    base = site_url(request)
    return render("programme_event.html", fiche=fiche, library=library, edition=edition, entries=entries,
                  picture_url=picture_url(fiche), jsonld=jsonld_script([event_jsonld(e, base) for e in entries]))


# --- Exports ----------------------------------------------------------------------------------------


def icalendar_bytes(entries: list[ProgrammeEntry], name: str, base: str) -> bytes:
    """RFC 5545 calendar: one VEVENT per slot, Paris times with their VTIMEZONE, stable UIDs."""
    calendar = Calendar()
    calendar.add("prodid", "-//Médiathèque de l'Eure//X.PO Live//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Paris")
    for entry in entries:
        fiche = entry.fiche
        event = Event()
        event.add("uid", uid(entry))
        event.add("dtstamp", fiche.updated_at)
        event.add("last-modified", fiche.updated_at)
        event.add("dtstart", entry.starts_at)
        event.add("dtend", entry.ends_at)
        event.add("summary", fiche.title)
        details = [fiche.summary, fiche.description]
        if fiche.booking_required:
            details.append(f"{_('Booking required')} : {fiche.booking_details}")
        event.add("description", "\n\n".join(part for part in details if part))
        event.add("location", full_address(fiche))
        event.add("categories", [LABELS.category(fiche.category)])
        event.add("url", event_url(base, fiche))
        event.add("organizer", f"mailto:{entry.library.email}" if entry.library.email else "mailto:noreply@xpo.mde.eure",
                  parameters={"CN": entry.library.name})
        calendar.add_component(event)
    if entries:
        first = min(e.starts_at for e in entries).date() - timedelta(days=400)
        last = max(e.ends_at for e in entries).date() + timedelta(days=400)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    else:
        calendar.add_missing_timezones()
    return calendar.to_ical()


def _ics_response(content: bytes, filename: str) -> Response:
    return Response(content=content, media_type="text/calendar; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{filename}"'})


@get("/programme/programme.ics")
async def programme_ics(request: Request, db: DB, settings: Config, edition: FromQuery[int | None] = None) -> Response:
    chosen, entries = await _entries(db, edition)
    year = chosen.year if chosen else 0
    name = chosen.name if chosen else "X.PO"
    return _ics_response(icalendar_bytes(entries, name, site_url(request)), f"xpo-{year}.ics")


@get("/programme/bibliotheques/{library_id:int}/programme.ics")
async def library_ics(request: Request, db: DB, settings: Config, library_id: FromPath[int], edition: FromQuery[int | None] = None) -> Response:
    async with db.read() as session:
        library = await session.get(Library, library_id)
    if library is None:
        raise NotFoundException(message("unknown_library"))
    chosen, entries = await _entries(db, edition, library_id=library_id)
    year = chosen.year if chosen else 0
    return _ics_response(icalendar_bytes(entries, f"X.PO · {library.name}", site_url(request)),
                         f"xpo-{year}-bibliotheque-{library_id}.ics")


def csv_text(entries: list[ProgrammeEntry], base: str) -> str:
    """The programme for the communication service: one row per slot, for French Excel."""
    yes, no = _("yes"), _("no")
    header = [
        _("Date"), _("Start"), _("End"), _("Title"), _("Short description"), _("Long description"), _("Category"),
        _("Audience"), _("Minimum age"), _("Maximum age"), _("Library"), _("Place name"), _("Address"), _("Postcode"),
        _("Commune"), _("Free"), _("Price"), _("Booking required"), _("How to book"), _("Capacity (people)"),
        _("Accessibility"), _("Picture credit"), _("Link"),
    ]
    rows = []
    for entry in entries:
        fiche = entry.fiche
        rows.append([
            entry.starts_at.strftime("%d/%m/%Y"), entry.starts_at.strftime("%H:%M"), entry.ends_at.strftime("%H:%M"),
            fiche.title, fiche.summary, fiche.description, LABELS.category(fiche.category), fiche.audience,
            fiche.age_min, fiche.age_max, entry.library.name, fiche.place_name, fiche.place_address,
            fiche.place_postcode, fiche.place_commune, yes if fiche.is_free else no, fiche.price,
            yes if fiche.booking_required else no, fiche.booking_details, fiche.capacity or "", fiche.accessibility,
            fiche.picture_credit, event_url(base, fiche),
        ])
    return write_table(header, rows)


@get("/programme/programme.csv")
async def programme_csv(request: Request, db: DB, settings: Config, edition: FromQuery[int | None] = None) -> Response:
    chosen, entries = await _entries(db, edition)
    content = csv_text(entries, site_url(request)).encode("utf-8-sig")
    return Response(content=content, media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="xpo-{chosen.year if chosen else 0}-programme.csv"'})


@get("/programme/programme.pdf")
async def programme_pdf(request: Request, db: DB, settings: Config, edition: FromQuery[int | None] = None) -> Response:
    """The printable programme, typeset again only when its content changed (`web/pdf_cache.py`)."""
    import weasyprint
    from weasyprint import CSS, HTML

    chosen, entries = await _entries(db, edition)
    template = request.app.template_engine.engine.get_template("festival/programme_print.html")
    html = template.render(edition=chosen, days=by_day(entries), labels=LABELS, print_mode=True)
    base = site_url(request)
    stylesheet = PRINT_CSS.read_text()
    year = chosen.year if chosen else 0

    def build() -> bytes:
        return HTML(string=html, base_url=base).write_pdf(stylesheets=[CSS(string=stylesheet, base_url=base)])

    key = content_key(html, stylesheet, base, weasyprint.__version__)
    content = await cached_pdf(settings.data_dir / "cache", f"programme-{year}", key, build, request.app.state.pdf_locks)
    return Response(content=content, media_type="application/pdf", headers={
        "content-disposition": f'inline; filename="xpo-{year}-programme.pdf"', "etag": f'"{key}"',
    })


@get("/api/festival/programme",
     summary="The published programme: one item per slot, in time order (filter by day, commune, category, library)")
async def programme_api(
    request: Request, db: DB, settings: Config, edition: FromQuery[int | None] = None, day: FromQuery[date | None] = None,
    commune: FromQuery[str | None] = None, category: FromQuery[str | None] = None, library: FromQuery[int | None] = None,
) -> list[ProgrammeEventOut]:
    _chosen, entries = await _entries(db, edition, day=day, commune=commune or None, category=category or None,
                                      library_id=library)
    base = site_url(request)
    return [
        from_row(ProgrammeEventOut, e.fiche, uid=uid(e), fiche_id=e.fiche.id, starts_at=e.starts_at.isoformat(),
                 ends_at=e.ends_at.isoformat(), library=e.library.name, url=event_url(base, e.fiche))
        for e in entries
    ]


ROUTERS = [
    pages(programme_by_date, programme_by_commune, programme_by_category, programme_event, programme_ics, library_ics,
          programme_csv, programme_pdf),
    api("festival", programme_api),
]
