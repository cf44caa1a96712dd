"""Small builders for tournament tests: a library, players, a tournament and a running stage."""

from datetime import UTC, datetime

from tournament.accounts import Role
from tournament.audit import Actor
from tournament.db import Database
from tournament.libraries import Library
from tournament.players import AgeCategory, Player
from tournament.stages import Stage, StageKind, build_stage
from tournament.tokens import new_token
from tournament.tournaments import Tournament

STAFF = Actor(kind="account", id=1, role=Role.MDE, name="staff")
REFEREE = Actor(kind="account", id=2, role=Role.REFEREE, name="referee")


def librarian(library_id: int) -> Actor:
    return Actor(kind="account", id=100 + library_id, role=Role.LIBRARIAN, library_id=library_id, name="librarian")


def player_actor(player: Player) -> Actor:
    return Actor(kind="player", id=player.id, library_id=player.library_id, name=player.pseudonym)


def mario_kart(**overrides) -> Tournament:
    values = dict(
        name="Tournoi Mario Kart 8 Deluxe",
        game="Mario Kart 8 Deluxe",
        match_kind="heat",
        qualifier_formats=["ffa", "single_elimination", "double_elimination", "round_robin", "swiss"],
        qualifying_opens_at=datetime(2025, 3, 29, 8, 0, tzinfo=UTC),
        qualifying_closes_at=datetime(2025, 4, 11, 20, 0, tzinfo=UTC),
        finalists=8,
        quota_per_library=2,
        final_format="single_elimination",
        final_at=datetime(2025, 4, 12, 12, 0, tzinfo=UTC),
        status="qualifying",
    )
    values.update(overrides)
    return Tournament(**values)


async def add_library(db: Database, commune: str) -> Library:
    async with db.write() as session:
        library = Library(name=f"Médiathèque de {commune}", commune=commune)
        session.add(library)
        await session.flush()
        return library


async def add_players(db: Database, library_id: int, count: int, prefix: str = "P") -> list[Player]:
    async with db.write() as session:
        players = []
        for i in range(1, count + 1):
            _, digest = new_token()
            player = Player(
                library_id=library_id, pseudonym=f"{prefix}{i}", first_name="Alex", last_initial="B",
                age_category=AgeCategory.ADULT.value, token_digest=digest,
            )
            session.add(player)
            players.append(player)
        await session.flush()
        return players


async def add_tournament(db: Database, **overrides) -> Tournament:
    async with db.write() as session:
        tournament = mario_kart(**overrides)
        session.add(tournament)
        await session.flush()
        return tournament


async def add_stage(
    db: Database, tournament_id: int, players: list[Player], *, kind: StageKind = StageKind.FINAL,
    format: str = "single_elimination", library_id: int | None = None, **options,
) -> Stage:
    async with db.write() as session:
        stage = build_stage(
            tournament_id=tournament_id, kind=kind, format=format,
            players=[(p.id, p.library_id, None) for p in players], options=options, library_id=library_id,
        )
        session.add(stage)
        await session.flush()
        return stage
