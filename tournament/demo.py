"""`xpo demo`: a realistic edition in its own database, so every feature can be tried at once.

Later features add their part through `DEMO_STEPS`; each step gets the write session and the
objects created so far, and returns lines for the printed summary.
"""

import asyncio
from datetime import date
import re
from datetime import date, datetime
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import demo_clock, migrate
from tournament.accounts import Role, create_account
from tournament.audit import SYSTEM
from tournament.db import Database
from tournament.libraries import Library
from tournament.localtime import PARIS
from tournament.players import AgeCategory, Player
from tournament.screens import Screen
from tournament.tokens import new_token

DEMO_PASSWORD = "xpo-demo-2025"

# (library name, commune, postcode): the Eure network, with real commune names.
EURE_LIBRARIES = [
    ("Médiathèque Rolland-Plaisance", "Évreux", "27000"),
    ("Médiathèque de Vernon", "Vernon", "27200"),
    ("Médiathèque de Louviers", "Louviers", "27400"),
    ("Médiathèque de Bernay", "Bernay", "27300"),
    ("Médiathèque de Pont-Audemer", "Pont-Audemer", "27500"),
    ("Médiathèque des Andelys", "Les Andelys", "27700"),
    ("Médiathèque de Gisors", "Gisors", "27140"),
    ("Médiathèque de Verneuil d'Avre et d'Iton", "Verneuil d'Avre et d'Iton", "27130"),
    ("Médiathèque de Val-de-Reuil", "Val-de-Reuil", "27100"),
    ("Médiathèque de Gaillon", "Gaillon", "27600"),
    ("Médiathèque de Pacy-sur-Eure", "Pacy-sur-Eure", "27120"),
    ("Médiathèque de Conches-en-Ouche", "Conches-en-Ouche", "27190"),
    ("Bibliothèque de Brionne", "Brionne", "27800"),
    ("Médiathèque du Neubourg", "Le Neubourg", "27110"),
    ("Médiathèque de Saint-André-de-l'Eure", "Saint-André-de-l'Eure", "27220"),
    ("Bibliothèque de Beaumont-le-Roger", "Beaumont-le-Roger", "27170"),
    ("Bibliothèque de Lyons-la-Forêt", "Lyons-la-Forêt", "27480"),
    ("Médiathèque d'Étrépagny", "Étrépagny", "27150"),
    ("Médiathèque de Bourg-Achard", "Bourg-Achard", "27310"),
    ("Bibliothèque de Breteuil", "Breteuil", "27160"),
    ("Médiathèque d'Ézy-sur-Eure", "Ézy-sur-Eure", "27530"),
    ("Bibliothèque de Nonancourt", "Nonancourt", "27320"),
    ("Médiathèque de Rugles", "Rugles", "27250"),
    ("Bibliothèque de Quillebeuf-sur-Seine", "Quillebeuf-sur-Seine", "27680"),
    ("Médiathèque de Pont-de-l'Arche", "Pont-de-l'Arche", "27340"),
    ("Médiathèque de Romilly-sur-Andelle", "Romilly-sur-Andelle", "27610"),
    ("Médiathèque de Saint-Marcel", "Saint-Marcel", "27950"),
    ("Médiathèque de Grand Bourgtheroulde", "Grand Bourgtheroulde", "27520"),
    ("Bibliothèque de Thiberville", "Thiberville", "27230"),
    ("Médiathèque de Cormeilles", "Cormeilles", "27260"),
]

DemoStep = Callable[[AsyncSession, dict[str, Any]], Awaitable[list[str]]]
DEMO_STEPS: list[DemoStep] = []
"""Feature modules append their demo loaders here (called in order, in one transaction)."""

from tournament.festival.demo import festival_step  # noqa: E402
DEMO_STEPS.append(festival_step)
from tournament.tournament_demo import load as tournament_step  # noqa: E402
DEMO_STEPS.append(tournament_step)
from tournament.festival.allocation_demo import allocation_step  # noqa: E402
DEMO_STEPS.append(allocation_step)
from tournament.notifications_demo import notifications_step  # noqa: E402
DEMO_STEPS.append(notifications_step)


async def _foundation(session: AsyncSession, made: dict[str, Any]) -> list[str]:
    libraries = []
    for name, commune, postcode in EURE_LIBRARIES:
        library = Library(name=name, commune=commune, postcode=postcode, email=f"mediatheque@{postcode}.demo.invalid")
        session.add(library)
        libraries.append(library)
    await session.flush()
    made["libraries"] = libraries
    by_commune = {library.commune: library for library in libraries}
    accounts = [
        ("mde@demo.xpo", "Camille Martin (MDE)", Role.MDE, None),
        ("vernon@demo.xpo", "Léa Dubois (Vernon)", Role.LIBRARIAN, by_commune["Vernon"].id),
        ("bernay@demo.xpo", "Hugo Lefebvre (Bernay)", Role.LIBRARIAN, by_commune["Bernay"].id),
        ("arbitre@demo.xpo", "Nora Petit (arbitre)", Role.REFEREE, None),
    ]
    lines = ["Comptes (mot de passe : " + DEMO_PASSWORD + ")"]
    recorders = {}
    for email, name, role, library_id in accounts:
        recorders[email] = await create_account(
            session, email=email, display_name=name, password=DEMO_PASSWORD, role=role, library_id=library_id, actor=SYSTEM
        )
        lines.append(f"  {ROLE_NAMES[role]:<22} {email}")
    player_token, player_digest = new_token()
    player = Player(
        library_id=by_commune["Vernon"].id,
        pseudonym="LunaKart",
        first_name="Luna",
        last_initial="B",
        age_category=AgeCategory.AGE_11_14.value,
        guardian_consent=True,
        guardian_contact="parent.luna@demo.invalid",
        guardian_name="Claire B",
        consent_on=date(2024, 9, 12),
        consent_recorded_by=recorders["vernon@demo.xpo"].id,
        token_digest=player_digest,
    )
    session.add(player)
    screen_token, screen_digest = new_token()
    session.add(Screen(label="Écran scène principale", token_digest=screen_digest))
    made["player_token"] = player_token
    made["screen_token"] = screen_token
    lines.append(f"Lien joueur (LunaKart, Vernon) : /joueur/{player_token}")
    lines.append(f"Écran (kiosque) : /ecran/{screen_token}")
    lines.append(f"{len(libraries)} bibliothèques du réseau de l'Eure")
    return lines


ROLE_NAMES = {Role.MDE: "équipe MDE", Role.LIBRARIAN: "bibliothécaire", Role.REFEREE: "arbitre"}
"""How the printed summary names each role (in French, as the site does)."""


async def _load(url: str, prepare=None) -> list[str]:
    db = Database(url)
    if prepare is not None:
        prepare(db)  # e.g. the web layer's mail renderer, so the demo's mails land in its outbox
    lines: list[str] = []
    made: dict[str, Any] = {}
    try:
        async with db.write() as session:
            for step in [_foundation, *DEMO_STEPS]:
                lines.extend(await step(session, made))
    finally:
        await db.dispose()
    return lines


def load_demo(url: str, *, reset: bool = True, prepare=None, base: str = "http://127.0.0.1:8000",
              today: date | None = None) -> str:
    """Create (or re-create) the demo database at `url` and return the summary to print, its links on `base`
    (the address the demo server will answer at). The edition is dated around `today` (default: the date in
    Paris): qualifiers played in the days before, the final half played that day (see `demo_clock`)."""
    demo_clock.set_today(today or datetime.now(PARIS).date())
    parsed = make_url(url)
    if reset and parsed.get_backend_name() == "sqlite" and parsed.database:
        for suffix in ("", "-wal", "-shm"):
            Path(parsed.database + suffix).unlink(missing_ok=True)
    migrate.upgrade(url)
    base = base.rstrip("/")
    try:
        lines = [_absolute_links(line, base) for line in asyncio.run(_load(url, prepare))]
    finally:
        demo_clock.set_today(None)
    return "\n".join(["Démo X.PO Live chargée : " + url, f"Site : {base}/", *lines,
                      f"Dates : finale le {demo_clock_day(today)} (xpo demo --today AAAA-MM-JJ pour une autre date)"])


def _absolute_links(line: str, base: str) -> str:
    """The steps write site paths ("/direct"); the summary prints them as addresses that open. A path starts
    a line, or follows a space or "(": never inside one, whose token may end in "-" (`/joueur/…-/tournois`)."""
    return re.sub(r"(?<![^\s(])/(?=[a-z])", base + "/", line)


def demo_clock_day(today: date | None) -> str:
    return (today or datetime.now(PARIS).date()).strftime("%d/%m/%Y")
