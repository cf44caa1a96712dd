"""Tournament mails, to the librarian only: a disputed result to settle, and how many of their players qualified
for the final. Players get none, and no mail names a player."""

import re

import pytest

from tests.conftest import csrf_headers, login, run
from tests.tournament import factories as f
from tests.tournament.test_finals import qualified  # noqa: F401 (fixture)
from tests.tournament.test_self_report import call, qualifier, seats  # noqa: F401 (fixture)
from tests.web.notifications.mails import in_rolled_back_transaction, outbox, sent
from tests.web.notifications.smtp import text_of
from tournament import finals
from tournament.accounts import Role
from tournament.results import ResultInput
from tournament.self_report import report, respond


def test_a_dispute_asks_the_hosting_librarians_to_settle_it_with_a_working_link(
        app, client, db, qualifier, make_account, smtp, deliver):
    stage, players, library = qualifier
    make_account("lea@louviers.test", Role.LIBRARIAN, library.id)
    make_account("other@vernon.test", Role.LIBRARIAN, run(f.add_library(db, "Vernon")).id)
    a, b = seats(stage)
    row = run(call(db, report, stage_id=stage.id, match_id="W1-1", data=ResultInput(winner_player_id=a),
                   actor=f.player_actor(players[a])))
    in_rolled_back_transaction(db, lambda s: respond(s, report_id=row.id, agree=False, actor=f.player_actor(players[b])))
    assert outbox(db) == []
    run(call(db, respond, report_id=row.id, agree=False, note="Mauvais score", actor=f.player_actor(players[b])))
    assert sent(db, "tournament_dispute") == [("lea@louviers.test", "Un résultat à trancher : match W1-1")]
    assert deliver() == 1
    [message] = smtp.recorder.messages
    text = text_of(message)
    for player in players.values():
        assert player.pseudonym not in text  # no player's data
    link = re.search(r"http://127\.0\.0\.1:8000(/tournois/\d+/phases/\d+/matchs/W1-1)", text).group(1)
    login(client, "lea@louviers.test")
    page = client.get(link)
    assert page.status_code == 200 and "Mauvais score" in page.text


def test_a_confirmed_report_mails_nobody(app, db, qualifier, make_account):
    stage, players, library = qualifier
    make_account("lea@louviers.test", Role.LIBRARIAN, library.id)
    a, b = seats(stage)
    row = run(call(db, report, stage_id=stage.id, match_id="W1-1", data=ResultInput(winner_player_id=a),
                   actor=f.player_actor(players[a])))
    run(call(db, respond, report_id=row.id, agree=True, actor=f.player_actor(players[b])))
    assert outbox(db) == []


def test_each_library_hears_how_many_of_its_players_qualified_and_only_when_that_changes(
        app, db, qualified, make_account):  # noqa: F811
    tournament, rows = qualified
    libraries = {commune: rows[f"{commune[:3]}1"].library_id for commune in ("Vernon", "Bernay", "Gisors")}
    for commune, library_id in libraries.items():
        make_account(f"bib@{commune.lower()}.test", Role.LIBRARIAN, library_id)
    in_rolled_back_transaction(db, lambda s: finals.refresh_finalists(s, tournament_id=tournament.id, actor=f.STAFF))
    assert outbox(db) == []
    run(call(db, finals.refresh_finalists, tournament_id=tournament.id, actor=f.STAFF))
    subject = "Tournoi Mario Kart 8 Deluxe : vos finalistes"
    assert sorted(sent(db, "tournament_finalists")) == [
        ("bib@bernay.test", subject), ("bib@gisors.test", subject), ("bib@vernon.test", subject)]
    texts = {m.recipient: m.body_text for m in outbox(db, "tournament_finalists")}
    assert "3 joueurs de votre bibliothèque sont qualifiés pour la finale" in texts["bib@vernon.test"]
    assert "2 joueurs de votre bibliothèque sont qualifiés pour la finale" in texts["bib@bernay.test"]
    assert all(not re.search(r"(Ver|Ber|Gis)\d", text) for text in texts.values())  # no pseudonym
    run(call(db, finals.refresh_finalists, tournament_id=tournament.id, actor=f.STAFF))  # same finalists
    assert len(sent(db, "tournament_finalists")) == 3
