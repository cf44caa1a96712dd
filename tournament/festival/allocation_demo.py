"""The allocation's part of `xpo demo`: a catalogue of twenty ready-made animations and their providers,
wishes from most registered libraries, a funding envelope and requests, one published allocation run, and
MDE's equipment with a few loans (one overdue).

Runs after the festival step (edition 2025 and its registrations); creates them itself if that step is absent.
"""

import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.accounts import Account
from tournament.audit import SYSTEM, Actor
from tournament.festival.allocation_runs import execute_run, freeze_run, funding_summary, publish_run
from tournament.festival.animation_requests import RequestInput, save_animation_request
from tournament.festival.catalogue import AnimationInput, ProviderInput, add_availability, save_animation, save_provider
from tournament.festival.editions import Edition, EditionInput, edition_by_year, save_edition
from tournament.festival.equipment import (
    ItemInput, ItemReturn, LoanInput, book, check_out, return_items, save_item, save_kit, today_in_paris,
)
from tournament.festival.errors import FestivalNotFound
from tournament.festival.fiches import SlotInput
from tournament.festival.funding import FundingInput, save_envelope, save_funding_request
from tournament.festival.registrations import RegistrationInput, registration_for, save_registration
from tournament import demo_clock as clock
from tournament.festival.timing import PARIS

SEED = "X.PO 2025 — réunion de lancement du 19 septembre 2024"

# (name, kind, contact, days of availability in the festival (day numbers in April, 29-31 = March), hours)
PROVIDERS = [
    ("Les Robots Joyeux", "external", "Karim Benali", [29, 2, 5, 9], ("09:00", "18:00")),
    ("Studio Immersion", "external", "Sarah Lemaire", [2, 4, 5, 11], ("09:00", "18:00")),
    ("Atelier Pixel & Pâte à modeler", "external", "Jeanne Caron", [29, 1, 2, 8, 9], ("09:00", "18:00")),
    ("La Fabrique 3D normande", "external", "Olivier Hamel", [3, 4, 10], ("09:00", "18:00")),
    ("Compagnie Fond Vert", "external", "Lucas Petitjean", [30, 5, 6, 12], ("13:00", "18:30")),
    ("Association Code & Goûter", "external", "Amélie Vasseur", [2, 9], ("09:00", "18:00")),
    ("Clémence Duval, psychologue", "external", "Clémence Duval", [4, 11], ("17:00", "21:00")),
    ("MDE — pôle numérique", "mde", "Camille Martin", [29, 1, 2, 3, 5, 8, 9, 12], ("09:00", "18:00")),
    ("MDE — pôle jeunesse", "mde", "Nora Petit", [2, 5, 9, 12], ("09:00", "18:00")),
]

# (title, provider index, minutes, audience, cost €, sessions, material needs, description)
ANIMATIONS = [
    ("Atelier robotique Thymio", 0, 120, "Enfants dès 8 ans", 420, 4, "Tables, 6 prises électriques",
     "Programmer de petits robots pour suivre une ligne, éviter les obstacles et danser."),
    ("Blue-Bot pour les tout-petits", 0, 60, "4 à 6 ans", 280, 3, "Espace au sol dégagé",
     "Des abeilles-robots à programmer avec des flèches, pour les plus jeunes."),
    ("Voyage en réalité virtuelle", 1, 180, "Dès 12 ans", 650, 3, "Salle de 30 m² au moins, Wi-Fi",
     "Quatre casques, des mondes à explorer et un temps d'échange sur les usages."),
    ("Créer son monde en VR", 1, 150, "Ados", 700, 2, "Salle calme, 4 prises",
     "Dessiner en trois dimensions dans l'espace avec des casques autonomes."),
    ("Stop motion en famille", 2, 150, "Familles, enfants dès 7 ans", 380, 4, "Tables, lumière naturelle ou lampes",
     "Un petit film image par image avec de la pâte à modeler et des tablettes."),
    ("Pixel art et animation", 2, 120, "8 à 12 ans", 300, 2, "Tables",
     "Dessiner des personnages en pixels puis les animer."),
    ("Impression 3D : du dessin à l'objet", 3, 180, "Dès 11 ans", 550, 3, "Tables, 2 prises",
     "Modéliser un porte-clés et le voir sortir de l'imprimante."),
    ("Scanner 3D : mon buste en figurine", 3, 120, "Tout public", 480, 2, "Coin calme",
     "Se faire scanner en 3D et repartir avec son modèle numérique."),
    ("Fond vert et effets spéciaux", 4, 180, "Familles", 600, 3, "Salle de 40 m², mur libre de 3 m",
     "Tourner une scène devant un fond vert et partir sur la Lune."),
    ("Bruitage et doublage", 4, 120, "Dès 10 ans", 450, 2, "Salle fermée",
     "Refaire les sons et les voix d'un extrait de dessin animé."),
    ("Scratch Junior : mon premier jeu", 5, 90, "6 à 9 ans", 250, 3, "Tables, Wi-Fi",
     "Inventer un petit jeu vidéo en assemblant des blocs de code."),
    ("Makey Makey : la banane piano", 5, 90, "Familles", 220, 3, "Tables, fruits fournis par l'association",
     "Une carte électronique transforme des objets du quotidien en manette."),
    ("Conférence : les écrans et nos enfants", 6, 90, "Parents, professionnels", 350, 2,
     "Salle de 50 places, vidéoprojecteur",
     "Une psychologue répond aux questions des parents sur les usages numériques."),
    ("Café numérique : déjouer les arnaques", 7, 90, "Adultes et seniors", 0, None, "Café et gâteaux bienvenus",
     "Faux messages, comptes piratés : repérer les pièges et protéger ses données."),
    ("Initiation à la tablette", 7, 120, "Seniors", 0, None, "Tables, Wi-Fi",
     "Premiers pas sur tablette : photos, visio avec les petits-enfants, applications utiles."),
    ("Rétrogaming : 40 ans de jeu vidéo", 7, 240, "Tout public", 0, None, "Écrans ou téléviseurs, 6 prises",
     "Consoles d'hier et d'aujourd'hui en accès libre, de la NES à la Switch."),
    ("Escape game numérique", 8, 120, "Ados", 0, None, "Deux salles voisines",
     "Des énigmes sur tablette pour sortir de la médiathèque avant la fin du temps."),
    ("Heure du conte numérique", 8, 60, "3 à 6 ans", 0, None, "Coin lecture, écran",
     "Des albums animés, des applis et des histoires à écouter ensemble."),
    ("Podcast : à vous le micro", 8, 150, "Ados", 0, None, "Salle fermée",
     "Préparer et enregistrer une émission de radio, repartir avec le fichier."),
    ("Minetest : bâtir la médiathèque idéale", 7, 120, "8 à 12 ans", 0, None, "6 ordinateurs ou tablettes",
     "Construire ensemble, dans un jeu libre, la médiathèque dont on rêve."),
]

WINDOWS = [("09:30", "12:30"), ("14:00", "17:30"), ("18:00", "20:30")]

FUNDED_PROJECTS = [
    ("Illustrateur numérique en résidence d'un jour", 90000, 60000),
    ("Atelier de création de jeu vidéo avec un studio rouennais", 140000, 80000),
    ("Spectacle conté et projection interactive", 75000, 40000),
    ("Fresque du numérique pour adultes", 60000, 30000),
    ("Atelier musique assistée par ordinateur", 90000, 45000),
    ("Sortie au FabLab de Louviers pour un groupe d'ados", 40000, 20000),
    ("Tournoi de jeux vidéo intergénérationnel", 50000, 35000),
    ("Atelier photo au smartphone", 35000, 20000),
    ("Découverte de la programmation avec micro:bit", 80000, 50000),
    ("Soirée jeux en réseau", 30000, 15000),
    ("Création d'une visite sonore de la commune", 120000, 70000),
]

# (kind, label prefix, count, kit name, storage place)
INVENTORY = [
    ("console", "Nintendo Switch n°", 8, None, "MDE Évreux, réserve jeux vidéo, armoire 1"),
    ("robot", "Thymio n°", 6, "Malle Thymio", "MDE Évreux, réserve robotique"),
    ("robot", "Blue-Bot n°", 6, "Malle Blue-Bot", "MDE Évreux, réserve robotique"),
    ("tablet", "iPad n°", 6, None, "MDE Évreux, armoire tablettes"),
    ("vr_headset", "Meta Quest 3 n°", 4, None, "MDE Évreux, armoire fermée à clé"),
    ("other", "Vidéoprojecteur n°", 2, None, "MDE Évreux, réserve audiovisuelle"),
]


def _day(number: int) -> date:
    """29, 30, 31 are in March 2025, 1 to 12 in April 2025."""
    return clock.day(date(2025, 3, number) if number >= 29 else date(2025, 4, number))


async def _staff(session: AsyncSession) -> Actor:
    account = (await session.exec(select(Account).where(Account.email == "mde@demo.xpo"))).first()
    return account.actor() if account else SYSTEM


async def _edition(session: AsyncSession, made: dict[str, Any], staff: Actor) -> Edition:
    """The 2025 edition from the festival step, or a minimal one when that step did not run."""
    if made.get("edition") is not None:
        return made["edition"]
    try:
        return await edition_by_year(session, clock.year(2025))
    except FestivalNotFound:
        return await save_edition(session, actor=staff, data=EditionInput(
            year=clock.year(2025), name="X.PO Expérience des possibles, 7e édition", starts_on=clock.day(date(2025, 3, 29)),
            ends_on=clock.day(date(2025, 4, 12)), registration_deadline=clock.day(date(2024, 10, 31)), fiche_deadline=clock.day(date(2024, 11, 29))))


async def _registered(session: AsyncSession, edition: Edition, libraries: list, staff: Actor) -> list:
    registered = []
    for library in libraries[:26]:
        if await registration_for(session, edition.id, library.id) is None:
            await save_registration(session, edition=edition, library_id=library.id, actor=staff, now=clock.moment(datetime(
                2024, 10, 15, 10, 0, tzinfo=PARIS)), data=RegistrationInput(
                contact_name="Contact démo", contact_email=f"contact@{library.postcode}.demo.invalid"))
        registered.append(library)
    return registered


async def _catalogue(session: AsyncSession, edition: Edition, staff: Actor) -> list[tuple[int, list[int], list]]:
    """The providers and the animations; returns each animation's id, its provider's days and fitting windows."""
    provider_ids = []
    for name, kind, contact, days, (start, end) in PROVIDERS:
        provider = await save_provider(session, actor=staff, data=ProviderInput(
            name=name, kind=kind, contact_name=contact,
            email=f"{contact.split()[0].lower()}@{'mde27' if kind == 'mde' else 'prestataire'}.demo.invalid"))
        for number in days:
            await add_availability(session, edition=edition, provider_id=provider.id, actor=staff,
                                   slot=SlotInput(_day(number).isoformat(), start, end))
        provider_ids.append(provider.id)
    animation_ids = []
    for title, provider, minutes, audience, euros, sessions, needs, description in ANIMATIONS:
        animation = await save_animation(session, edition=edition, actor=staff, data=AnimationInput(
            provider_id=provider_ids[provider], title=title, description=description, duration_minutes=minutes,
            audience=audience, cost_cents=euros * 100, material_needs=needs, sessions=sessions))
        start, end = PROVIDERS[provider][4]
        fitting = [w for w in WINDOWS if start <= w[0] and w[1] <= end]
        animation_ids.append((animation.id, PROVIDERS[provider][3], fitting))
    return animation_ids


async def _wishes(session: AsyncSession, edition: Edition, registered: list,
                  catalogue: list[tuple[int, list[int], list]], staff: Actor, rng: random.Random) -> int:
    """Most registered libraries ask for one to three animations, mostly on days the provider said it is free."""
    hosting_days = [29, 2, 5, 9, 12, 1, 4, 8]
    count = 0
    for library in registered[:22]:
        wishes = rng.sample(catalogue, rng.choice([1, 2, 2, 3]))
        for rank, (animation_id, free_days, windows) in enumerate(wishes, start=1):
            pool = free_days if rng.random() < 0.85 else hosting_days
            days = rng.sample(pool, min(len(pool), rng.choice([1, 2, 3])))
            slots = [SlotInput(_day(d).isoformat(), *rng.choice(windows)) for d in days]
            constraints = rng.choice(["", "", "Salle à l'étage, sans ascenseur.",
                                      "Public : un groupe du centre de loisirs.", "Nous fermons à 17 h le samedi."])
            data = RequestInput(animation_id=animation_id, rank=rank, slots=slots, constraints=constraints)
            await save_animation_request(session, edition=edition, library_id=library.id, actor=staff, data=data)
            count += 1
    return count


async def _funding(session: AsyncSession, edition: Edition, registered: list, staff: Actor, rng: random.Random) -> int:
    await save_envelope(session, edition=edition, total_cents=400000, cap_percent=60, cap_cents=60000, actor=staff)
    libraries = rng.sample(registered, len(FUNDED_PROJECTS))
    for number, ((title, cost, amount), library) in enumerate(zip(FUNDED_PROJECTS, libraries), start=1):
        await save_funding_request(session, edition=edition, library_id=library.id, actor=staff, data=FundingInput(
            title=title, amount_cents=amount, cost_cents=cost, quote_reference=f"DEV-2024-{100 + number}", rank=1))
    return len(FUNDED_PROJECTS)


async def _equipment(session: AsyncSession, libraries: list, staff: Actor) -> tuple[int, list[str]]:
    kits: dict[str, int] = {}
    items: dict[str, list[int]] = {}
    for kind, prefix, count, kit_name, place in INVENTORY:
        if kit_name and kit_name not in kits:
            kits[kit_name] = (await save_kit(session, name=kit_name, actor=staff,
                                             description=f"{count} robots, câbles et fiches d'activités")).id
        for n in range(1, count + 1):
            item = await save_item(session, actor=staff, data=ItemInput(
                kind=kind, label=f"{prefix}{n}", serial_number=f"MDE27-{kind[:3].upper()}-{n:03d}",
                kit_id=kits.get(kit_name) if kit_name else None, storage_place=place,
                condition="worn" if n == count and kind == "console" else "good"))
            if kind == "robot" and n == count:  # the Thymio chest goes out without it (the loan shows the gap)
                item = await save_item(session, actor=staff, item_id=item.id, data=ItemInput(
                    kind=kind, label=item.label, serial_number=item.serial_number, kit_id=item.kit_id,
                    storage_place=place, condition="out_of_service", condition_notes="Capteur avant cassé"))
            items.setdefault(prefix, []).append(item.id)
    by_commune = {library.commune: library for library in libraries}
    switches, quests, ipads = items["Nintendo Switch n°"], items["Meta Quest 3 n°"], items["iPad n°"]
    festival = (clock.day(date(2025, 3, 27)), clock.day(date(2025, 4, 14)))

    returned = await book(session, actor=staff, data=LoanInput(
        starts_on=festival[0], ends_on=festival[1], item_ids=switches[:2], library_id=by_commune["Vernon"].id,
        note="Qualifications du tournoi Mario Kart"))
    await check_out(session, loan_id=returned.id, actor=staff, conditions=[])
    await return_items(session, loan_id=returned.id, actor=staff, returns=[
        ItemReturn(switches[0]), ItemReturn(switches[1], "worn", "Un Joy-Con dérive vers la gauche")])

    overdue = await book(session, actor=staff, data=LoanInput(
        starts_on=clock.day(date(2025, 3, 28)), ends_on=clock.day(date(2025, 4, 6)), item_ids=quests[:2], library_id=by_commune["Bernay"].id,
        note="Initiation à la réalité virtuelle"))
    await check_out(session, loan_id=overdue.id, actor=staff, conditions=[])

    await book(session, actor=staff, data=LoanInput(
        starts_on=clock.day(date(2025, 4, 11)), ends_on=clock.day(date(2025, 4, 13)), item_ids=switches[2:6], purpose="final",
        note="Finale départementale : 4 postes"))
    await book(session, actor=staff, data=LoanInput(
        starts_on=clock.day(date(2025, 4, 1)), ends_on=clock.day(date(2025, 4, 10)), kit_ids=[kits["Malle Thymio"]],
        library_id=by_commune["Louviers"].id, note="Atelier robotique du mercredi"))

    vernon = (await session.exec(select(Account).where(Account.email == "vernon@demo.xpo"))).first()
    if vernon is not None:
        start = max(clock.today(), today_in_paris()) + timedelta(days=20)
        await book(session, actor=vernon.actor(), data=LoanInput(
            starts_on=start, ends_on=start + timedelta(days=6), item_ids=ipads[:4], library_id=vernon.library_id,
            note="Atelier stop motion (à valider)"))
    total = sum(count for _, _, count, _, _ in INVENTORY)
    return total, [
        f"  matériel : {total} objets, {len(kits)} malles ; prêts : 1 rendu, 1 en retard (Bernay), 1 pour la finale, "
        "1 malle Thymio (sans son robot hors service), 1 demande à valider",
        "  /materiel · /materiel/prets · /admin/materiel",
    ]


async def allocation_step(session: AsyncSession, made: dict[str, Any]) -> list[str]:
    """Load the catalogue, requests, funding, one published allocation run and the equipment (see module docstring)."""
    rng = random.Random(27)
    staff = await _staff(session)
    edition = await _edition(session, made, staff)
    registered = await _registered(session, edition, made["libraries"], staff)
    catalogue = await _catalogue(session, edition, staff)
    wishes = await _wishes(session, edition, registered, catalogue, staff, rng)
    funded = await _funding(session, edition, registered, staff, rng)
    frozen = await freeze_run(session, edition=edition, seed=SEED, max_animations_per_library=2, actor=staff)
    done = await execute_run(session, run_id=frozen.id, actor=staff)
    await publish_run(session, run_id=done.id, actor=staff)
    summary = await funding_summary(session, edition)
    _, equipment_lines = await _equipment(session, made["libraries"], staff)
    return [
        f"Animations clé en main : {len(ANIMATIONS)} au catalogue, {len(PROVIDERS)} prestataires, {wishes} vœux",
        f"  financements : {funded} demandes, enveloppe 4 000 €, reste {summary.remaining_cents // 100} €",
        f"  attribution n° {done.id} publiée (graine « {SEED} ») : /admin/festival/attribution/{done.id}",
        *equipment_lines,
    ]

