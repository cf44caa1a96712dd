"""The demo's printed summary: every site path becomes an address on the served port, and a path is never
cut inside (a player token may end in "-": one token in 64 broke the player's link in CI)."""

from hypothesis import given
from hypothesis import strategies as st

from tournament.demo import _absolute_links

BASE = "http://127.0.0.1:46635"
TOKENS = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=32, max_size=32)


@given(TOKENS)
def test_a_player_space_link_opens_whatever_its_token_ends_with(token):
    line = f"  espace tournoi de LunaKart (Vernon) : /joueur/{token}/tournois"
    assert _absolute_links(line, BASE) == f"  espace tournoi de LunaKart (Vernon) : {BASE}/joueur/{token}/tournois"


def test_a_token_ending_in_a_dash_keeps_its_path():
    assert _absolute_links("Lien : /joueur/abc-/tournois", BASE) == f"Lien : {BASE}/joueur/abc-/tournois"


def test_paths_at_the_start_after_a_space_or_in_brackets_become_addresses_and_nothing_else_changes():
    line = "/direct (préférences : /compte/notifications) xpo demo --today AAAA-MM-JJ 12/04 a/b"
    assert _absolute_links(line, BASE) == (
        f"{BASE}/direct (préférences : {BASE}/compte/notifications) xpo demo --today AAAA-MM-JJ 12/04 a/b")
