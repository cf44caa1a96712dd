"""What every format promises, for any number of entrants from 2 to 256.

Each property is checked for all five formats. Brackets are cheap and get many examples; round
robin, Swiss and heats cost more per event and get fewer, but draw N from the same range, and
the smallest and largest fields (2 and 256) are always among the examples.
"""

import random
from collections import Counter

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from brackets import (
    BracketError,
    Entrant,
    Result,
    correct,
    create,
    dumps,
    from_json,
    loads,
    playable,
    record,
    replay,
    standings,
    to_json,
    withdraw,
)
from brackets.seeding import same_group_pairs
from brackets.separation import same_group_meetings
from brackets.simulation import at_random, play_out

FORMATS = ("single_elimination", "double_elimination", "round_robin", "swiss", "ffa")
EXAMPLES = {"single_elimination": 30, "double_elimination": 30, "round_robin": 10, "swiss": 12, "ffa": 15}
LARGEST = {
    "single_elimination": {"third_place": True},
    "double_elimination": {"grand_final": "reset"},
    "round_robin": {"pools": 16},
    "swiss": {},
    "ffa": {"heat_size": 4, "races": 2},
}
"""The options used for the 256-entrant example of each format."""


@st.composite
def fields(draw, name):
    """A number of entrants from 2 to 256 and options of format ``name`` that fit it."""
    count = draw(st.integers(2, 256))
    if name == "single_elimination":
        return count, {"third_place": count >= 3 and draw(st.booleans())}
    if name == "double_elimination":
        return count, {"grand_final": draw(st.sampled_from(["none", "single", "reset"]))}
    if name == "round_robin":
        # Pools of at most 16 keep a field of 256 to 1,920 matches.
        return count, {"pools": draw(st.integers(-(-count // 16), min(26, count // 2) or 1))}
    if name == "swiss":
        # Up to ceil(N/2) rounds a legal pairing always exists, whatever the results.
        return count, draw(st.just({}) | st.integers(1, min(6, -(-count // 2))).map(lambda r: {"rounds": r}))
    heat_size = draw(st.integers(2, 12))
    options = {"heat_size": heat_size, "races": draw(st.integers(1, 3)),
               "advance_per_heat": draw(st.integers(1, max(1, heat_size // 2)))}
    try:  # A field that would leave a heat of one is refused at creation (tests/brackets/test_ffa.py)
        create("ffa", count, **options)
    except BracketError:
        assume(False)
    return count, options


def for_every_field(name, check):
    """Run ``check(count, options, rng)`` as a hypothesis property over the fields of format ``name``."""
    @settings(max_examples=EXAMPLES[name], deadline=None)
    @example((2, {}), random.Random(2))
    @example((256, LARGEST[name]), random.Random(256))
    @given(fields(name), st.randoms(use_true_random=False))
    def property_of(field, rng):
        check(*field, rng)

    property_of()


def places(event):
    return [(line.seed, line.place) for line in standings(event)]


def different_result(event, entry):
    """A result for the logged match that differs from the one recorded."""
    recorded = entry["result"]
    if recorded.races is not None:
        return Result(races=tuple(race[::-1] for race in recorded.races))
    winner = next(seed for seed in entry["entrants"] if seed != recorded.winner)
    return Result(winner=winner)


def direct_replay(event, position, result):
    """The corrected event built from scratch: the log with one result replaced, unfit ones skipped."""
    fresh = create(event.format, event.entrants, **event.options)
    skipped = []
    for index, entry in enumerate(event.log):
        if "withdraw" in entry:
            withdraw(fresh, entry["withdraw"])
            continue
        match = fresh.matches.get(entry["match"])
        if match is None or not match.is_playable or match.entrants != entry["entrants"]:
            skipped.append(entry["match"])
            continue
        record(fresh, entry["match"], result if index == position else entry["result"])
    return fresh, skipped


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_plays_out_to_one_champion_and_nobody_plays_twice_in_a_round(name):
    def check(count, options, rng):
        event = play_out(create(name, count, **options), at_random(rng))
        assert not playable(event)
        lines = places(event)
        assert sorted(seed for seed, _ in lines) == list(range(1, count + 1))
        assert [place for _, place in lines].count(1) == 1
        for index, (_, place) in enumerate(lines):
            assert place == index + 1 or place == lines[index - 1][1], "a place that skips or ties wrongly"
        seats = Counter((m.bracket, m.round, seed) for m in event.matches.values()
                        if m.ranking is not None and len(m.ranking) > 1 for seed in m.entrants)
        assert max(seats.values()) == 1, "someone played twice in one round"

    for_every_field(name, check)


@pytest.mark.parametrize("name", FORMATS)
def test_json_round_trip_is_identical_at_any_point_and_play_goes_on_alike(name):
    def check(count, options, rng):
        event = create(name, count, **options)
        choose = at_random(rng)
        stop = rng.randint(0, count)
        while (matches := playable(event)) and len(event.log) < stop:
            record(event, matches[0].id, choose(event, matches[0]))
        text = dumps(event)
        loaded = loads(text)
        assert loaded == event and dumps(loaded) == text
        # The same results from here on give the same bytes, whether play went on in memory or after a reload.
        seed = rng.randrange(2**32)
        play_out(event, at_random(random.Random(seed)))
        play_out(loaded, at_random(random.Random(seed)))
        assert dumps(loaded) == dumps(event)
        assert from_json(to_json(event)) == event
        assert replay(event) == (event, [])

    for_every_field(name, check)


@pytest.mark.parametrize("name", FORMATS)
def test_a_correction_equals_replaying_the_corrected_log_from_scratch(name):
    def check(count, options, rng):
        event = play_out(create(name, count, **options), at_random(rng))
        del event.log[rng.randint(1, len(event.log)):]
        event = replay(event)[0]
        position = rng.randrange(len(event.log))
        entry = event.log[position]
        result = different_result(event, entry)
        preview = correct(event, entry["match"], result)
        expected, skipped = direct_replay(event, position, result)
        assert preview.event == expected
        assert list(preview.invalidated) == skipped
        assert replay(preview.event) == (preview.event, [])
        play_out(preview.event, at_random(rng))
        assert [place for _, place in places(preview.event)].count(1) == 1

    for_every_field(name, check)


def same_group_meetings_in(event):
    """Pairs of one group who can meet: per round of the winners' bracket, or in all in round 1 of
    a Swiss, in the same pool, or in the same first-stage heat."""
    group = {e.seed: e.group for e in event.entrants}
    if event.format == "round_robin":
        together = {}
        for match in event.matches.values():
            together.setdefault(match.bracket, set()).update(match.entrants)
        return same_group_pairs([[event.entrants[seed - 1] for seed in seeds] for seeds in together.values()])
    first = [m for m in event.matches.values() if m.round == 1 and m.bracket != "third_place"]
    if event.format.endswith("elimination"):
        draw = [slot.seed for m in first if m.bracket == "winners" for slot in m.slots]
        return same_group_meetings(draw, event.entrants)
    if event.format == "swiss":
        return sum(1 for m in first if None not in m.entrants and group[m.entrants[0]] is not None
                   and group[m.entrants[0]] == group[m.entrants[1]])
    return same_group_pairs([[event.entrants[seed - 1] for seed in m.entrants] for m in first])


@pytest.mark.parametrize("name", FORMATS)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_keeping_groups_apart_is_never_worse_than_the_plain_draw(name, data):
    count, options = data.draw(fields(name))
    libraries = data.draw(st.integers(1, 12))
    labels = data.draw(st.lists(st.none() | st.integers(0, libraries - 1).map(str), min_size=count,
                                max_size=count))
    entrants = [Entrant(seed, label) for seed, label in enumerate(labels, start=1)]
    kept_apart = create(name, entrants, **options)
    plain = create(name, entrants, **options, separate=False)
    assert same_group_meetings_in(kept_apart) <= same_group_meetings_in(plain)


def test_fields_of_256_finish_in_seed_order_when_the_better_seed_always_wins():
    for name in FORMATS:
        event = play_out(create(name, 256, **LARGEST[name]))
        assert not playable(event)
        assert places(event)[0] == (1, 1), name
