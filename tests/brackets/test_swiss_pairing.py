"""Swiss pairing: every event completes, the bye goes to the lowest-ranked eligible entrant, and the
pairing is the best legal one on the stated objective (brute force on small fields)."""

import itertools
import json
import random

from hypothesis import given, settings
from hypothesis import strategies as st

import brackets
from brackets import cli, completion, engine, swiss
from brackets.model import BracketError, Result
from brackets.swiss import _Objective, _State, best_pairing


def run_cli(capsys, *argv):
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured


def rounds_of(event, number):
    return [m.entrants for m in event.matches.values() if m.round == number]


def random_result(rng, match, draw_rate=0.1):
    if rng.random() < draw_rate:
        return Result(draw=True)
    return Result(winner=rng.choice(match.entrants))


# --- issue examples, exactly -------------------------------------------------------------------


def test_six_entrants_four_rounds_seed_2_no_longer_gets_stuck(capsys):
    status, captured = run_cli(capsys, "simulate", "swiss", "--entrants", "6", "--rounds", "4",
                               "--results", "random", "--seed", "2")
    assert status == 0, captured.err
    data = json.loads(captured.out)
    assert max(m["round"] for m in data["matches"]) == 4
    met = [frozenset(m["entrants"]) for m in data["matches"] if None not in m["entrants"]]
    assert len(met) == len(set(met)) == 12


def test_the_bye_after_a_fallback_goes_to_the_lowest_ranked_eligible_entrant():
    event = brackets.create("swiss", 7)
    for match_id, winner in [("S-R1-1", 4), ("S-R1-2", 5), ("S-R1-3", None), ("S-R2-1", 5), ("S-R2-2", 7),
                             ("S-R2-3", None)]:
        brackets.record(event, match_id, Result(draw=True) if winner is None else Result(winner=winner))
    # Seeds 1 and 3 have 1 point and no bye yet; 3 ranks lower (seed order within the score).
    assert rounds_of(event, 3) == [[5, 7], [2, 1], [4, 6], [3, None]]
    assert "Seed 3 has the bye in round 3." in event.report


def test_the_bye_goes_to_the_lower_ranked_of_two_on_the_same_points(capsys):
    status, captured = run_cli(capsys, "simulate", "swiss", "--entrants", "11", "--results", "random",
                               "--seed", "15")
    assert status == 0
    data = json.loads(captured.out)
    byes = [m["entrants"][0] for m in data["matches"] if m["round"] == 4 and m["entrants"][1] is None]
    assert byes == [7]


def test_score_groups_are_paired_within_themselves_when_a_legal_way_exists():
    event = brackets.create("swiss", 8)
    for match_id, winner in [("S-R1-1", 5), ("S-R1-2", 6), ("S-R1-3", 3), ("S-R1-4", 4),
                             ("S-R2-1", 5), ("S-R2-2", 6), ("S-R2-3", 7), ("S-R2-4", 2)]:
        brackets.record(event, match_id, Result(winner=winner))
    assert rounds_of(event, 3) == [[5, 6], [2, 7], [3, 4], [1, 8]]
    assert not any("floated" in line for line in event.report)


def test_a_float_is_explained():
    event = brackets.create("swiss", 6)
    for match in brackets.playable(event):
        brackets.record(event, match.id, Result(winner=min(match.entrants)))
    # 1, 2, 3 won: three on 3 points, so one floats down.
    assert rounds_of(event, 2) == [[1, 2], [3, 4], [5, 6]]
    assert event.report == ["Round 2: seed 3 (3 points) floated down to meet seed 4 (0 points) because the "
                            "3 points group had an odd number of entrants (3)."]


def test_more_rounds_than_a_field_allows_is_refused_with_the_reason():
    for count, most in [(6, 5), (7, 7)]:
        try:
            brackets.create("swiss", count, rounds=most + 1)
        except BracketError as error:
            assert str(error).startswith(f"rounds must be a whole number from 1 to {most} for {count} entrants")
        else:
            raise AssertionError("accepted")
    assert brackets.create("swiss", 6, rounds=5).report == []


# --- properties ----------------------------------------------------------------------------------


@st.composite
def swiss_runs(draw):
    count = draw(st.integers(4, 16))
    most = count if count % 2 else count - 1
    return count, draw(st.integers(1, most)), draw(st.randoms(use_true_random=False))


@settings(max_examples=150, deadline=None)
@given(swiss_runs())
def test_every_swiss_of_4_to_16_completes_whatever_the_results(run):
    count, rounds, rng = run
    event = brackets.create("swiss", count, rounds=rounds)
    byes = set()
    while playable := brackets.playable(event):
        for match in playable:
            brackets.record(event, match.id, random_result(rng, match))
        assert_bye_went_to_lowest_eligible(event)
    assert max(m.round for m in event.matches.values()) == rounds
    met = set()
    for match in event.matches.values():
        first, second = match.entrants
        if second is None:
            assert first not in byes
            byes.add(first)
        else:
            assert frozenset((first, second)) not in met
            met.add(frozenset((first, second)))


def assert_bye_went_to_lowest_eligible(event):
    """The bye of the newest round: no lower-ranked entrant without a bye could have taken it legally."""
    last = max(m.round for m in event.matches.values())
    if last == 1:
        return
    bye = [m.entrants[0] for m in event.matches.values() if m.round == last and m.entrants[1] is None]
    if not bye:
        return
    before = _state_before(event, last)
    order = sorted(before.points, key=lambda s: (-before.points[s], s))
    remaining = event.options["rounds"] - last
    lower = order[order.index(bye[0]) + 1:]
    for seed in lower:
        if seed in before.had_bye:
            continue
        rest = [s for s in order if s != seed]
        found = best_pairing(rest, before.points, before.opponents, before.had_bye | set(rest), remaining)
        # Any pairing giving the lower seed the bye must break a rule or block a later round.
        assert found is None or not _completes(before, found.pairs, seed, remaining), (bye, seed)


def _completes(state, pairs, bye, remaining):
    opponents = {s: set(o) for s, o in state.opponents.items()}
    for a, b in pairs:
        opponents[a].add(b)
        opponents[b].add(a)
    order = sorted(state.points)
    objective = _Objective(order, state.points, opponents, state.had_bye | {bye})
    return objective.completable(frozenset(), remaining)


def _state_before(event, number):
    probe = brackets.create("swiss", len(event.entrants), **event.options)
    probe.matches = {k: m for k, m in event.matches.items() if m.round < number}
    return _State.of(probe)


def all_pairings(order, opponents, had_bye):
    """Every legal pairing of ``order``: (pairs, bye)."""
    if len(order) % 2:
        for bye in order:
            if bye not in had_bye:
                for pairs in _perfect([s for s in order if s != bye], opponents):
                    yield pairs, bye
    else:
        for pairs in _perfect(list(order), opponents):
            yield pairs, None


def _perfect(seeds, opponents):
    if not seeds:
        yield []
        return
    first, rest = seeds[0], seeds[1:]
    for partner in rest:
        if partner not in opponents[first]:
            others = [s for s in rest if s != partner]
            for pairs in _perfect(others, opponents):
                yield [(first, partner), *pairs]


def completes_by_brute_force(seeds, opponents, rounds):
    """Whether ``rounds`` more rounds can be paired, by trying every set of that many legal pairings.

    Every perfect matching of the pairs not yet played is listed, then every set of ``rounds`` of them,
    pairwise without a common pair, is tried: the order in which the rounds are played changes nothing
    (no byes in an even field), so sets are tried, not sequences (the sequences made it ``rounds!`` times
    slower: 46 s under load for this one test).
    """
    matchings = [frozenset(frozenset(pair) for pair in pairs) for pairs in _perfect(list(seeds), opponents)]

    def extend(start, used, left):
        if left == 0:
            return True
        return any(used.isdisjoint(matchings[i]) and extend(i + 1, used | matchings[i], left - 1)
                   for i in range(start, len(matchings) - left + 1))

    return extend(0, frozenset(), rounds)


def first_three(order, points, pairs, bye):
    """The objective's first criteria, computed independently: bye rank from the bottom, floats, squared gaps."""
    bye_cost = 0 if bye is None else len(order) - 1 - order.index(bye)
    floats = sum(1 for a, b in pairs if points[a] != points[b])
    squares = sum((2 * (points[a] - points[b])) ** 2 for a, b in pairs)
    return bye_cost, floats, squares


@settings(max_examples=120, deadline=None)
@given(st.integers(4, 10), st.data(), st.randoms(use_true_random=False))
def test_no_legal_pairing_is_better_on_the_objective_than_the_one_chosen(count, data, rng):
    most = count if count % 2 else count - 1
    rounds = data.draw(st.integers(2, most))
    stop = data.draw(st.integers(1, rounds - 1))
    event = brackets.create("swiss", count, rounds=rounds)
    while max(m.round for m in event.matches.values()) <= stop:
        for match in brackets.playable(event):
            brackets.record(event, match.id, random_result(rng, match, draw_rate=0.2))
    number = stop + 1
    state = _state_before(event, number)
    order = sorted(state.points, key=lambda s: (-state.points[s], s))
    remaining = rounds - number
    chosen = best_pairing(order, state.points, state.opponents, state.had_bye, remaining)
    assert sorted(map(sorted, chosen.pairs)) == sorted(sorted(p) for p in rounds_of(event, number) if None not in p)
    objective = _Objective(order, state.points, state.opponents, state.had_bye)
    best = None
    for pairs, bye in all_pairings(order, state.opponents, state.had_bye):
        after = {s: set(o) for s, o in state.opponents.items()}
        for a, b in pairs:
            after[a].add(b)
            after[b].add(a)
        if remaining and not _Objective(order, state.points, after, state.had_bye | ({bye} if bye else set())
                                        ).completable(frozenset(), remaining):
            continue
        cost = objective.cost(pairs, bye)
        assert first_three(order, state.points, pairs, bye)[:2] == cost[:2]
        best = cost if best is None or cost < best else best
    assert chosen.cost == best
    assert first_three(order, state.points, chosen.pairs, chosen.bye)[:2] == best[:2]


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 4).map(lambda k: 2 * k), st.data())
def test_the_completion_check_agrees_with_brute_force(vertices, data):
    seeds = list(range(1, vertices + 1))
    pairs = [p for p in itertools.combinations(seeds, 2)]
    played = data.draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs)))
    rounds = data.draw(st.integers(1, vertices - 1))
    opponents = {s: set() for s in seeds}
    for a, b in played:
        opponents[a].add(b)
        opponents[b].add(a)
    adjacency = [0] * vertices
    for a, b in pairs:
        if b not in opponents[a]:
            adjacency[a - 1] |= 1 << (b - 1)
            adjacency[b - 1] |= 1 << (a - 1)
    assert completion.can_complete(adjacency, rounds) == completes_by_brute_force(seeds, opponents, rounds)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 4).map(lambda k: 2 * k), st.data())
def test_a_found_completion_is_made_of_edge_disjoint_perfect_matchings_of_the_graph(vertices, data):
    pairs = list(itertools.combinations(range(vertices), 2))
    edges = set(data.draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs))))
    rounds = data.draw(st.integers(1, vertices - 1))
    adjacency = [0] * vertices
    for a, b in edges:
        adjacency[a] |= 1 << b
        adjacency[b] |= 1 << a
    answer, matchings = completion.find_completion(adjacency, rounds)
    assert answer == completion.can_complete(adjacency, rounds)
    used = set()
    for matching in matchings:
        assert sorted(v for pair in matching for v in pair) == list(range(vertices))
        as_edges = {tuple(sorted(pair)) for pair in matching}
        assert as_edges <= edges and not as_edges & used
        used |= as_edges
    assert len(matchings) <= rounds and (answer or not matchings)


@settings(max_examples=40, deadline=None)
@given(swiss_runs())
def test_a_swiss_completes_even_when_every_look_ahead_runs_out_of_steps(run):
    """The completion search's step budget is a speed bound, never a reason to pair into a dead end."""
    count, rounds, rng = run
    budget = completion.BUDGET
    completion.BUDGET = 1
    try:
        event = brackets.create("swiss", count, rounds=rounds)
        while playable := brackets.playable(event):
            for match in playable:
                brackets.record(event, match.id, random_result(rng, match))
    finally:
        completion.BUDGET = budget
    assert max(m.round for m in event.matches.values()) == rounds
    assert len({frozenset(m.entrants) for m in event.matches.values()}) == len(event.matches)
