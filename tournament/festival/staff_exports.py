"""MDE staff's exports: registrations, professional-day attendees (and the sign-in sheet), loans, the equipment
schedule, and the allocation and funding per library. Each is one ``Sheet``: the web layer writes it as CSV for
French Excel (``csvfiles.write_table``) and as a printable page, from the same rows.

Headers and values are French whatever the reader's language: the files go to colleagues, printers and
spreadsheets that expect the same columns every time.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import policies
from tournament.audit import Actor
from tournament.festival.allocation import format_euros
from tournament.festival.allocation_runs import DecisionKind, latest_run, run_decisions
from tournament.festival.animation_requests import list_requests
from tournament.festival.editions import Edition
from tournament.festival.equipment import EquipmentItem, Loan, LoanItem, list_loans
from tournament.festival.errors import FestivalForbidden, FestivalNotFound
from tournament.festival.funding import list_funding_requests
from tournament.festival.proday import ProRegistration, ProSession
from tournament.festival.registrations import list_registrations
from tournament.festival.timing import PARIS
from tournament.libraries import Library

YES, NO = "oui", "non"
SEAT = {"confirmed": "confirmée", "waiting": "liste d'attente", "cancelled": "annulée"}
STAFF_STATUS = {"employee": "salarié·e", "volunteer": "bénévole"}
LOAN_STATUS = {"requested": "demandé", "approved": "accepté", "refused": "refusé", "cancelled": "annulé",
               "checked_out": "sorti", "returned": "rendu"}
ITEM_KIND = {"console": "console", "robot": "robot", "tablet": "tablette", "vr_headset": "casque de réalité virtuelle"}


@dataclass(frozen=True)
class Sheet:
    """One export: a title, French column headers and rows of plain values."""

    title: str
    header: list[str]
    rows: list[list[object]]
    groups: list[tuple[str, list[list[object]]]] | None = None
    """For printable sheets cut in sections (the sign-in sheet: one per session)."""


def _flag(value: bool) -> str:
    return YES if value else NO


def _day(moment: date | datetime) -> str:
    return (moment.astimezone(PARIS) if isinstance(moment, datetime) else moment).strftime("%d/%m/%Y")


def _time(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%H:%M")


async def registrations_sheet(session: AsyncSession, edition: Edition) -> Sheet:
    rows = [
        [library.name, library.commune, r.contact_name, r.contact_email, r.contact_phone, _flag(r.wants_tournament),
         _flag(r.wants_ready_made_animation), _flag(r.wants_funding), _flag(r.wants_equipment),
         _flag(r.attends_professional_day), _flag(r.late), _day(r.created_at), r.comments]
        for r, library in await list_registrations(session, edition.id)
    ]
    return Sheet(f"Inscriptions · {edition.name}", [
        "Bibliothèque", "Commune", "Contact", "Courriel", "Téléphone", "Tournoi", "Animation clé en main",
        "Financement", "Matériel", "Journée professionnelle", "Hors délai", "Inscrite le", "Commentaires",
    ], rows)


async def _attendees(session: AsyncSession, edition: Edition) -> list[tuple[ProSession, ProRegistration, Library]]:
    result = await session.exec(
        select(ProSession, ProRegistration, Library)
        .join(ProRegistration, ProRegistration.session_id == ProSession.id)
        .join(Library, Library.id == ProRegistration.library_id)
        .where(ProSession.edition_id == edition.id)
        .order_by(ProSession.starts_at, ProSession.id, ProRegistration.created_at, ProRegistration.id)
    )
    return list(result.all())


async def attendees_sheet(session: AsyncSession, edition: Edition) -> Sheet:
    rows = [
        [s.title, _day(s.starts_at), _time(s.starts_at), _time(s.ends_at), s.place, r.name, r.email, library.name,
         STAFF_STATUS.get(r.staff_status, r.staff_status), SEAT.get(r.state, r.state)]
        for s, r, library in await _attendees(session, edition)
    ]
    return Sheet(f"Journée professionnelle : inscrits · {edition.name}", [
        "Séance", "Date", "Début", "Fin", "Lieu", "Nom", "Courriel", "Bibliothèque", "Statut", "Place",
    ], rows)


async def sign_in_sheet(session: AsyncSession, edition: Edition) -> Sheet:
    """Confirmed attendees by session, names in alphabetical order, with an empty column to sign."""
    groups: dict[int, tuple[str, list[list[object]]]] = {}
    rows = []
    for s, r, library in await _attendees(session, edition):
        if r.state != "confirmed":
            continue
        heading = f"{s.title} · {_day(s.starts_at)} {_time(s.starts_at)}–{_time(s.ends_at)} · {s.place}"
        groups.setdefault(s.id, (heading, []))[1].append([r.name, library.name, ""])
        rows.append([s.title, _day(s.starts_at), _time(s.starts_at), r.name, library.name, ""])
    for _, people in groups.values():
        people.sort(key=lambda row: str(row[0]).casefold())
    rows.sort(key=lambda row: (row[1], row[2], row[0], str(row[3]).casefold()))
    return Sheet(f"Feuille d'émargement · {edition.name}", ["Séance", "Date", "Début", "Nom", "Bibliothèque",
                                                             "Signature"], rows,
                 groups=[(heading, people) for heading, people in groups.values()])


async def loans_sheet(session: AsyncSession, edition: Edition) -> Sheet:
    rows = []
    for view in await list_loans(session):
        borrower = view.library.name if view.library else "Finale du tournoi"
        for line, item in view.items or [(None, None)]:
            rows.append([view.loan.id, borrower, _day(view.loan.starts_on), _day(view.loan.ends_on),
                         LOAN_STATUS.get(view.loan.status, view.loan.status),
                         item.label if item else "", ITEM_KIND.get(item.kind, item.kind) if item else "",
                         item.serial_number if item else "", item.storage_place if item else "", view.loan.note])
    return Sheet("Prêts de matériel", ["Prêt n°", "Emprunteur", "Du", "Au", "Statut", "Objet", "Type",
                                       "N° de série", "Rangement", "Note"], rows)


async def equipment_schedule_sheet(session: AsyncSession, edition: Edition) -> Sheet:
    """Every item and the days it is held, item by item (what the warehouse prepares)."""
    result = await session.exec(
        select(EquipmentItem, LoanItem, Loan)
        .join(LoanItem, LoanItem.item_id == EquipmentItem.id)
        .join(Loan, Loan.id == LoanItem.loan_id)
        .where(LoanItem.holds == True)  # noqa: E712
        .order_by(EquipmentItem.label, LoanItem.starts_on, Loan.id)
    )
    lines = list(result.all())
    libraries = {lib.id: lib.name for lib in (await session.exec(select(Library))).all()}
    rows = [[item.label, ITEM_KIND.get(item.kind, item.kind), _day(line.starts_on), _day(line.ends_on),
             libraries.get(loan.library_id, "Finale du tournoi") if loan.library_id else "Finale du tournoi",
             LOAN_STATUS.get(loan.status, loan.status), loan.id]
            for item, line, loan in lines]
    return Sheet("Planning du matériel", ["Objet", "Type", "Du", "Au", "Emprunteur", "Statut", "Prêt n°"], rows)


async def allocation_sheet(session: AsyncSession, edition: Edition) -> Sheet:
    """Per library: what it asked, what the latest run grants (overrides applied), and its funding."""
    run = await latest_run(session, edition.id, published=False)
    decisions = await run_decisions(session, run.id) if run else []
    requests = await list_requests(session, edition.id)
    funding = await list_funding_requests(session, edition.id)
    library_ids = sorted({v.request.library_id for v in requests} | {f.library_id for f in funding}
                         | {d.library_id for d in decisions})
    libraries = {lib.id: lib for lib in (await session.exec(
        select(Library).where(Library.id.in_(library_ids)))).all()} if library_ids else {}  # type: ignore[union-attr]
    titles = {v.animation.id: v.animation.title for v in requests}
    rows = []
    for library_id in sorted(library_ids, key=lambda i: libraries[i].name.casefold()):
        mine = [d for d in decisions if d.library_id == library_id]
        granted = [d for d in mine if d.kind == DecisionKind.ANIMATION and d.granted]
        grants = "; ".join(
            f"{titles.get(d.animation_id, '#' + str(d.animation_id))} ({_day(d.slot_start)} {_time(d.slot_start)}–"
            f"{_time(d.slot_end)})" for d in granted if d.slot_start and d.slot_end)
        asked = sum(f.amount_cents for f in funding if f.library_id == library_id)
        given = sum(d.granted_cents for d in mine if d.kind == DecisionKind.FUNDING and d.granted)
        rows.append([libraries[library_id].name, libraries[library_id].commune,
                     sum(v.request.library_id == library_id for v in requests), len(granted), grants,
                     format_euros(asked), format_euros(given), _flag(any(d.overridden for d in mine))])
    where = (f"tirage n° {run.id} ({'publié' if run.published_at else 'non publié'}, graine « {run.seed} »)"
             if run else "aucun tirage")
    return Sheet(f"Attribution et financements par bibliothèque · {edition.name} · {where}", [
        "Bibliothèque", "Commune", "Animations demandées", "Animations accordées", "Créneaux accordés",
        "Financement demandé", "Financement accordé", "Modifié à la main",
    ], rows)


EXPORTS: dict[str, tuple[str, Callable[[AsyncSession, Edition], Awaitable[Sheet]]]] = {
    "inscriptions": ("Inscriptions des bibliothèques", registrations_sheet),
    "journee-pro": ("Journée professionnelle : inscrits", attendees_sheet),
    "emargement": ("Journée professionnelle : feuille d'émargement", sign_in_sheet),
    "prets": ("Prêts de matériel", loans_sheet),
    "planning-materiel": ("Planning du matériel", equipment_schedule_sheet),
    "attribution": ("Attribution et financements par bibliothèque", allocation_sheet),
}
"""Every staff export by its name in URLs, with its French title."""


async def staff_sheet(session: AsyncSession, edition: Edition, name: str, *, actor: Actor | None) -> Sheet:
    """One export for MDE staff; 403 for anybody else, 404 for an unknown name."""
    if not policies.is_staff(actor):
        raise FestivalForbidden()
    if name not in EXPORTS:
        raise FestivalNotFound("unknown_export")
    return await EXPORTS[name][1](session, edition)
