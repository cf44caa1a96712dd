"""The allocation rule on small editions with exact expected outcomes (no database)."""

import hashlib
from datetime import UTC, datetime

import pytest

from tournament.festival.allocation import (
    Animation, AnimationRequest, Inputs, InputsError, LibraryFacts, Provider, Window, allocate, canonical_json,
    compare, format_euros, format_window, inputs_from_data, inputs_sha256, inputs_to_data, priority_class,
    priority_order, result_to_data, ticket,
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 4, day, hour, minute, tzinfo=UTC)


AM2, PM2, DAY2 = Window(at(2, 8), at(2, 11)), Window(at(2, 12), at(2, 15)), Window(at(2, 7), at(2, 16))
PM3 = Window(at(3, 12), at(3, 15))
ROBOTS = Provider(id=1, name="Les Robots Joyeux", availability=(Window(at(2, 7), at(2, 17)), Window(at(3, 7), at(3, 17))))
VR = Provider(id=2, name="Studio Immersion", availability=(Window(at(2, 7), at(2, 17)),))
THYMIO = Animation(id=1, title="Atelier Thymio", provider_id=1, duration_minutes=120)
CASQUES = Animation(id=2, title="Voyage en réalité virtuelle", provider_id=2, duration_minutes=90)

NEWCOMER = LibraryFacts(id=7, name="Bibliothèque de Rugles")
NEVER_SERVED = LibraryFacts(id=3, name="Médiathèque de Gisors", took_part_before=True)
REGULAR = LibraryFacts(id=5, name="Médiathèque de Vernon", took_part_before=True, received_animation_before=True)
FUNDED = LibraryFacts(id=9, name="Médiathèque de Bernay", took_part_before=True, received_funding_before=True)


def edition(*requests, libraries=(NEWCOMER, NEVER_SERVED, REGULAR, FUNDED), **kwargs) -> Inputs:
    return Inputs(edition="X.PO 2025", libraries=libraries, providers=(ROBOTS, VR), animations=(THYMIO, CASQUES),
                  requests=tuple(requests), **kwargs)


def ask(request_id, library, animation, rank, *slots) -> AnimationRequest:
    return AnimationRequest(id=request_id, library_id=library.id, animation_id=animation.id, rank=rank, slots=slots)


def outcome(result):
    return {d.request_id: (d.reason, d.slot) for d in result.decisions}


def test_priority_classes_follow_the_history():
    assert [priority_class(lib) for lib in (NEWCOMER, NEVER_SERVED, REGULAR, FUNDED)] == [1, 2, 3, 3]


def test_the_lottery_ticket_is_the_sha256_of_seed_colon_id():
    assert ticket("X.PO 2025", 7) == hashlib.sha256(b"X.PO 2025:7").hexdigest()


def test_classes_come_first_and_tickets_order_each_class():
    order = priority_order([FUNDED, REGULAR, NEVER_SERVED, NEWCOMER], "graine")
    assert [e.library_id for e in order][:2] == [NEWCOMER.id, NEVER_SERVED.id]
    last_two = sorted([REGULAR, FUNDED], key=lambda lib: ticket("graine", lib.id))
    assert [e.library_id for e in order][2:] == [lib.id for lib in last_two]
    assert [e.position for e in order] == [1, 2, 3, 4]


def test_the_newcomer_gets_the_only_window_and_the_others_learn_why():
    result = allocate(edition(ask(1, REGULAR, THYMIO, 1, PM2), ask(2, NEWCOMER, THYMIO, 1, PM2)), "s")
    assert outcome(result) == {2: ("granted", PM2), 1: ("provider_busy", None)}
    refused = next(d for d in result.decisions if d.request_id == 1)
    assert refused.explanation.startswith("Refusée : l'intervenant (Les Robots Joyeux) n'a plus de créneau libre")
    assert "priorité 3" in refused.explanation


def test_no_library_gets_a_second_animation_before_the_others_had_a_first():
    # Rugles (first) wants both; Gisors wants Thymio at the same time as Rugles' second wish.
    result = allocate(edition(
        ask(1, NEWCOMER, CASQUES, 1, PM2), ask(2, NEWCOMER, THYMIO, 2, AM2),
        ask(3, NEVER_SERVED, THYMIO, 1, AM2),
    ), "s")
    assert outcome(result) == {1: ("granted", PM2), 3: ("granted", AM2), 2: ("provider_busy", None)}
    assert [(d.request_id, d.round) for d in result.decisions] == [(1, 1), (3, 1), (2, 2)]


def test_a_refused_first_wish_lets_the_library_try_its_next_one_in_the_same_round():
    result = allocate(edition(
        ask(1, NEWCOMER, THYMIO, 1, PM2), ask(2, NEVER_SERVED, THYMIO, 1, PM2), ask(3, NEVER_SERVED, CASQUES, 2, PM2),
        ask(4, REGULAR, CASQUES, 1, PM2),
    ), "s")
    assert outcome(result) == {1: ("granted", PM2), 2: ("provider_busy", None), 3: ("granted", PM2),
                               4: ("provider_busy", None)}
    assert all(d.round == 1 for d in result.decisions)


def test_a_library_never_hosts_two_animations_at_once():
    result = allocate(edition(ask(1, NEWCOMER, THYMIO, 1, PM2), ask(2, NEWCOMER, CASQUES, 2, PM2)), "s")
    assert outcome(result) == {1: ("granted", PM2), 2: ("library_busy", None)}


def test_windows_outside_the_providers_days_or_too_short_give_no_common_slot():
    short = Window(at(2, 8), at(2, 9))
    result = allocate(edition(ask(1, NEWCOMER, CASQUES, 1, PM3), ask(2, REGULAR, THYMIO, 1, short)), "s")
    assert outcome(result) == {1: ("no_common_slot", None), 2: ("no_common_slot", None)}


def test_a_whole_day_offer_blocks_the_provider_for_the_day():
    # The library holds the window it offered: a provider runs one library per window.
    result = allocate(edition(ask(1, NEWCOMER, THYMIO, 1, DAY2), ask(2, NEVER_SERVED, THYMIO, 1, AM2)), "s")
    assert outcome(result) == {1: ("granted", DAY2), 2: ("provider_busy", None)}


def test_sessions_and_the_library_limit_are_respected():
    limited = Animation(id=1, title="Atelier Thymio", provider_id=1, duration_minutes=120, sessions=1)
    inputs = Inputs(edition="X", libraries=(NEWCOMER, NEVER_SERVED), providers=(ROBOTS, VR), animations=(limited, CASQUES),
                    requests=(ask(1, NEWCOMER, THYMIO, 1, AM2), ask(2, NEVER_SERVED, THYMIO, 1, PM2),
                              ask(3, NEWCOMER, CASQUES, 2, PM2)),
                    max_animations_per_library=1)
    assert outcome(allocate(inputs, "s")) == {1: ("granted", AM2), 2: ("animation_full", None), 3: ("library_limit", None)}


def test_windows_go_to_earlier_grants_first_but_never_at_the_cost_of_a_later_grant():
    # Rugles prefers the afternoon; Gisors can only come in the afternoon: Rugles gets its second choice.
    result = allocate(edition(ask(1, NEWCOMER, THYMIO, 1, PM2, AM2), ask(2, NEVER_SERVED, THYMIO, 1, PM2)), "s")
    assert outcome(result) == {1: ("granted", AM2), 2: ("granted", PM2)}
    assert "le créneau n° 2 de votre liste" in next(d for d in result.decisions if d.request_id == 1).explanation
    alone = allocate(edition(ask(1, NEWCOMER, THYMIO, 1, PM2, AM2)), "s")
    assert outcome(alone) == {1: ("granted", PM2)}


def test_the_inputs_hash_ignores_list_order_and_offsets_but_not_content():
    data = inputs_to_data(edition(ask(1, NEWCOMER, THYMIO, 1, PM2, AM2)))
    again = inputs_from_data(data)
    assert inputs_sha256(again) == hashlib.sha256(canonical_json(data)).hexdigest()
    data["requests"][0]["slots"][0]["start"] = "2025-04-02T14:00:00+02:00"  # the same instant, written in Paris time
    assert inputs_sha256(inputs_from_data(data)) == inputs_sha256(again)
    data["requests"][0]["slots"].reverse()  # the library's preference is part of the inputs
    assert inputs_sha256(inputs_from_data(data)) != inputs_sha256(again)


@pytest.mark.parametrize(("change", "code", "path"), [
    (lambda d: d.update(format="autre"), "unknown_format", "format"),
    (lambda d: d["requests"][0].update(library_id=99), "unknown_library", "requests[0].library_id"),
    (lambda d: d["requests"][0]["slots"][0].update(start="2025-04-02T14:00:00"), "instant_without_offset",
     "requests[0].slots[0].start"),
    (lambda d: d["requests"][0]["slots"][0].update(end="2025-04-02T11:00:00Z"), "window_ends_before_start",
     "requests[0].slots[0]"),
    (lambda d: d["animations"].append(dict(d["animations"][0])), "duplicate_id", "animations[2]"),
    (lambda d: d["requests"][0].update(rank=0), "too_small", "requests[0].rank"),
])
def test_bad_inputs_are_refused_with_the_path_of_the_problem(change, code, path):
    data = inputs_to_data(edition(ask(1, NEWCOMER, THYMIO, 1, PM2)))
    change(data)
    with pytest.raises(InputsError) as refused:
        inputs_from_data(data)
    assert (refused.value.code, refused.value.path) == (code, path)


def test_compare_lists_what_changed_request_by_request():
    before = result_to_data(allocate(edition(ask(1, REGULAR, THYMIO, 1, PM2), ask(2, NEWCOMER, THYMIO, 1, PM2)), "s"))
    after = result_to_data(allocate(edition(ask(1, REGULAR, THYMIO, 1, PM2)), "s"))
    [first, second] = compare(before, after)
    assert (first.kind, first.request_id, first.before["reason"], first.after["reason"]) == (
        "animation", 1, "provider_busy", "granted")
    assert (second.request_id, second.before["status"], second.after) == (2, "granted", None)


def test_french_wording_of_amounts_and_windows():
    assert format_euros(123456) == "1\u202f234,56\u00a0€"
    # 12:00 UTC on 2 April is 14:00 in Paris (summer time since 30 March).
    assert format_window(PM2) == "mercredi 2 avril 2025 de 14:00 à 17:00"
