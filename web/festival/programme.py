"""The departmental programme, public: pages by date, commune and category with one search form, each event's
page with schema.org JSON-LD, and the exports (iCalendar feeds, CSV for French Excel, printable PDF) and JSON API.
Every list and export reads the same filters (`filters_of`, `tournament/festival/search.py`)."""

import json
import re
from dataclasses import replace
from datetime import date, timedelta
from urllib.parse import urlencode
from itertools import groupby
from pathlib import Path
from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Template
from markupsafe import Markup

from tournament.festival.csvfiles import write_table
from tournament.festival.editions import Edition
from tournament.festival.errors import FestivalNotFound
from tournament.festival.fiches import EventFiche
from tournament.festival.programme import CalendarItem, ProgrammeEntry, calendar_items, programme, published_fiche
from tournament.festival.search import PERIODS, QUERY_LIMIT, ProgrammeFilters, fold, matcher
from tournament.festival.timing import PARIS, local_date
from tournament.libraries import Library
from web.deps import DB, Config
from web.festival.common import chosen_edition, now_of, picture_url, render
from web.festival.schemas import ProgrammeEventOut
from web.festival_messages import LABELS, message
from web.i18n import _, current_locale
from web.links import qr_svg, site_url
from web.errors import ProblemError
from web.pagination import PageNumber, Pagination
from web.pdf_cache import cached_pdf, content_key
from web.routers import api, pages
from web.schemas import from_row
from web.params import PathId, QueryId

WEB_DIR = Path(__file__).resolve().parent.parent
PRINT_CSS = WEB_DIR / "static" / "festival-print.css"
POSTER_CSS = WEB_DIR / "static" / "festival-poster.css"
PDF_VARIANT = "pdf/ua-1"
"""Tagged PDF (structure, reading order, language) for screen readers: RGAA asks for it."""
UID_DOMAIN = "xpo.mde.eure"
PAGE_SIZE = 40
"""Entries per page of the programme's lists."""
YES = ("1", "oui", "on", "true")


def uid(entry: ProgrammeEntry) -> str:
    """The slot's calendar UID: its own identity, so editing or removing another slot never moves it."""
    return f"{entry.slot.uid}@{UID_DOMAIN}"


def filters_of(request: Request) -> tuple[ProgrammeFilters, dict[str, str]]:
    """The programme filters of a query string, shared by the pages and every export, and the codes of bad ones.

    ``q`` text · ``day`` (2025-03-29 or 29/03/2025) · ``quand`` (aujourdhui, weekend) · ``commune`` · ``category``
    · ``age`` · ``gratuit`` · ``reservation`` (oui, non) · ``accessible`` · ``library``.
    """
    query, errors = request.query_params, {}
    day = None
    if raw := (query.get("day") or "").strip():
        day = _parse_day(raw)
        if day is None:
            errors["day"] = "invalid_date"
    age = None
    if raw := (query.get("age") or "").strip():
        age = int(raw) if raw.isdigit() and int(raw) <= 120 else None
        if age is None:
            errors["age"] = "invalid_age"
    library = (query.get("library") or "").strip()
    return ProgrammeFilters(
        text=(query.get("q") or "").strip()[:QUERY_LIMIT],
        day=day,
        period=query.get("quand") if query.get("quand") in PERIODS else None,
        commune=(query.get("commune") or "").strip()[:120] or None,
        category=(query.get("category") or "").strip()[:60] or None,
        age=age,
        free=(query.get("gratuit") or "").lower() in YES,
        booking={"oui": True, "non": False}.get((query.get("reservation") or "").lower()),
        accessible=(query.get("accessible") or "").lower() in YES,
        library_id=int(library) if library.isdigit() else None,
    ), errors


def _parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    parts = text.replace("-", "/").split("/")
    if len(parts) == 3 and all(part.isdigit() for part in parts):
        try:
            return date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            return None
    return None


def filter_query(request: Request, **changes: Any) -> str:
    """The current query string with some keys changed (None removes one), for links that keep the filters."""
    params = {key: value for key, value in request.query_params.items() if value}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return urlencode(params)


def event_url(base: str, fiche: EventFiche) -> str:
    return f"{base.rstrip('/')}/programme/evenements/{fiche.id}"


def full_address(fiche: EventFiche) -> str:
    return ", ".join(part for part in (fiche.place_name, fiche.place_address,
                                       f"{fiche.place_postcode} {fiche.place_commune}".strip()) if part)


PRICE = re.compile(r"(\d+(?:[.,]\d{1,2})?)\s*(?:€|euros?|EUR)", re.I)


def price_value(fiche: EventFiche) -> str | None:
    """The price as schema.org wants it (``"0"`` when free, ``"3.50"``), or None when the text gives no amount."""
    if fiche.is_free:
        return "0"
    match = PRICE.search(fiche.price)
    return match[1].replace(",", ".") if match else None


def _street(fiche: EventFiche, library: Library) -> str:
    """The fiche's street address, else the library's when the event is held in the library's own commune."""
    if fiche.place_address:
        return fiche.place_address
    same_place = not fiche.place_commune or fold(fiche.place_commune) == fold(library.commune)
    return library.address if same_place else ""


def event_jsonld(entry: ProgrammeEntry, base: str) -> dict[str, Any]:
    """A schema.org Event for one slot: search engines and agendas read it from the page."""
    fiche, library = entry.fiche, entry.library
    address = {
        "@type": "PostalAddress",
        "streetAddress": _street(fiche, library),
        "postalCode": fiche.place_postcode or (library.postcode if _street(fiche, library) == library.address else ""),
        "addressLocality": fiche.place_commune,
        "addressRegion": "Eure",
        "addressCountry": "FR",
    }
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "@id": f"{event_url(base, fiche)}#{uid(entry)}",
        "name": fiche.title,
        "description": fiche.summary,
        "startDate": entry.starts_at.isoformat(),
        "endDate": entry.ends_at.isoformat(),
        "eventStatus": "https://schema.org/EventCancelled" if fiche.cancelled else "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "inLanguage": "fr",
        "isAccessibleForFree": fiche.is_free,
        "url": event_url(base, fiche),
        "audience": {"@type": "Audience", "audienceType": fiche.audience},
        "location": {"@type": "Place", "name": fiche.place_name, "address": address},
        "organizer": {
            "@type": "Organization", "name": library.name,
            **({"email": library.email} if library.email else {}),
            **({"address": {"@type": "PostalAddress", "streetAddress": library.address, "postalCode": library.postcode,
                            "addressLocality": library.commune, "addressCountry": "FR"}} if library.address else {}),
        },
        "superEvent": {"@type": "Event", "name": "X.PO Expérience des possibles"},
    }
    if fiche.age_min is not None or fiche.age_max is not None:
        data["typicalAgeRange"] = f"{fiche.age_min if fiche.age_min is not None else ''}-{fiche.age_max if fiche.age_max is not None else ''}"
    if fiche.capacity:
        data["maximumAttendeeCapacity"] = fiche.capacity
    offer: dict[str, Any] = {"@type": "Offer", "url": event_url(base, fiche), "priceCurrency": "EUR",
                             "availability": "https://schema.org/Discontinued" if fiche.cancelled
                             else "https://schema.org/InStock"}
    if (price := price_value(fiche)) is not None:
        offer["price"] = price
    if fiche.price:
        offer["description"] = fiche.price
    data["offers"] = offer
    if fiche.picture:
        data["image"] = {"@type": "ImageObject", "url": f"{base.rstrip('/')}{picture_url(fiche)}",
                         **({"creditText": fiche.picture_credit, "copyrightNotice": fiche.picture_credit}
                            if fiche.picture_credit else {})}
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


async def _entries(
    db: DB, edition_year: int | None, filters: ProgrammeFilters | None = None, *, today: date | None = None,
    **query,
) -> tuple[Edition | None, list[ProgrammeEntry]]:
    async with db.read() as session:
        edition = await chosen_edition(session, edition_year)
        if edition is None:
            return None, []
        entries = await programme(session, edition.id, **query)
    if filters is not None:
        passes = matcher(filters, today=today or date.today(), category_label=LABELS.category)
        entries = [entry for entry in entries if passes(entry)]
    return edition, entries


def _edition_of(request: Request) -> int | None:
    raw = request.query_params.get("edition") or ""
    return int(raw) if raw.isdigit() else None


async def _filtered(request: Request, db: DB) -> tuple[Edition | None, list[ProgrammeEntry], ProgrammeFilters, dict]:
    filters, errors = filters_of(request)
    edition, entries = await _entries(db, _edition_of(request), filters, today=local_date(now_of(request)))
    return edition, entries, filters, errors


def _page(view: str, request: Request, edition: Edition | None, entries: list[ProgrammeEntry], settings,
          filters: ProgrammeFilters, errors: dict[str, str], page: int) -> Template:
    base = site_url(request)
    pagination = Pagination.of(page, PAGE_SIZE, len(entries))
    shown = entries[pagination.offset:pagination.offset + pagination.limit]
    all_communes = sorted({e.fiche.place_commune for e in entries if e.fiche.place_commune}, key=fold)
    return render(
        "programme.html", 400 if errors else 200, view=view, edition=edition, entries=shown, total=len(entries),
        days=by_day(shown), communes=by_key(shown, lambda e: e.fiche.place_commune),
        categories=by_key(shown, lambda e: LABELS.category(e.fiche.category)),
        jsonld=jsonld_script([event_jsonld(e, base) for e in shown]), filters=filters,
        filter_errors={key: message(code) for key, code in errors.items()}, values=request.query_params,
        pagination=pagination, page_path=request.url.path, page_params=dict(request.query_params),
        query=lambda **changes: filter_query(request, **changes),
        commune_options=all_communes, periods=PERIODS,
    )


@get("/programme")
async def programme_by_date(request: Request, db: DB, settings: Config, page: PageNumber = 1) -> Template:
    edition, entries, filters, errors = await _filtered(request, db)
    return _page("date", request, edition, entries, settings, filters, errors, page)


@get("/programme/communes")
async def programme_by_commune(request: Request, db: DB, settings: Config, page: PageNumber = 1) -> Template:
    edition, entries, filters, errors = await _filtered(request, db)
    entries = sorted(entries, key=lambda e: (fold(e.fiche.place_commune), e.slot.starts_at))
    return _page("commune", request, edition, entries, settings, filters, errors, page)


@get("/programme/categories")
async def programme_by_category(request: Request, db: DB, settings: Config, page: PageNumber = 1) -> Template:
    edition, entries, filters, errors = await _filtered(request, db)
    entries = sorted(entries, key=lambda e: (fold(LABELS.category(e.fiche.category)), e.slot.starts_at))
    return _page("category", request, edition, entries, settings, filters, errors, page)


@get("/programme/evenements/{fiche_id:int}")
async def programme_event(request: Request, db: DB, settings: Config, fiche_id: PathId) -> Template:
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


def icalendar_bytes(items: list[CalendarItem], name: str, base: str) -> bytes:
    """RFC 5545 calendar: one VEVENT per slot under the slot's own UID, SEQUENCE counting its changes, Paris times
    with their VTIMEZONE; a slot cancelled or removed stays as STATUS:CANCELLED (until the edition ends)."""
    from icalendar import Calendar, Event  # 35-40 ms of every start-up otherwise: imported by the first export

    calendar = Calendar()
    calendar.add("prodid", "-//Médiathèque de l'Eure//X.PO Live//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Paris")
    for item in items:
        fiche, entry = item.fiche, item.entry
        event = Event()
        event.add("uid", uid(entry))
        event.add("sequence", item.sequence)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        event.add("dtstamp", fiche.updated_at)
        event.add("last-modified", fiche.updated_at)
        event.add("dtstart", entry.starts_at)
        event.add("dtend", entry.ends_at)
        event.add("summary", f"{_('Called off')} : {fiche.title}" if item.cancelled else fiche.title)
        details = [fiche.summary, fiche.description]
        if fiche.cancelled and fiche.cancel_reason:
            details.insert(0, f"{_('Called off')} : {fiche.cancel_reason}")
        if fiche.booking_required:
            details.append(f"{_('Booking required')} : {fiche.booking_details}")
        event.add("description", "\n\n".join(part for part in details if part))
        event.add("location", full_address(fiche))
        event.add("categories", [LABELS.category(fiche.category)])
        event.add("url", event_url(base, fiche))
        event.add("organizer", f"mailto:{item.library.email}" if item.library.email else "mailto:noreply@xpo.mde.eure",
                  parameters={"CN": item.library.name})
        calendar.add_component(event)
    if items:
        first = min(i.starts_at for i in items).astimezone(PARIS).date() - timedelta(days=400)
        last = max(i.ends_at for i in items).astimezone(PARIS).date() + timedelta(days=400)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    else:
        calendar.add_missing_timezones()
    return calendar.to_ical()


def _ics_response(content: bytes, filename: str) -> Response:
    return Response(content=content, media_type="text/calendar",
                    headers={"content-disposition": f'attachment; filename="{filename}"'})


async def _feed(request: Request, db: DB, settings: Config, name: str, filename: str, **scope) -> Response:
    """A calendar feed of the chosen edition: the slots in ``scope`` that pass the query's filters."""
    filters, _errors = filters_of(request)
    today = local_date(now_of(request))
    async with db.read() as session:
        edition = await chosen_edition(session, _edition_of(request))
        items = await calendar_items(session, edition, today=today, **scope) if edition else []
    passes = matcher(filters, today=today, category_label=LABELS.category)
    items = [item for item in items if passes(item.entry)]
    year = edition.year if edition else 0
    title = f"{edition.name if edition else 'X.PO'}{' · ' + name if name else ''}"
    return _ics_response(icalendar_bytes(items, title, site_url(request)), filename.format(year=year))


@get("/programme/programme.ics")
async def programme_ics(request: Request, db: DB, settings: Config) -> Response:
    """The whole programme as a calendar; takes the programme's filters (``?commune=vernon&gratuit=1``…)."""
    return await _feed(request, db, settings, "", "xpo-{year}.ics")


@get("/programme/bibliotheques/{library_id:int}/programme.ics")
async def library_ics(request: Request, db: DB, settings: Config, library_id: PathId) -> Response:
    async with db.read() as session:
        library = await session.get(Library, library_id)
    if library is None:
        raise NotFoundException(message("unknown_library"))
    return await _feed(request, db, settings, library.name, f"xpo-{{year}}-bibliotheque-{library_id}.ics",
                       library_id=library_id)


@get("/programme/communes/{commune:str}/programme.ics")
async def commune_ics(request: Request, db: DB, settings: Config, commune: FromPath[str]) -> Response:
    """One commune's events (case and accents ignored: ``vernon``, ``Évreux`` or ``evreux``)."""
    slug = "".join(c if c.isalnum() else "-" for c in fold(commune))[:60]
    return await _feed(request, db, settings, commune, f"xpo-{{year}}-commune-{slug}.ics", commune=commune)


@get("/programme/evenements/{fiche_id:int}/evenement.ics")
async def event_ics(request: Request, db: DB, settings: Config, fiche_id: PathId) -> Response:
    """One event's calendar file: its slots (cancelled ones too, until the edition ends)."""
    async with db.read() as session:
        fiche = await session.get(EventFiche, fiche_id)
        if fiche is None or fiche.published_at is None:
            raise NotFoundException(message("unknown_fiche"))
        edition = await session.get(Edition, fiche.edition_id)
        items = await calendar_items(session, edition, today=local_date(now_of(request)), fiche_id=fiche_id)
    return _ics_response(icalendar_bytes(items, fiche.title, site_url(request)),
                         f"xpo-evenement-{fiche_id}.ics")


def csv_text(entries: list[ProgrammeEntry], base: str) -> str:
    """The programme for the communication service: one row per slot, for French Excel, in French whatever the
    downloader's language (the columns a spreadsheet expects do not change with a cookie)."""
    token = current_locale.set("fr")
    try:
        return _csv_text(entries, base)
    finally:
        current_locale.reset(token)


def _csv_text(entries: list[ProgrammeEntry], base: str) -> str:
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
async def programme_csv(request: Request, db: DB, settings: Config) -> Response:
    """The programme for a spreadsheet; takes the programme's filters."""
    chosen, entries, _filters, _errors = await _filtered(request, db)
    content = csv_text(entries, site_url(request)).encode("utf-8-sig")
    return Response(content=content, media_type="text/csv",
                    headers={"content-disposition": f'attachment; filename="xpo-{chosen.year if chosen else 0}-programme.csv"'})


def contents_by_commune(entries: list[ProgrammeEntry]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The printed table of contents: each commune's events (once each), linked to their first date."""
    contents = []
    for commune, items in by_key(entries, lambda e: e.fiche.place_commune or "—"):
        seen, events = set(), []
        for entry in items:
            if entry.fiche.id not in seen:
                seen.add(entry.fiche.id)
                events.append((f"e-{entry.slot.id}", entry.fiche.title))
        contents.append((commune, events))
    return contents


async def _pdf(request: Request, settings: Config, *, template: str, context: dict[str, Any], stylesheet_path: Path,
               name: str, filename: str) -> Response:
    """A PDF typeset by WeasyPrint as tagged PDF (PDF/UA), cached by content (`web/pdf_cache.py`), with an ETag:
    304 when the client already has this version (If-None-Match)."""
    import weasyprint
    from weasyprint import CSS, HTML

    html = request.app.template_engine.engine.get_template(template).render(labels=LABELS, print_mode=True, **context)
    base = site_url(request)
    stylesheet = stylesheet_path.read_text()
    key = content_key(html, stylesheet, base, weasyprint.__version__, PDF_VARIANT)
    etag = f'"{key}"'
    if etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(content=b"", status_code=304, headers={"etag": etag})

    def build() -> bytes:
        return HTML(string=html, base_url=base).write_pdf(
            stylesheets=[CSS(string=stylesheet, base_url=base)], pdf_variant=PDF_VARIANT, pdf_identifier=key.encode())

    content = await cached_pdf(settings.data_dir / "cache", name, key, build, request.app.state.pdf_locks)
    return Response(content=content, media_type="application/pdf", headers={
        "content-disposition": f'inline; filename="{filename}"', "etag": etag,
    })


async def _programme_pdf(request: Request, db: DB, settings: Config, *, scope: str = "", slug: str = "",
                         **narrow) -> Response:
    filters, _errors = filters_of(request)
    if narrow:
        filters = replace(filters, **narrow)
    chosen, entries = await _entries(db, _edition_of(request), filters, today=local_date(now_of(request)))
    year = chosen.year if chosen else 0
    if filters.active and not slug:
        slug = "filtre-" + content_key(filter_query(request, page=None))[:12]
    name = f"programme-{year}" + (f"-{slug}" if slug else "")
    return await _pdf(request, settings, template="festival/programme_print.html", stylesheet_path=PRINT_CSS,
                      context={"edition": chosen, "days": by_day(entries), "scope": scope,
                               "contents": contents_by_commune(entries)},
                      name=name, filename=f"xpo-{name}.pdf")


@get("/programme/programme.pdf")
async def programme_pdf(request: Request, db: DB, settings: Config) -> Response:
    """The printable programme; takes the programme's filters."""
    return await _programme_pdf(request, db, settings)


@get("/programme/bibliotheques/{library_id:int}/programme.pdf")
async def library_pdf(request: Request, db: DB, settings: Config, library_id: PathId) -> Response:
    async with db.read() as session:
        library = await session.get(Library, library_id)
    if library is None:
        raise NotFoundException(message("unknown_library"))
    return await _programme_pdf(request, db, settings, scope=library.name, slug=f"bibliotheque-{library_id}",
                                library_id=library_id)


@get("/programme/communes/{commune:str}/programme.pdf")
async def commune_pdf(request: Request, db: DB, settings: Config, commune: FromPath[str]) -> Response:
    slug = "".join(c if c.isalnum() else "-" for c in fold(commune))[:60]
    return await _programme_pdf(request, db, settings, scope=commune.strip(), slug=f"commune-{slug}", commune=commune)


@get("/programme/evenements/{fiche_id:int}/affiche.pdf")
async def poster_pdf(request: Request, db: DB, settings: Config, fiche_id: PathId) -> Response:
    """An A4 poster of one event, with a QR code to its page."""
    async with db.read() as session:
        try:
            fiche, library, slots = await published_fiche(session, fiche_id)
        except FestivalNotFound as exc:
            raise NotFoundException(message(exc.code)) from None
    url = event_url(site_url(request), fiche)
    return await _pdf(request, settings, template="festival/poster.html", stylesheet_path=POSTER_CSS,
                      context={"fiche": fiche, "library": library, "url": url,
                               "entries": [ProgrammeEntry(fiche, slot, library) for slot in slots],
                               "qr": qr_svg(url, label=_("QR code to the event's page"))},
                      name=f"affiche-{fiche_id}", filename=f"xpo-affiche-{fiche_id}.pdf")


@get("/api/festival/programme",
     summary="The published programme: one item per slot, in time order, with the programme's filters "
             "(case and accents ignored)")
async def programme_api(
    request: Request, db: DB, settings: Config, edition: QueryId = None,
    day: FromQuery[str | None] = None, commune: FromQuery[str | None] = None, category: FromQuery[str | None] = None,
    library: QueryId = None, q: FromQuery[str | None] = None, quand: FromQuery[str | None] = None,
    age: Annotated[int | None, QueryParameter(ge=0, le=120)] = None, gratuit: FromQuery[str | None] = None,
    reservation: FromQuery[str | None] = None, accessible: FromQuery[str | None] = None,
) -> list[ProgrammeEventOut]:
    _chosen, entries, _filters, errors = await _filtered(request, db)
    if errors:
        raise ProblemError(422, message("invalid"), errors={key: message(code) for key, code in errors.items()})
    base = site_url(request)
    return [
        from_row(ProgrammeEventOut, e.fiche, uid=uid(e), fiche_id=e.fiche.id, starts_at=e.starts_at.isoformat(),
                 ends_at=e.ends_at.isoformat(), library=e.library.name, url=event_url(base, e.fiche),
                 cancelled=e.fiche.cancelled)
        for e in entries
    ]


ROUTERS = [
    pages(programme_by_date, programme_by_commune, programme_by_category, programme_event, programme_ics, library_ics,
          commune_ics, event_ics, programme_csv, programme_pdf, library_pdf, commune_pdf, poster_pdf),
    api("festival", programme_api),
]
