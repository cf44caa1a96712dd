"""The qualifier session form follows the one time-zone rule: the spring gap is refused, the autumn double
hour asks which one and offers both, in French next to the field."""

from html import unescape

import pytest

from tests.web.tournament.world import build_world, create_tournament, ok

AUTUMN = {"qualifying_opens_at": "2025-10-01T10:00:00", "qualifying_closes_at": "2025-10-30T19:00:00",
          "final_at": "2025-10-31T14:00:00"}


@pytest.fixture
def world(client, make_library, make_account):
    return build_world(client, make_library, make_account, {"Vernon": 2})


def _schedule(world, tid: int, starts_at: str, **more: str):
    return world.form(f"/tournois/{tid}/qualifications/nouvelle", {
        "library_id": world.libraries["Vernon"], "starts_at": starts_at, "place": "Salle du conte",
        "capacity": "8", "format": "single_elimination", **more})


def _joined(world, **overrides) -> int:
    tid = create_tournament(world, **overrides)["id"]
    world.act_as(world.librarians["Vernon"])
    assert world.form(f"/tournois/{tid}/bibliotheques", {"library_id": world.libraries["Vernon"]}).status_code == 303
    return tid


def test_an_ambiguous_session_time_asks_which_one_and_offers_both(world):
    tid = _joined(world, **AUTUMN)
    refused = _schedule(world, tid, "2025-10-26T02:30")
    assert refused.status_code == 400
    assert ('<p class="error" id="e-starts_at" role="alert">Cette heure existe deux fois en France ce jour-là '
            "(passage à l'heure d'hiver) : choisissez ci-dessous laquelle.</p>") in unescape(refused.text)
    assert 'name="starts_at_fold" value="first"' in refused.text
    assert 'name="starts_at_fold" value="second"' in refused.text
    assert world.get(f"/api/tournaments/{tid}/sessions").json() == []


@pytest.mark.parametrize(("fold", "utc"), [("first", "2025-10-26T00:30:00"), ("second", "2025-10-26T01:30:00")])
def test_the_chosen_occurrence_is_the_one_stored(world, fold, utc):
    tid = _joined(world, **AUTUMN)
    created = _schedule(world, tid, "2025-10-26T02:30", starts_at_fold=fold)
    assert created.status_code == 303
    [session] = ok(world.get(f"/api/tournaments/{tid}/sessions"))
    assert session["starts_at"].startswith(utc)


def test_a_session_time_in_the_spring_gap_is_refused_next_to_the_field(world):
    tid = _joined(world)
    refused = _schedule(world, tid, "2025-03-30T02:30")
    assert refused.status_code == 400
    assert ("Cette heure n'existe pas en France ce jour-là (passage à l'heure d'été) : choisissez-en une autre."
            in unescape(refused.text))
    assert 'name="starts_at_fold"' not in refused.text


def test_an_unknown_fold_answer_still_asks(world):
    tid = _joined(world, **AUTUMN)
    refused = _schedule(world, tid, "2025-10-26T02:30", starts_at_fold="both")
    assert refused.status_code == 400
    assert 'name="starts_at_fold" value="first"' in refused.text
