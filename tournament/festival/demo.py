"""The festival's part of `xpo demo`: past editions with their history, the 2025 edition, registrations,
about sixty fiches-animation in every workflow state, and a professional day with a waiting list."""

import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.accounts import Account
from tournament.festival.editions import EditionInput, save_edition
from tournament.festival.fiches import FicheInput, SlotInput, create_fiche, transition
from tournament.festival.participation import Participation
from tournament.festival.proday import AttendeeInput, ProSessionInput, register_attendee, save_pro_session
from tournament.festival.registrations import RegistrationInput, save_registration
from tournament import demo_clock as clock
from tournament.festival.timing import PARIS

VERNON_EXTRA = 3

ORDINALS = {2019: "1re", 2020: "2e", 2021: "3e", 2022: "4e", 2023: "5e", 2024: "6e", 2025: "7e"}

# (title, category, summary, audience, age_min, age_max, hours)
EVENTS = [
    ("Atelier stop motion", "stop_motion", "Créez un court film image par image avec figurines et tablettes.", "Familles", 8, 14, "14:00-16:00"),
    ("Initiation à la réalité virtuelle", "virtual_reality", "Plongez dans des mondes virtuels avec les casques de la MDE.", "Tout public", 12, None, "14:00-17:00"),
    ("Tournoi Mario Kart", "video_games", "Qualifications du tournoi départemental sur Mario Kart 8 Deluxe.", "Ados et adultes", 10, None, "14:00-17:30"),
    ("Robots Thymio : premiers pas", "robotics", "Programmez de petits robots pour qu'ils suivent une ligne ou évitent les obstacles.", "Enfants", 7, 11, "10:00-12:00"),
    ("Impression 3D : du dessin à l'objet", "3d", "Modélisez un porte-clés et regardez l'imprimante 3D le fabriquer.", "Ados", 11, 17, "14:00-16:30"),
    ("Fond vert et effets spéciaux", "special_effects", "Tournez une scène devant un fond vert et partez sur la Lune.", "Familles", 8, None, "15:00-17:00"),
    ("Scratch junior : mon premier jeu", "coding", "Inventez un petit jeu vidéo en assemblant des blocs de code.", "Enfants", 6, 9, "10:00-11:30"),
    ("Conférence : les écrans et nos enfants", "conference", "Une psychologue répond aux questions des parents sur les usages numériques.", "Adultes", 18, None, "18:30-20:00"),
    ("Café numérique : arnaques en ligne", "conference", "Repérer les faux messages, protéger ses comptes : on en parle autour d'un café.", "Adultes et seniors", 16, None, "10:00-11:30"),
    ("Rétrogaming en famille", "video_games", "Consoles d'hier et d'aujourd'hui en accès libre, de la NES à la Switch.", "Tout public", None, None, "14:00-18:00"),
    ("Atelier Makey Makey", "coding", "Transformez des bananes en piano grâce à une carte électronique.", "Familles", 7, None, "14:30-16:00"),
    ("Escape game numérique", "video_games", "Résolvez des énigmes sur tablette pour sortir de la médiathèque.", "Ados", 12, 17, "15:00-17:00"),
    ("Dessin sur tablette graphique", "other", "Découvrez le dessin numérique avec une illustratrice.", "Ados et adultes", 12, None, "14:00-16:00"),
    ("Blue-Bot pour les tout-petits", "robotics", "Des abeilles-robots à programmer pour les plus jeunes.", "Petite enfance", 4, 6, "10:30-11:30"),
    ("Podcast : à vous le micro", "other", "Enregistrez une émission de radio et repartez avec le fichier.", "Ados", 11, 17, "14:00-17:00"),
    ("Découverte de Minetest", "video_games", "Construisez ensemble un village dans un jeu libre.", "Enfants", 8, 12, "14:00-16:00"),
    ("Table ronde : l'IA au quotidien", "conference", "Ce que l'intelligence artificielle change déjà dans nos vies, sans jargon.", "Adultes", 15, None, "18:00-19:30"),
    ("Atelier montage vidéo", "special_effects", "Montez une bande-annonce avec un logiciel libre.", "Ados", 12, 17, "14:00-17:00"),
    ("Jeux de société et réalité augmentée", "other", "Des jeux de plateau qui prennent vie sur tablette.", "Familles", 6, None, "15:00-17:30"),
    ("Balade en réalité virtuelle : l'Eure d'autrefois", "virtual_reality", "Visitez en 360° des lieux du département tels qu'ils étaient.", "Tout public", 10, None, "10:00-12:00"),
]

STATUS_WORDS = {"published": "publiées", "accepted": "acceptées", "submitted": "envoyées",
                "changes_requested": "à modifier", "draft": "brouillons"}
HOURS_ALT = ["10:00-12:00", "14:00-16:00", "14:30-17:00", "15:00-17:00"]
FIRST_NAMES = ["Camille", "Louise", "Hugo", "Chloé", "Nathalie", "Julien", "Sophie", "Thomas", "Aurélie", "Mathieu",
               "Émilie", "Nicolas", "Isabelle", "Antoine", "Claire", "Sébastien", "Manon", "Pierre", "Élodie", "Vincent"]
LAST_NAMES = ["Martin", "Bernard", "Durand", "Lefèvre", "Moreau", "Laurent", "Simon", "Michel", "Garnier", "Roux",
              "Fournier", "Girard", "Lambert", "Bonnet", "Fontaine", "Rousseau", "Vincent", "Muller", "Leroy", "Faure"]


async def _staff_actor(session: AsyncSession):
    account = (await session.exec(select(Account).where(Account.email == "mde@demo.xpo"))).first()
    return account.actor()


def _edition(year: int) -> EditionInput:
    # Early spring every year; the 2025 dates are MDE's own (moved with the demo's calendar).
    if year == 2025:
        return EditionInput(
            year=clock.year(2025), name="X.PO Expérience des possibles, 7e édition", starts_on=clock.day(date(2025, 3, 29)),
            ends_on=clock.day(date(2025, 4, 12)), registration_deadline=clock.day(date(2024, 10, 31)), fiche_deadline=clock.day(date(2024, 11, 29)),
            launch_meeting_at=clock.moment(datetime(2024, 9, 19, 14, 0, tzinfo=PARIS)),
            launch_meeting_place="Médiathèque départementale de l'Eure, Évreux",
            professional_day_on=clock.day(date(2025, 4, 3)), professional_day_place="Médiathèque Rolland-Plaisance, Évreux",
        )
    return EditionInput(
        year=clock.year(year), name=f"X.PO Expérience des possibles, {ORDINALS[year]} édition",
        starts_on=clock.day(date(year, 3, 30)), ends_on=clock.day(date(year, 4, 13)),
        registration_deadline=clock.day(date(year - 1, 10, 31)), fiche_deadline=clock.day(date(year - 1, 11, 30)),
    )


async def festival_step(session: AsyncSession, made: dict[str, Any]) -> list[str]:
    """Load the festival demo data (see the module docstring); returns the summary lines."""
    rng = random.Random(2025)
    staff = await _staff_actor(session)
    libraries = made["libraries"]

    history = 0
    for year in range(2019, 2025):
        edition = await save_edition(session, data=_edition(year), actor=staff)
        for library in libraries:
            if rng.random() < 0.55:
                session.add(Participation(
                    library_id=library.id, edition_id=edition.id, took_part=True,
                    received_ready_made_animation=rng.random() < 0.25, received_funding=rng.random() < 0.15,
                ))
                history += 1
    edition = await save_edition(session, data=_edition(2025), actor=staff)
    made["edition"] = edition

    registered = libraries[:26]
    on_time = clock.moment(datetime(2024, 10, 15, 10, 0, tzinfo=PARIS))
    late = clock.moment(datetime(2024, 11, 6, 9, 0, tzinfo=PARIS))
    for index, library in enumerate(registered):
        first, last = FIRST_NAMES[index % 20], LAST_NAMES[(index * 7) % 20]
        wants_animation, wants_funding, wants_equipment = rng.random() < 0.5, rng.random() < 0.3, rng.random() < 0.6
        await save_registration(
            session, edition=edition, library_id=library.id, actor=staff, now=late if index >= 24 else on_time,
            data=RegistrationInput(
                contact_name=f"{first} {last}", contact_email=f"{first.lower()}.{last.lower()}@{library.postcode}.demo.invalid",
                contact_phone=f"02 32 {10 + index:02d} {20 + index:02d} {30 + index:02d}",
                wants_tournament=rng.random() < 0.7, wants_ready_made_animation=wants_animation,
                ready_made_animation_details="Stop motion ou réalité virtuelle ; mercredis après-midi et samedis" if wants_animation else "",
                wants_funding=wants_funding,
                funding_details="Intervention d'un illustrateur numérique, environ 400 €" if wants_funding else "",
                wants_equipment=wants_equipment,
                equipment_details="2 consoles Switch, 4 manettes, 1 vidéoprojecteur" if wants_equipment else "",
                attends_professional_day=rng.random() < 0.6,
            ),
        )

    festival_days = [clock.day(date(2025, 3, 29)) + timedelta(days=n) for n in range(15)]
    workflow = ["published"] * 42 + ["accepted"] * 5 + ["submitted"] * 5 + ["changes_requested"] * 4 + ["draft"] * 4
    workflow += ["published"] * VERNON_EXTRA  # Vernon, the demo librarian's library, has 5 events on the programme
    reviewed = clock.moment(datetime(2024, 11, 25, 10, 0, tzinfo=PARIS))
    counts: dict[str, int] = {}
    for number, status in enumerate(workflow):
        library = registered[number % len(registered)] if number < 60 else made["libraries"][1]  # [1]: Vernon
        title, category, summary, audience, age_min, age_max, hours = EVENTS[number % len(EVENTS)]
        day = festival_days[(number * 4) % len(festival_days)]
        if number == 0:
            day = clock.day(date(2025, 3, 30))  # the day clocks go forward: still 14:00 in Paris
        start, end = (hours if number % 3 else rng.choice(HOURS_ALT)).split("-")
        slots = [SlotInput(day.isoformat(), start, end)]
        if number % 5 == 0:
            slots.append(SlotInput(festival_days[(number * 4 + 7) % len(festival_days)].isoformat(), start, end))
        free = category != "special_effects" or number % 2 == 0
        fiche = await create_fiche(session, edition=edition, library_id=library.id, actor=staff, data=FicheInput(
            title=title, summary=summary, description=f"{summary} Animation proposée par la {library.name} dans le cadre d'X.PO.",
            category=category, audience=audience, age_min=age_min, age_max=age_max, slots=slots,
            is_free=free, price="" if free else "3 € (gratuit pour les abonnés)",
            booking_required=number % 2 == 0, booking_details="Sur place ou par téléphone" if number % 2 == 0 else "",
            capacity=rng.choice([8, 10, 12, 15, 20, 30]), accessibility="Accès de plain-pied",
            equipment_needed="Casques VR (4)" if category == "virtual_reality" else "",
        ))
        path = {"draft": [], "submitted": ["submit"], "changes_requested": ["submit", "request_changes"],
                "accepted": ["submit", "accept"], "published": ["submit", "accept", "publish"]}[status]
        for action in path:
            await transition(session, fiche_id=fiche.id, action=action, actor=staff, now=reviewed,
                             comment="Merci de préciser l'âge minimum et les modalités de réservation." if action == "request_changes" else "")
        counts[status] = counts.get(status, 0) + 1

    sessions = [
        ("launch_meeting", "conference", f"Réunion de lancement X.PO {clock.year(2025)}", clock.day(date.fromisoformat("2024-09-19")).isoformat(), "14:00", "16:30", 100,
         "Médiathèque départementale de l'Eure, Évreux", clock.moment(datetime(2024, 9, 1, 9, 0, tzinfo=PARIS)), 18),
        ("professional_day", "conference", "Jeux vidéo et médiathèques : quelles pratiques ?", clock.day(date.fromisoformat("2025-04-03")).isoformat(), "09:30", "11:00", 80,
         "Auditorium, Médiathèque Rolland-Plaisance, Évreux", clock.moment(datetime(2025, 3, 1, 9, 0, tzinfo=PARIS)), 35),
        ("professional_day", "round_table", "Table ronde : lutter contre l'illectronisme au quotidien", clock.day(date.fromisoformat("2025-04-03")).isoformat(), "11:15", "12:30", 60,
         "Auditorium, Médiathèque Rolland-Plaisance, Évreux", clock.moment(datetime(2025, 3, 1, 9, 0, tzinfo=PARIS)), 28),
        ("professional_day", "workshop", "Atelier : prendre en main les casques de réalité virtuelle", clock.day(date.fromisoformat("2025-04-03")).isoformat(), "14:00", "15:30", 12,
         "Salle 2, Médiathèque Rolland-Plaisance, Évreux", clock.moment(datetime(2025, 3, 1, 9, 0, tzinfo=PARIS)), 16),
        ("professional_day", "workshop", "Atelier : robotique éducative avec Thymio et Blue-Bot", clock.day(date.fromisoformat("2025-04-03")).isoformat(), "14:00", "15:30", 12,
         "Salle 3, Médiathèque Rolland-Plaisance, Évreux", clock.moment(datetime(2025, 3, 1, 9, 0, tzinfo=PARIS)), 9),
        # Ahead of today, with seats left: what a librarian can still book.
        ("professional_day", "workshop", "Atelier : organiser un tournoi de jeu vidéo en bibliothèque", clock.day(date.fromisoformat("2025-04-24")).isoformat(), "14:00", "16:00", 20,
         "Salle 1, Médiathèque Rolland-Plaisance, Évreux", clock.moment(datetime(2025, 4, 10, 9, 0, tzinfo=PARIS)), 7),
    ]
    waiting = 0
    for meeting, kind, title, day, start, end, capacity, place, when, people in sessions:
        pro_session = await save_pro_session(session, edition=edition, actor=staff, data=ProSessionInput(
            meeting=meeting, kind=kind, title=title, day=day, start=start, end=end, capacity=capacity, place=place))
        for n in range(people):
            library = registered[(n * 3) % len(registered)]
            first, last = FIRST_NAMES[(n + capacity) % 20], LAST_NAMES[(n * 3 + capacity) % 20]
            registration, _ = await register_attendee(session, session_id=pro_session.id, actor=staff, now=when, data=AttendeeInput(
                name=f"{first} {last}", email=f"{first.lower()}.{last.lower()}.{n}@{library.postcode}.demo.invalid",
                library_id=library.id, staff_status="volunteer" if n % 3 == 0 else "employee"))
            waiting += registration.state == "waiting"

    return [
        f"Festival : éditions {clock.year(2019)} à {clock.year(2025)}, {history} participations passées",
        f"  {len(registered)} bibliothèques inscrites à l'édition {clock.year(2025)} (dont 2 en retard)",
        "  fiches-animation : " + ", ".join(f"{n} {STATUS_WORDS[status]}" for status, n in counts.items()),
        f"  journée professionnelle : {len(sessions)} séances, {waiting} personnes en liste d'attente",
        "  programme : /programme · journée pro : /journee-pro · relecture : /admin/festival/fiches",
    ]
