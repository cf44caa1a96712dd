"""Driving the tournament flow over HTTP as people do: log in, post, read the answer.

`World` holds three libraries of the Eure with a librarian each, MDE staff, a referee and players
enrolled through the API (their private-link tokens kept for self-reports).
"""

from dataclasses import dataclass, field
from typing import Any

from litestar.testing import TestClient

from tests.conftest import csrf_headers, login
from tournament.accounts import Role

COMMUNES = ("Vernon", "Bernay", "Louviers")
PSEUDONYMS = {
    "Vernon": ["LunaKart", "Titouan27", "MaxTurbo", "Zoé_Nitro", "Kenzo", "Inès_Étoile", "Noé_Drift", "Lola_Bolide"],
    "Bernay": ["Max", "Chloé_Plume", "Yanis_R", "Manon_Star"],
    "Louviers": ["Léo_Champion", "Jade_Flash", "Nathan_K", "Emma_Rush"],
}


def ok(response, status: int = 200) -> Any:
    """The JSON of a response that must have `status` (the body is shown when it has not)."""
    assert response.status_code == status, f"{response.status_code}: {response.text[:2000]}"
    return response.json() if response.content else None


def tournament_body(**overrides: Any) -> dict[str, Any]:
    """A Mario Kart 8 Deluxe tournament: heats of 4, qualifiers in heats, elimination or round robin,
    a final of 8 (2 per library first) in single elimination with a third-place match."""
    body = {
        "name": "Tournoi Mario Kart 8 Deluxe",
        "game": "Mario Kart 8 Deluxe",
        "match_kind": "heat",
        "heat_size": 4,
        "races_per_heat": 2,
        "qualifier_formats": ["ffa", "single_elimination", "round_robin"],
        "qualifying_opens_at": "2025-03-29T10:00:00",
        "qualifying_closes_at": "2025-04-11T19:00:00",
        "finalists": 8,
        "quota_per_library": 2,
        "final_format": "single_elimination",
        "third_place": True,
        "final_at": "2025-04-12T14:00:00",
        "prizes": ["Une Nintendo Switch", "Un casque audio", "Un jeu au choix"],
    }
    body.update(overrides)
    return body


@dataclass
class Player:
    id: int
    pseudonym: str
    token: str
    library_id: int


@dataclass
class World:
    client: TestClient
    libraries: dict[str, int]
    librarians: dict[str, str]
    make_account: Any
    staff: str = "staff@mde.test"
    referee: str = "arbitre@mde.test"
    players: dict[str, list[Player]] = field(default_factory=dict)
    accounts: set[str] = field(default_factory=set)
    """Accounts are made when first used: hashing a password takes half a second."""

    current: str | None = None

    def act_as(self, email: str) -> None:
        """Log in as `email` (unless already), making the account on first use."""
        if email == self.current:
            return
        if email not in self.accounts:
            commune = next((c for c, e in self.librarians.items() if e == email), None)
            role = Role.LIBRARIAN if commune else Role.REFEREE if email == self.referee else Role.MDE
            self.make_account(email, role, self.libraries[commune] if commune else None)
            self.accounts.add(email)
        assert login(self.client, email).status_code == 200
        self.current = email

    def post(self, path: str, json: Any = None, *, headers: dict[str, str] | None = None):
        return self.client.post(path, json=json, headers={**csrf_headers(self.client), **(headers or {})})

    def patch(self, path: str, json: Any = None):
        return self.client.patch(path, json=json, headers=csrf_headers(self.client))

    def form(self, path: str, data: dict[str, Any] | list[tuple[str, str]]):
        """A page form post (urlencoded, CSRF header as the browser's hidden field would), not followed."""
        return self.client.post(path, data=data, headers=csrf_headers(self.client), follow_redirects=False)

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def as_player(self, player: Player, method: str, path: str, json: Any = None):
        """An API call with the player's token as a bearer and no session cookie (a phone, say)."""
        jar = self.client.cookies.jar
        saved = list(jar)
        jar.clear()
        try:
            return self.client.request(method, path, json=json, headers={"authorization": f"Bearer {player.token}"})
        finally:
            jar.clear()
            for cookie in saved:
                jar.set_cookie(cookie)

    def player(self, pseudonym: str) -> Player:
        return next(p for players in self.players.values() for p in players if p.pseudonym == pseudonym)


def build_world(client: TestClient, make_library, make_account, players_per_library: dict[str, int] | None = None) -> World:
    """Libraries and players (enrolled by their librarian over the API); accounts come when used."""
    libraries = {commune: make_library(f"Médiathèque de {commune}", commune) for commune in COMMUNES}
    librarians = {commune: f"{commune.lower()}@bib.test" for commune in COMMUNES}
    world = World(client=client, libraries=libraries, librarians=librarians, make_account=make_account)
    counts = players_per_library or {commune: len(names) for commune, names in PSEUDONYMS.items()}
    for commune, count in counts.items():
        world.act_as(librarians[commune])
        world.players[commune] = []
        for pseudonym in PSEUDONYMS[commune][:count]:
            made = ok(world.post(f"/api/libraries/{libraries[commune]}/players", {
                "pseudonym": pseudonym, "first_name": "Camille", "last_initial": "D", "age_category": "11-14",
                "guardian_consent": True, "guardian_contact": "parent@example.test",
                "guardian_name": "Claire D", "consent_on": "2026-09-01",
            }), 201)
            world.players[commune].append(Player(made["player"]["id"], pseudonym, made["token"], libraries[commune]))
    return world


def create_tournament(world: World, *, open_qualifiers: bool = True, **overrides: Any) -> dict[str, Any]:
    """A tournament created by MDE staff, with its qualifiers opened unless told otherwise."""
    world.act_as(world.staff)
    created = ok(world.post("/api/tournaments", tournament_body(**overrides)), 201)
    if open_qualifiers:
        created = ok(world.post(f"/api/tournaments/{created['id']}/open"))
    return created


def run_session(world: World, tournament_id: int, commune: str, format: str, *, players: int | None = None,
                starts_at: str = "2025-04-02T14:00:00") -> tuple[dict[str, Any], dict[str, Any]]:
    """The library joins, schedules a session, enrols and checks in its players, and starts it.

    Returns the desk (with entries) and the started stage.
    """
    world.act_as(world.librarians[commune])
    library_id = world.libraries[commune]
    ok(world.post(f"/api/tournaments/{tournament_id}/libraries", {"library_id": library_id}))
    desk = ok(world.post(f"/api/tournaments/{tournament_id}/sessions", {
        "library_id": library_id, "starts_at": starts_at, "format": format, "place": "Espace jeux", "capacity": 16,
    }), 201)
    session_id = desk["session"]["id"]
    base = f"/api/tournaments/{tournament_id}/sessions/{session_id}"
    for player in world.players[commune][:players]:
        desk = ok(world.post(f"{base}/entries", {"player_id": player.id}), 201)
    for entry in desk["entries"]:
        desk = ok(world.post(f"{base}/entries/{entry['id']}/check-in"))
    stage = ok(world.post(f"{base}/start"), 201)
    return desk, stage


def result_url(tournament_id: int, stage_id: int, match_id: str) -> str:
    return f"/api/tournaments/{tournament_id}/stages/{stage_id}/matches/{match_id}/result"


def play_out(world: World, tournament_id: int, stage_id: int, *, key_prefix: str, pick=None, races: int = 2) -> dict[str, Any]:
    """Enter a result for every playable match until none is left (the current actor must be allowed).

    Duels go to the first seat unless `pick(match)` names another winner; heats finish in seat order.
    """
    played = 0
    while True:
        stage = ok(world.get(f"/api/tournaments/{tournament_id}/stages/{stage_id}"))
        playable = [m for m in stage["matches"] if m["state"] == "playable"]
        if not playable:
            return stage
        for match in playable:
            played += 1
            ok(world.post(result_url(tournament_id, stage_id, match["id"]), result_for(match, pick, races),
                          headers={"Idempotency-Key": f"{key_prefix}-{played}"}))


def result_for(match: dict[str, Any], pick=None, races: int = 2) -> dict[str, Any]:
    ids = [seat["player_id"] for seat in match["players"]]
    if len(ids) > 2:
        return {"version": match["version"], "races": [ids] * races}
    winner = pick(match) if pick else ids[0]
    return {"version": match["version"], "winner_player_id": winner}
