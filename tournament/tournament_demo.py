"""The tournament part of `xpo demo`: a Mario Kart 8 Deluxe tournament whose qualifiers were played
at eight libraries and whose final is half played (stations called), and a Super Smash Bros.
Ultimate tournament still in set-up.

Everything goes through the services, with the demo's accounts as actors, so the audit trail and
the board events are those of a real day: a board opened on the demo replays them.
"""

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo
from typing import Any

import brackets
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import demo_clock as clock
from tournament import finals, qualifiers, self_report, setup, stations
from tournament.accounts import Account
from tournament.audit import Actor
from tournament.libraries import Library
from tournament.players import AgeCategory, Player, create_player
from tournament.privacy import erase_player
from tournament.qualifiers import Qualification
from tournament.results import ResultInput, submit_result
from tournament.stages import Stage
from tournament.tournaments import Tournament, join

QUALIFIER_COMMUNES = (
    "Évreux", "Vernon", "Louviers", "Bernay", "Pont-Audemer", "Les Andelys", "Gisors", "Val-de-Reuil",
)
FIRST_NAMES = (
    "Luna", "Titouan", "Maël", "Inès", "Kenzo", "Zoé", "Noé", "Lola", "Yanis", "Chloé", "Nathan", "Jade", "Léo",
    "Emma", "Sacha", "Lina", "Timéo", "Manon", "Ethan", "Louise", "Rayan", "Mila", "Hugo", "Camille", "Enzo",
    "Alice", "Gabin", "Rose", "Aaron", "Anna", "Maxime", "Ambre", "Liam", "Margaux", "Nolan", "Elsa",
)
SUFFIXES = ("Kart", "_27", "Turbo", "Nitro", "Drift", "_Étoile", "Bolide", "Flash", "Rush", "Boost", "_Champion", "Star")
AGES = (AgeCategory.UNDER_11, AgeCategory.AGE_11_14, AgeCategory.AGE_11_14, AgeCategory.AGE_15_17, AgeCategory.ADULT)
RACES = 4
PARIS = ZoneInfo("Europe/Paris")


def _paris(day: int, hour: int, minute: int = 0, month: int = 4) -> datetime:
    """A moment of spring 2025 in Paris (moved with the demo's calendar), as an aware UTC instant."""
    return clock.moment(datetime(2025, month, day, hour, minute, tzinfo=PARIS)).astimezone(UTC)


async def _actors(session: AsyncSession) -> tuple[Actor, Actor, dict[int, Actor]]:
    """MDE staff, the referee, and each library's librarian where the demo has one."""
    accounts = (await session.exec(select(Account))).all()
    staff = next(a for a in accounts if a.role == "mde").actor("192.0.2.10")
    referee = next(a for a in accounts if a.role == "referee").actor("192.0.2.20")
    librarians = {a.library_id: a.actor("192.0.2.30") for a in accounts if a.role == "librarian"}
    return staff, referee, librarians


async def _players(session: AsyncSession, library: Library, count: int, rng: random.Random, actor: Actor,
                   taken: set[str]) -> list[Player]:
    made = []
    while len(made) < count:
        first_name = rng.choice(FIRST_NAMES)
        pseudonym = first_name + rng.choice(SUFFIXES)
        if pseudonym in taken:
            continue
        taken.add(pseudonym)
        age = rng.choice(AGES)
        link = await create_player(
            session, library_id=library.id, pseudonym=pseudonym, first_name=first_name,
            last_initial=rng.choice("BCDLMPRT"), age_category=age.value, guardian_consent=age.needs_guardian_consent,
            guardian_contact="parent@demo.invalid" if age.needs_guardian_consent else "",
            guardian_name=f"Parent de {first_name}" if age.needs_guardian_consent else "",
            consent_on="2024-09-15" if age.needs_guardian_consent else None, actor=actor,
        )
        made.append(link.player)
    return made


def _races(stage: Stage, match: brackets.Match, rng: random.Random) -> ResultInput:
    """Four races; the better seeds tend to finish ahead (as they do)."""
    players = [stage.player_of(seed) for seed in match.entrants]
    races = []
    for _ in range(RACES):
        order = sorted(players, key=lambda pid: rng.random() + 0.15 * players.index(pid))
        races.append(tuple(order))
    return ResultInput(races=tuple(races))


async def _play(session: AsyncSession, stage: Stage, match_id: str, rng: random.Random, actor: Actor) -> None:
    match = stage.event().matches[match_id]
    if len(match.entrants) > 2:
        data = _races(stage, match, rng)
    else:
        data = ResultInput(winner_player_id=stage.player_of(match.entrants[0] if rng.random() < 0.65 else match.entrants[1]))
    await submit_result(
        session, stage_id=stage.id, match_id=match_id, data=data, version=stage.version_of(match_id),
        idempotency_key=f"demo-{stage.id}-{match_id}", actor=actor,
    )


async def _qualifier(session: AsyncSession, tournament: Tournament, library: Library, players: list[Player], day: int,
                     rng: random.Random, actor: Actor, *, with_reports: bool) -> None:
    """One library's qualifier: scheduled, everyone checked in (one latecomer), played, closed.

    With `with_reports`, the first heat is reported by a player and confirmed by another, and the
    second is disputed and settled by the librarian, as the demo's librarians would show it.
    """
    await join(session, tournament.id, library.id, actor=actor)
    starts_at = _paris(day, 14, 30)
    qualifier = await qualifiers.schedule_session(
        session, tournament_id=tournament.id, library_id=library.id, starts_at=starts_at, place="Espace jeux vidéo",
        capacity=16, format="ffa", actor=actor,
    )
    for index, player in enumerate(players):
        entry = await qualifiers.enrol(session, session_id=qualifier.id, player_id=player.id, actor=actor)
        late = index == len(players) - 1
        await qualifiers.check_in(session, entry_id=entry.id, actor=actor,
                                  now=starts_at + (timedelta(minutes=7) if late else -timedelta(minutes=20)))
    stage = await qualifiers.start_session(session, session_id=qualifier.id, actor=actor)
    if with_reports:
        await _reports(session, stage, rng)
    while brackets.playable(stage.event()):
        for match in brackets.playable(stage.event()):
            await _play(session, stage, match.id, rng, actor)
    await qualifiers.close_session(session, session_id=qualifier.id, actor=actor)


async def _reports(session: AsyncSession, stage: Stage, rng: random.Random) -> None:
    first, second = list(stage.event().matches.values())[:2]
    players = {p.id: p for p in (await session.exec(select(Player).where(Player.id.in_(list(stage.seat_players.values()))))).all()}

    def as_player(seed: int) -> Actor:
        player = players[stage.player_of(seed)]
        return Actor(kind="player", id=player.id, library_id=player.library_id, address="198.51.100.7", name=player.pseudonym)

    agreed = await self_report.report(session, stage_id=stage.id, match_id=first.id, data=_races(stage, first, rng),
                                      actor=as_player(first.entrants[0]))
    await self_report.respond(session, report_id=agreed.id, agree=True, actor=as_player(first.entrants[1]))
    disputed = await self_report.report(session, stage_id=stage.id, match_id=second.id,
                                        data=_races(stage, second, rng), actor=as_player(second.entrants[1]))
    await self_report.respond(session, report_id=disputed.id, agree=False, actor=as_player(second.entrants[0]),
                              note="Je suis arrivé deuxième à la dernière course, pas troisième.")


async def load(session: AsyncSession, made: dict[str, Any]) -> list[str]:
    """The two demo tournaments; returns the lines of the printed summary."""
    rng = random.Random(2025)
    staff, referee, librarians = await _actors(session)
    by_commune = {library.commune: library for library in made["libraries"]}
    venue = by_commune["Évreux"]
    mario = await setup.set_up_tournament(session, Tournament(
        edition_year=clock.year(2025), name="Tournoi Mario Kart 8 Deluxe", game="Mario Kart 8 Deluxe",
        match_kind="heat", heat_size=4, races_per_heat=RACES, qualifier_formats=["ffa", "round_robin"],
        qualifying_opens_at=_paris(29, 10, month=3), qualifying_closes_at=_paris(11, 19),
        finalists=16, quota_per_library=2, final_format="ffa", final_options={},
        final_library_id=venue.id, final_at=_paris(12, 14),
        prizes=["Une Nintendo Switch OLED", "Un casque de jeu", "Un jeu Nintendo au choix", "Des goodies X.PO"],
    ), actor=staff)
    await setup.open_qualifying(session, tournament_id=mario.id, actor=staff)
    taken = {p.pseudonym for p in (await session.exec(select(Player))).all()}
    for day, commune in enumerate(QUALIFIER_COMMUNES, start=1):
        library = by_commune[commune]
        actor = librarians.get(library.id, staff)
        enrolled = list((await session.exec(select(Player).where(Player.library_id == library.id))).all())
        count = rng.choice((6, 8, 8, 9, 10))
        players = enrolled + await _players(session, library, count - len(enrolled), rng, actor, taken)
        await _qualifier(session, mario, library, players, day + 1, rng, actor, with_reports=commune == "Vernon")
    lines = [f"Tournoi « {mario.name} » : qualifications jouées dans {len(QUALIFIER_COMMUNES)} bibliothèques"]
    lines += await _final(session, mario, staff, referee, rng)
    if "player_token" in made:
        lines.append(f"  espace tournoi de LunaKart (Vernon) : /joueur/{made['player_token']}/tournois")
    lines += await _privacy(session, mario, by_commune, librarians, staff)

    smash = await setup.set_up_tournament(session, Tournament(
        edition_year=clock.year(2025), name="Tournoi Super Smash Bros. Ultimate", game="Super Smash Bros. Ultimate",
        match_kind="duel",
        age_categories=[AgeCategory.AGE_11_14.value, AgeCategory.AGE_15_17.value, AgeCategory.ADULT.value],
        qualifier_formats=["single_elimination", "double_elimination", "round_robin", "swiss"],
        # Ahead of today, so that a librarian can plan, enrol and run one of its qualifiers once MDE opens them.
        qualifying_opens_at=_paris(12, 0), qualifying_closes_at=_paris(10, 19, month=5),
        finalists=16, quota_per_library=2, final_format="double_elimination", final_options={"grand_final": "reset"},
        final_library_id=by_commune["Vernon"].id, final_at=_paris(17, 14, month=5),
        prizes=["Une manette Pro", "Un amiibo au choix"],
    ), actor=staff)
    for commune in ("Vernon", "Bernay"):
        await join(session, smash.id, by_commune[commune].id, actor=librarians.get(by_commune[commune].id, staff))
    lines.append(f"Tournoi « {smash.name} » : en préparation (/tournois/{smash.id})")
    return lines


async def _privacy(session: AsyncSession, tournament: Tournament, by_commune: dict[str, Library],
                   librarians: dict[int, Actor], staff: Actor) -> list[str]:
    """Minors' data: a Bernay player erased on request (their results stay under «Joueur retiré n°N»), and a
    Vernon player whose guardian's consent was a yes/no recorded before dates were asked (to complete)."""
    bernay = by_commune["Bernay"]
    reserve = (await session.exec(
        select(Player).join(Qualification, Qualification.player_id == Player.id)
        .where(Qualification.tournament_id == tournament.id, Qualification.library_id == bernay.id,
               Qualification.status == "reserve").order_by(Qualification.place.desc())
    )).first()
    lines = []
    if reserve is not None:
        pseudonym = reserve.pseudonym
        erased = await erase_player(session, player_id=reserve.id, actor=librarians.get(bernay.id, staff))
        lines.append(f"Données personnelles : {pseudonym} (Bernay) effacé à sa demande, affiché « {erased.pseudonym} »"
                     f" : /bibliotheques/{bernay.id}")
    vernon = by_commune["Vernon"]
    legacy = (await session.exec(
        select(Player).where(Player.library_id == vernon.id, Player.guardian_consent.is_(True), Player.pseudonym != "LunaKart")
        .order_by(Player.id)
    )).first()
    if legacy is not None:
        legacy.guardian_name, legacy.consent_on, legacy.consent_recorded_by, legacy.consent_legacy = "", None, None, True
        session.add(legacy)
        lines.append(f"  accord parental de {legacy.pseudonym} (Vernon) enregistré avant les dates, à compléter :"
                     f" /joueurs/{legacy.id}/consentement")
    return lines


async def _final(session: AsyncSession, tournament: Tournament, staff: Actor, referee: Actor, rng: random.Random) -> list[str]:
    """The final: finalists chosen under the quota, checked in (one absent and replaced), seeded with
    libraries kept apart, four stations, and its first round of heats plus one more played."""
    lines = await finals.refresh_finalists(session, tournament_id=tournament.id, actor=staff)
    chosen = [line for line in lines if line.status == finals.QUALIFIED]
    absent = chosen[-1]
    replacement = await finals.mark_absent(session, qualification_id=absent.qualification_id, actor=referee)
    present = [line.qualification_id for line in chosen if line is not absent]
    if replacement is not None:
        present.append(replacement.id)
    for qualification_id in present:
        await finals.check_in_finalist(session, qualification_id=qualification_id, actor=referee)
    await stations.add_stations(session, tournament_id=tournament.id, count=4, actor=staff)
    stage = await finals.seed_final(session, tournament_id=tournament.id, draw_seed=20250412, actor=staff)
    first_round = [match.id for match in brackets.playable(stage.event())]
    for match_id in first_round:
        await _play(session, stage, match_id, rng, referee)
    await _play(session, stage, brackets.playable(stage.event())[0].id, rng, referee)
    called = [s for s in await stations.stations_of(session, tournament.id) if s.match_id]
    return [
        f"  finale : {len(present)} finalistes (dont {absent.pseudonym} absent et remplacé), "
        f"{len(first_round) + 1} manches jouées, {len(called)} poste(s) appelé(s) : /tournois/{tournament.id}/finale",
        "  tableau en direct : /direct",
    ]
