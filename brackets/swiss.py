"""Swiss system: a fixed number of rounds, each pairing entrants on the same score, never twice.

Round 1 pairs the top half of the seeds against the bottom half (1 v N/2+1, 2 v N/2+2...). Each
later round is paired when the previous one is complete: score groups from the top, the upper half
of a group against its lower half, swapping to avoid rematches, and an odd entrant floating down
to the next group. That quick pass handles almost every round; when it gets stuck, a
maximum-weight matching over all legal pairs finds the pairing closest in score, so pairing only
fails when no legal pairing exists at all.

With an odd number of entrants the lowest-ranked entrant who has not had one gets a bye: a match
with one seat, recorded at once as a win worth ``points_bye`` (``points_win`` by default).
Withdrawn entrants are not paired again.
"""

import math
from collections.abc import Sequence
from typing import Any

from . import matching, scoring, tiebreaks
from .engine import add_match, settle
from .model import BracketError, Entrant, Event, Match, Result, Seed, Slot, Standing
from .options import check_flags, complete, is_whole

FORMAT = "swiss"
BRACKET = "swiss"

DEFAULTS: dict[str, Any] = {
    "rounds": None,
    "separate": True,
    **scoring.DEFAULTS,
    "points_bye": None,
    "tiebreakers": list(tiebreaks.SWISS_DEFAULT),
}
"""``rounds`` defaults to ceil(log2 N), enough for a single unbeaten entrant; ``points_bye`` to a win."""

rank = scoring.rank
"""The `rank` hook: a winner, or a draw."""


def create(entrants: tuple[Entrant, ...], options: dict[str, Any]) -> Event:
    """Build the event and pair round 1, top half against bottom half."""
    opts = _options(options, len(entrants))
    event = Event(format=FORMAT, options=opts, entrants=entrants)
    seeds = [e.seed for e in entrants]
    bye = seeds.pop() if len(seeds) % 2 else None
    half = len(seeds) // 2
    pairs = list(zip(seeds[:half], seeds[half:]))
    if opts["separate"]:
        pairs = _keep_groups_apart(entrants, pairs, event.report)
    if bye is not None:
        event.report.append(f"Seed {bye} has the bye in round 1.")
    safe = (len(entrants) + 1) // 2
    if opts["rounds"] > safe:
        # Up to ceil(N/2) rounds a legal pairing always exists (Dirac's theorem); beyond, not always.
        event.report.append(f"With more than {safe} rounds for {len(entrants)} entrants, a late round may "
                            "find no legal pairing left; a round robin suits better.")
    _add_round(event, 1, pairs, bye)
    return event


def advance(event: Event, match: Match) -> None:
    """Pair the next round once every match of the current one has a result."""
    current = match.round
    if current >= event.options["rounds"] or _round_exists(event, current + 1):
        return
    for other in reversed(event.matches.values()):
        if other.round != current:
            break
        if other.result is None:
            return
    active = [e.seed for e in event.entrants if e.seed not in event.withdrawn]
    if len(active) < 2:
        event.report.append(f"Round {current + 1} was not paired: fewer than two entrants remain.")
        return
    state = _State.of(event)
    order = sorted(active, key=lambda s: (-state.points[s], s))
    pairs, bye = pair_round(order, state.points, state.opponents, state.had_bye)
    if pairs is None:
        raise BracketError(f"No legal pairing exists for round {current + 1}: every way of pairing "
                           "would repeat a match or give someone a second bye.")
    _add_round(event, current + 1, pairs, bye)


def standings(event: Event) -> list[Standing]:
    """Every entrant ranked by points then the ``tiebreakers`` option."""
    return list(_table(event).standings)


def explain(event: Event) -> list[str]:
    """Every tie broken in the standings, in plain words."""
    return list(_table(event).explanations)


def pair_round(order: Sequence[Seed], points: dict[Seed, float], opponents: dict[Seed, set[Seed]],
               had_bye: set[Seed]) -> tuple[list[tuple[Seed, Seed]] | None, Seed | None]:
    """Pair ``order`` (best ranked first): quick pass by score groups, then a matching if needed.

    Returns the pairs (better-ranked entrant first, top board first) and the bye, or ``None``
    pairs when no legal pairing exists.
    """
    bye = next((s for s in reversed(order) if s not in had_bye), None) if len(order) % 2 else None
    pairs = None
    if len(order) % 2 == 0 or bye is not None:
        pairs = _greedy([s for s in order if s != bye], points, opponents)
    if pairs is None:
        pairs, bye = _matched(order, points, opponents, had_bye)
    if pairs is None:
        return None, None
    rank_of = {seed: index for index, seed in enumerate(order)}
    return sorted(pairs, key=lambda pair: rank_of[pair[0]]), bye


def _greedy(order: Sequence[Seed], points: dict[Seed, float],
            opponents: dict[Seed, set[Seed]]) -> list[tuple[Seed, Seed]] | None:
    """Dutch-style pairing score group by score group; ``None`` when it gets stuck."""
    groups: list[list[Seed]] = []
    for seed in order:
        if groups and points[groups[-1][0]] == points[seed]:
            groups[-1].append(seed)
        else:
            groups.append([seed])
    pairs: list[tuple[Seed, Seed]] = []
    floaters: list[Seed] = []
    for group in groups:
        free = list(group)
        stuck = []
        for floater in floaters:
            # An entrant floating down meets the best of the lower group it has not met yet.
            partner = next((s for s in free if s not in opponents[floater]), None)
            if partner is None:
                stuck.append(floater)
            else:
                free.remove(partner)
                pairs.append((floater, partner))
        group_pairs, left = _pair_group(free, opponents)
        pairs.extend(group_pairs)
        floaters = stuck + left
    return pairs if not floaters else None


def _pair_group(free: list[Seed], opponents: dict[Seed, set[Seed]]) -> tuple[list[tuple[Seed, Seed]], list[Seed]]:
    """Upper half against lower half, the next lower entrant when a pair already met; returns leftovers."""
    half = len(free) // 2
    top, bottom = free[:half], free[half:]
    taken: set[Seed] = set()
    pairs = []
    unpaired = []
    first_free = 0
    for seed in top:
        while first_free < len(bottom) and bottom[first_free] in taken:
            first_free += 1
        partner = next((s for s in bottom[first_free:] if s not in taken and s not in opponents[seed]), None)
        if partner is None:
            unpaired.append(seed)
        else:
            taken.add(partner)
            pairs.append((seed, partner))
    rest = unpaired + [s for s in bottom if s not in taken]
    left = []
    while rest:
        seed = rest.pop(0)
        partner = next((s for s in rest if s not in opponents[seed]), None)
        if partner is None:
            left.append(seed)
        else:
            rest.remove(partner)
            pairs.append((seed, partner))
    return pairs, left


def _matched(order: Sequence[Seed], points: dict[Seed, float], opponents: dict[Seed, set[Seed]],
             had_bye: set[Seed]) -> tuple[list[tuple[Seed, Seed]] | None, Seed | None]:
    """Pairing by maximum-weight matching: as many pairs as possible, then scores as close as possible.

    Weights favour, in this order: equal score groups, the top-half-against-bottom-half distance
    within a group, and for the bye the lowest-ranked entrant.
    """
    n = len(order)
    levels = sorted({points[s] for s in order}, reverse=True)
    group = {s: levels.index(points[s]) for s in order}
    size = {level: sum(1 for s in order if points[s] == level) for level in levels}
    unit = 2 * n + 2
    bottom = len(levels)
    base = unit * (bottom + 1) ** 2 + 2 * n + 1
    edges = []
    for i in range(n):
        a = order[i]
        for j in range(i + 1, n):
            b = order[j]
            if b in opponents[a]:
                continue
            gap = group[a] - group[b]
            distance = abs(abs(i - j) - size[points[a]] // 2) if gap == 0 else 0
            edges.append((i, j, base - unit * gap * gap - distance))
    if n % 2:
        for i, seed in enumerate(order):
            if seed not in had_bye:
                gap = bottom - group[seed]
                edges.append((i, n, base - unit * gap * gap + i))
    mate = matching.max_weight_matching(edges, max_cardinality=True)
    if len(mate) < n + n % 2 or any(m == -1 for m in mate):
        return None, None
    bye = order[mate[n]] if n % 2 else None
    pairs = [(order[i], order[mate[i]]) for i in range(n) if i < mate[i] < n]
    return pairs, bye


class _State:
    """What pairing needs from the rounds played so far."""

    def __init__(self) -> None:
        self.points: dict[Seed, float] = {}
        self.opponents: dict[Seed, set[Seed]] = {}
        self.had_bye: set[Seed] = set()

    @classmethod
    def of(cls, event: Event) -> "_State":
        state = cls()
        worth = scoring.of(event.options)
        for entrant in event.entrants:
            state.points[entrant.seed] = 0.0
            state.opponents[entrant.seed] = set()
        for match in event.matches.values():
            first, second = match.entrants
            if second is None:
                state.had_bye.add(first)
                state.points[first] += worth.bye
                continue
            state.opponents[first].add(second)
            state.opponents[second].add(first)
            result = match.result
            if result.draw:
                state.points[first] += worth.draw
                state.points[second] += worth.draw
            else:
                loser = second if result.winner == first else first
                state.points[result.winner] += worth.win
                state.points[loser] += worth.loss
        return state


def _add_round(event: Event, number: int, pairs: list[tuple[Seed, Seed]], bye: Seed | None) -> None:
    for position, (first, second) in enumerate(pairs, start=1):
        match_id = f"S-R{number}-{position}"
        add_match(event, Match(match_id, BRACKET, number, (Slot(seed=first), Slot(seed=second))))
    if bye is not None:
        match = add_match(event, Match(f"S-R{number}-{len(pairs) + 1}", BRACKET, number,
                                       (Slot(seed=bye), Slot(bye=True))))
        settle(event, match, Result(winner=bye, outcome="bye"), (bye,))


def _round_exists(event: Event, number: int) -> bool:
    return f"S-R{number}-1" in event.matches


def _keep_groups_apart(entrants: tuple[Entrant, ...], pairs: list[tuple[Seed, Seed]],
                       report: list[str]) -> list[tuple[Seed, Seed]]:
    """Swap bottom-half opponents in round 1 so that two entrants of one group do not meet."""
    group = {e.seed: e.group for e in entrants}

    def clash(a: Seed, b: Seed) -> bool:
        return group[a] is not None and group[a] == group[b]

    pairs = list(pairs)
    for i, (top, low) in enumerate(pairs):
        if not clash(top, low):
            continue
        others = sorted(range(len(pairs)), key=lambda j: (abs(j - i), j))
        for j in others:
            other_top, other_low = pairs[j]
            if j != i and not clash(top, other_low) and not clash(other_top, low):
                pairs[i], pairs[j] = (top, other_low), (other_top, low)
                report.append(f"Round 1: seeds {low} and {other_low} swapped opponents "
                              "to keep entrants of one group apart.")
                break
    return pairs


def _options(options: dict[str, Any], count: int) -> dict[str, Any]:
    opts = complete(options, DEFAULTS, FORMAT)
    scoring.check(opts)
    opts["tiebreakers"] = list(tiebreaks.check_tiebreakers(opts["tiebreakers"]))
    check_flags(opts, "separate")
    most = count if count % 2 else count - 1
    if opts["rounds"] is None:
        opts["rounds"] = max(1, math.ceil(math.log2(count)))
    rounds = opts["rounds"]
    if not is_whole(rounds) or not 1 <= rounds <= most:
        raise BracketError(f"rounds must be a whole number from 1 to {most} for {count} entrants "
                           "(more would force a rematch)")
    if opts["points_bye"] is None:
        opts["points_bye"] = opts["points_win"]
    return opts


def _table(event: Event) -> tiebreaks.Table:
    games = tiebreaks.games_of(event.matches.values())
    return tiebreaks.rank([e.seed for e in event.entrants], games, scoring.of(event.options),
                          event.options["tiebreakers"])
