"""A player's own space through their private link: a dispute seen by both players, a decided match
opened from an old link, their results and places, a replaced link, and the board events that tell an
open page to refresh. The page and `/api/me/tournament` say the same thing."""

import pytest

from tests.web.tournament.world import build_world, create_tournament, ok, result_url, run_session


@pytest.fixture
def world(client, make_library, make_account):
    return build_world(client, make_library, make_account, {"Vernon": 4})


@pytest.fixture
def running(world):
    """The Vernon qualifier running in single elimination (4 players), and the first match's two players."""
    tournament = create_tournament(world)
    _, stage = run_session(world, tournament["id"], "Vernon", "single_elimination")
    match = stage["matches"][0]
    a, b = (world.player(next(p.pseudonym for p in world.players["Vernon"] if p.id == seat["player_id"]))
            for seat in match["players"])
    return tournament["id"], stage["id"], match, a, b


def board_seq(world, tid) -> int:
    return ok(world.get(f"/api/boards/{tid}/snapshot"))["seq"]


def space(world, player) -> dict:
    return ok(world.as_player(player, "GET", "/api/me/tournament"))


def test_a_dispute_is_shown_to_both_players_with_what_happens_next(world, running):
    tid, sid, match, a, b = running
    seq = board_seq(world, tid)
    report = ok(world.as_player(a, "POST", f"/api/me/matches/{sid}/{match['id']}/report", {"winner_player_id": a.id}), 201)
    assert board_seq(world, tid) == seq + 1  # an open page of b hears of it and fetches its space
    ok(world.as_player(b, "POST", f"/api/me/reports/{report['id']}/dispute", {"note": "C'est moi qui ai gagné"}))
    assert board_seq(world, tid) == seq + 2

    mine, theirs = space(world, a), space(world, b)
    assert [(d["report"]["id"], d["report"]["status"], d["by_me"], d["reported_by_me"]) for d in mine["disputes"]] == [
        (report["id"], "disputed", False, True)]
    assert [(d["by_me"], d["reported_by_me"]) for d in theirs["disputes"]] == [(True, False)]
    assert [(m["match"]["id"], m["disputed"], m["report_pending"]) for m in mine["matches"]] == [(match["id"], True, False)]
    assert mine["to_confirm"] == [] and theirs["to_confirm"] == []

    page = world.get(f"/joueur/{a.token}/tournois").text
    assert "Ton adversaire conteste le résultat que tu as envoyé." in page
    assert f"Résultat déclaré : {a.pseudonym} gagne" in page
    assert "Résultat contesté : ta ou ton bibliothécaire va trancher." in page
    assert f'href="/joueur/{a.token}/matchs/{sid}/{match["id"]}"' not in page  # not silently "to play" again
    assert "Tu as contesté ce résultat." in world.get(f"/joueur/{b.token}/tournois").text

    # An old report page, or its form sent late, shows the dispute instead of a new report.
    form_page = world.get(f"/joueur/{a.token}/matchs/{sid}/{match['id']}")
    assert form_page.status_code == 200 and "Résultat contesté" in form_page.text and "<form" not in form_page.text.split("<main")[1]
    late = world.form(f"/joueur/{a.token}/matchs/{sid}/{match['id']}", {"winner": str(a.id)})
    assert late.status_code == 409 and "Résultat contesté" in late.text and "Erreur 409" not in late.text

    # The librarian settles it: the dispute leaves both spaces and the result is in their histories.
    world.act_as(world.librarians["Vernon"])
    ok(world.post(result_url(tid, sid, match["id"]), {"version": 0, "winner_player_id": b.id},
                  headers={"Idempotency-Key": "settle-1"}))
    mine = space(world, a)
    assert mine["disputes"] == [] and mine["matches"] == []
    assert [(r["match"]["id"], r["result"], r["final"]) for r in mine["results"]] == [(match["id"], f"{b.pseudonym} gagne", False)]


def test_a_decided_match_opened_from_an_old_link_shows_its_result(world, running):
    tid, sid, match, a, b = running
    world.act_as(world.librarians["Vernon"])
    ok(world.post(result_url(tid, sid, match["id"]), {"version": 0, "winner_player_id": a.id},
                  headers={"Idempotency-Key": "desk-1"}))
    page = world.get(f"/joueur/{a.token}/matchs/{sid}/{match['id']}")
    assert page.status_code == 200
    assert "Ce match est terminé" in page.text
    assert f"Son résultat est enregistré : {a.pseudonym} gagne" in page.text
    assert "Erreur" not in page.text
    late = world.form(f"/joueur/{b.token}/matchs/{sid}/{match['id']}", {"winner": str(b.id)})
    assert late.status_code == 409 and "Ce match est terminé" in late.text and "Erreur 409" not in late.text
    # The API keeps its conflict for a program.
    refused = world.as_player(b, "POST", f"/api/me/matches/{sid}/{match['id']}/report", {"winner_player_id": b.id})
    assert refused.status_code == 409 and refused.json()["code"] == "match_not_playable"

    mine = space(world, a)
    assert [(t["tournament_id"], t["bracket_url"], t["board_url"], t["qualification"], t["finalist"])
            for t in mine["tournaments"]] == [(tid, f"/direct/{tid}/tableau", f"/direct/{tid}", None, False)]
    assert mine["tournaments"][0]["qualifier"] == {"stage_id": sid, "place": 1, "of": 4, "provisional": True}
    assert space(world, b)["tournaments"][0]["qualifier"]["place"] == 4  # out first: behind the three still in play
    page = world.get(f"/joueur/{a.token}/tournois").text
    assert f'<a href="/direct/{tid}/tableau">Voir le tableau</a>' in page
    assert "1 sur 4 (pas encore définitif)" in page
    assert "Mes résultats" in page and f"{a.pseudonym} gagne" in page


def test_the_report_page_speaks_to_the_player_with_tu(world, running):
    tid, sid, match, a, b = running
    page = world.get(f"/joueur/{a.token}/matchs/{sid}/{match['id']}").text
    assert "Touche le gagnant :" in page and "Déclare le résultat : un autre joueur du match le confirmera." in page
    assert "Touchez" not in page
    refused = world.form(f"/joueur/{a.token}/matchs/{sid}/{match['id']}", {"winner": "nobody"})
    assert refused.status_code == 400 and "Choisis qui a gagné." in refused.text and "Choisissez" not in refused.text


def test_the_space_page_listens_to_its_tournaments_board(world, running):
    tid, sid, match, a, b = running
    page = world.get(f"/joueur/{a.token}/tournois").text
    seq = board_seq(world, tid)
    assert f'data-live="[{{&#34;since&#34;: {seq}, &#34;ws&#34;: &#34;ws://testserver.local:' in page
    assert f'/tournoi/{tid}&#34;}}]"' in page
    assert '<script src="/static/tournament/player-live.js" defer></script>' in page
    assert "Cette page se met à jour toute seule" in page
    # The API says the same: where to listen, and from which seq.
    (mine,) = space(world, a)["tournaments"]
    assert mine["since"] == seq
    assert mine["live_url"].startswith("ws://testserver.local:") and mine["live_url"].endswith(f"/tournoi/{tid}")


def test_a_replaced_link_says_to_ask_the_library_for_the_new_one(world, running):
    tid, sid, match, a, b = running
    world.act_as(world.librarians["Vernon"])
    fresh = ok(world.post(f"/api/players/{a.id}/link"))
    for path in ("", "/tournois", f"/matchs/{sid}/{match['id']}"):
        old = world.get(f"/joueur/{a.token}{path}")
        assert old.status_code == 410, path
        assert "Ce lien ne marche plus." in old.text
        assert "Ce lien a été remplacé ou n&#39;existe plus : demande le nouveau à ta bibliothèque." in old.text
    assert world.get(f"/joueur/{fresh['token']}/tournois").status_code == 200
