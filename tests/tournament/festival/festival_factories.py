"""Festival test data: the 2025 edition as MDE announced it, actors, registrations and fiches."""

from dataclasses import replace
from datetime import date, datetime

from tournament.audit import Actor
from tournament.db import Database
from tournament.festival.editions import Edition, EditionInput, save_edition
from tournament.festival.fiches import EventFiche, FicheInput, SlotInput, create_fiche, transition
from tournament.festival.registrations import Registration, RegistrationInput, save_registration
from tournament.festival.timing import PARIS

STAFF = Actor(kind="account", id=1, role="mde", name="MDE")
BEFORE_DEADLINE = datetime(2024, 10, 31, 23, 59, tzinfo=PARIS)
AFTER_DEADLINE = datetime(2024, 11, 1, 0, 0, tzinfo=PARIS)

EDITION_2025 = EditionInput(
    year=2025,
    name="X.PO Expérience des possibles, 7e édition",
    starts_on=date(2025, 3, 29),
    ends_on=date(2025, 4, 12),
    registration_deadline=date(2024, 10, 31),
    fiche_deadline=date(2024, 11, 29),
    launch_meeting_at=datetime(2024, 9, 19, 14, 0, tzinfo=PARIS),
    launch_meeting_place="Médiathèque départementale, Évreux",
    professional_day_on=date(2025, 4, 3),
    professional_day_place="Médiathèque Rolland-Plaisance, Évreux",
)


def librarian(library_id: int, account_id: int = 100) -> Actor:
    return Actor(kind="account", id=account_id, role="librarian", library_id=library_id, name="Bibliothécaire")


def registration_input(**changes) -> RegistrationInput:
    return replace(
        RegistrationInput(contact_name="Léa Dubois", contact_email="lea.dubois@vernon.test", wants_tournament=True), **changes
    )


def fiche_input(**changes) -> FicheInput:
    base = FicheInput(
        title="Atelier stop motion",
        summary="Créez un petit film image par image avec des figurines.",
        description="Scénario, prise de vue et montage sur tablette, en deux heures.",
        category="stop_motion",
        audience="Familles",
        age_min=8,
        age_max=12,
        slots=[SlotInput(date="2025-03-30", start="14:00", end="16:00")],
        booking_required=True,
        booking_details="Sur place ou au 02 32 00 00 00",
        capacity=12,
    )
    return replace(base, **changes)


async def add_edition(db: Database, data: EditionInput = EDITION_2025) -> Edition:
    async with db.write() as session:
        return await save_edition(session, data=data, actor=STAFF)


async def add_registration(db: Database, edition: Edition, library_id: int) -> Registration:
    async with db.write() as session:
        return await save_registration(
            session, edition=edition, library_id=library_id, data=registration_input(), actor=STAFF, now=BEFORE_DEADLINE
        )


PATH_TO = {
    "draft": [],
    "submitted": ["submit"],
    "changes_requested": ["submit", "request_changes"],
    "accepted": ["submit", "accept"],
    "published": ["submit", "accept", "publish"],
}


async def add_fiche(db: Database, edition: Edition, library_id: int, status: str = "draft", **changes) -> EventFiche:
    """A fiche of a registered library, moved to `status` through the workflow."""
    async with db.write() as session:
        fiche = await create_fiche(session, edition=edition, library_id=library_id, data=fiche_input(**changes), actor=STAFF)
        for action in PATH_TO[status]:
            fiche = await transition(
                session, fiche_id=fiche.id, action=action, actor=STAFF, comment="Précisez le public.",
                now=datetime(2024, 11, 15, 10, 0, tzinfo=PARIS),
            )
        return fiche
