"""Who reaches what: every kind of visitor against a representative set of pages and API routes.

Pages answer an anonymous visitor with a redirect to the login page (303), the API with 401.
Private links (`/joueur/…`, `/ecran/…`) are their own credential: whoever holds one sees its page,
and a link that opens nothing is a page that does not exist (404).
"""

import pytest

from tests.conftest import csrf_headers, login, run
from tournament.accounts import Role
from tournament.audit import Actor
from tournament.players import create_player
from tournament.screens import create_screen, revoke_screen

ACTORS = ("anonymous", "staff", "librarian_a", "librarian_b", "referee", "player", "screen")
SET_UP = Actor(kind="account", id=0, role=Role.MDE, name="set-up")
NEW_PLAYER = {"pseudonym": "NouveauJoueur", "first_name": "Sam", "last_initial": "R", "age_category": "adult"}

# (method, path, JSON body, expected status for each actor in the order of ACTORS)
MATRIX = [
    ("GET", "/admin/comptes", None, (303, 200, 403, 403, 403, 403, 403)),
    ("GET", "/api/accounts", None, (401, 200, 403, 403, 403, 403, 403)),
    ("GET", "/bibliotheques", None, (303, 200, 403, 403, 403, 403, 403)),
    ("GET", "/bibliotheques/{a}", None, (303, 200, 200, 403, 403, 403, 403)),
    ("GET", "/bibliotheques/{b}", None, (303, 200, 403, 200, 403, 403, 403)),
    ("GET", "/api/libraries/{a}", None, (401, 200, 200, 403, 403, 403, 403)),
    ("GET", "/api/libraries/{a}/players", None, (401, 200, 200, 403, 403, 403, 403)),
    ("POST", "/api/libraries/{a}/players", NEW_PLAYER, (401, 201, 201, 403, 403, 403, 403)),
    ("POST", "/api/players/{other_player_a}/link", None, (401, 200, 200, 403, 403, 403, 403)),
    ("GET", "/joueur/{player_token}", None, (200, 200, 200, 200, 200, 200, 200)),
    ("GET", "/joueur/not-a-real-token", None, (410, 410, 410, 410, 410, 410, 410)),
    ("GET", "/api/me/player", None, (401, 403, 403, 403, 403, 200, 403)),
    ("GET", "/admin/ecrans", None, (303, 200, 403, 403, 403, 403, 403)),
    ("POST", "/api/screens", {"label": "Écran hall"}, (401, 201, 403, 403, 403, 403, 403)),
    ("GET", "/ecran/{screen_token}", None, (200, 200, 200, 200, 200, 200, 200)),
    ("GET", "/ecran/{revoked_screen_token}", None, (404, 404, 404, 404, 404, 404, 404)),
    ("GET", "/compte", None, (303, 200, 200, 200, 200, 403, 403)),
]


async def _people(db, a: int, b: int) -> dict:
    async def enrol(session, library_id: int, pseudonym: str):
        return await create_player(
            session, library_id=library_id, pseudonym=pseudonym, first_name="Alex", last_initial="B",
            age_category="adult", actor=SET_UP,
        )

    async with db.write() as session:
        player = await enrol(session, a, "LunaKart")
        other = await enrol(session, a, "Speedy")
        in_b = await enrol(session, b, "Bolt")
        screen = await create_screen(session, label="Écran scène", actor=SET_UP)
        revoked = await create_screen(session, label="Ancien écran", actor=SET_UP)
        await revoke_screen(session, screen_id=revoked.screen.id, actor=SET_UP)
    return {
        "player_token": player.token,
        "other_player_a": other.player.id,
        "player_b": in_b.player.id,
        "screen_token": screen.token,
        "revoked_screen_token": revoked.token,
    }


@pytest.fixture
def world(db, make_library, make_account) -> dict:
    """Two libraries with a librarian each, MDE staff, a referee, players, a live and a revoked screen."""
    a = make_library("Médiathèque de Vernon", "Vernon")
    b = make_library("Médiathèque de Bernay", "Bernay")
    make_account("staff@mde.test", Role.MDE)
    make_account("lea@vernon.test", Role.LIBRARIAN, a)
    make_account("hugo@bernay.test", Role.LIBRARIAN, b)
    make_account("nora@arbitre.test", Role.REFEREE)
    return {"a": a, "b": b, **run(_people(db, a, b))}


EMAILS = {
    "staff": "staff@mde.test",
    "librarian_a": "lea@vernon.test",
    "librarian_b": "hugo@bernay.test",
    "referee": "nora@arbitre.test",
}


def act_as(client, actor: str, world: dict) -> dict[str, str]:
    """Make `client` that actor; returns the headers its requests carry."""
    if actor in EMAILS:
        assert login(client, EMAILS[actor]).status_code == 200
        return {}
    if actor == "player":
        return {"authorization": f"Bearer {world['player_token']}"}
    if actor == "screen":
        return {"authorization": f"Bearer {world['screen_token']}"}
    return {}


@pytest.mark.parametrize("actor", ACTORS)
def test_each_visitor_reaches_exactly_what_their_role_allows(client, world, actor):
    headers = act_as(client, actor, world)
    expected, observed = {}, {}
    for method, path, body, statuses in MATRIX:
        route = f"{method} {path}"
        expected[route] = statuses[ACTORS.index(actor)]
        extra = csrf_headers(client) if method == "POST" else {}
        response = client.request(
            method, path.format(**world), json=body, headers={**headers, **extra}, follow_redirects=False
        )
        observed[route] = response.status_code
    assert observed == expected


def test_an_anonymous_visitor_is_sent_to_the_login_page_and_back(client, world):
    response = client.get(f"/bibliotheques/{world['a']}", follow_redirects=False)
    assert response.headers["location"] == f"/connexion?next=/bibliotheques/{world['a']}"


def test_a_librarian_is_denied_every_resource_of_another_library(client, world):
    login(client, "lea@vernon.test")
    headers = csrf_headers(client)
    b, player_b = world["b"], world["player_b"]
    attempts = {
        "page": client.get(f"/bibliotheques/{b}"),
        "contact form": client.post(f"/bibliotheques/{b}/contact", data={"phone": "02 00 00 00 00"}, headers=headers),
        "enrol form": client.post(f"/bibliotheques/{b}/joueurs", data=NEW_PLAYER, headers=headers),
        "new link form": client.post(f"/joueurs/{player_b}/lien", headers=headers),
        "new link confirmation": client.get(f"/joueurs/{player_b}/lien"),
        "library API": client.get(f"/api/libraries/{b}"),
        "contact API": client.patch(f"/api/libraries/{b}", json={"phone": "02 00 00 00 00"}, headers=headers),
        "players API": client.get(f"/api/libraries/{b}/players"),
        "enrol API": client.post(f"/api/libraries/{b}/players", json=NEW_PLAYER, headers=headers),
        "new link API": client.post(f"/api/players/{player_b}/link", headers=headers),
    }
    assert {name: response.status_code for name, response in attempts.items()} == dict.fromkeys(attempts, 403)
    assert attempts["new link API"].json()["detail"] == "Vous n'avez pas le droit d'effectuer cette action."


def test_a_player_token_opens_nothing_but_its_own_pages(client, world):
    bearer = {"authorization": f"Bearer {world['player_token']}"}
    paths = ("/api/accounts", f"/api/libraries/{world['a']}", f"/api/libraries/{world['a']}/players", "/api/screens")
    denied = {path: client.get(path, headers=bearer, follow_redirects=False).status_code for path in paths}
    assert denied == dict.fromkeys(denied, 403)
    relink = client.post(f"/api/players/{world['other_player_a']}/link", headers=bearer)
    assert relink.status_code == 403
    assert client.get("/api/me/player", headers=bearer).json()["pseudonym"] == "LunaKart"
