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

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from . import completion, matching, scoring, tiebreaks
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
    _add_round(event, 1, pairs, bye)
    return event


def last_round(event: Event) -> int:
    """The event's last round: the ``rounds`` option, or the round staff ended it after."""
    ended = [entry["end_after"] for entry in event.log if "end_after" in entry]
    return min([event.options["rounds"], *ended])


def repair(event: Event, number: int) -> Event:
    """Staff: pair round ``number`` again (it must have no result yet), e.g. after a withdrawal."""
    from .engine import act
    return act(event, {"repair": number})


def impose(event: Event, number: int, pairs: Sequence[Sequence[Seed | None]]) -> Event:
    """Staff: replace round ``number``'s pairing with ``pairs`` (``[a, b]``, or ``[a, None]`` for the bye).

    Refused with the reason unless it is legal: every entrant still in exactly once, no rematch, no
    second bye, a bye only for an odd field, and every later round still pairable.
    """
    from .engine import act
    return act(event, {"impose": number, "pairs": [list(p) if isinstance(p, (list, tuple)) else p for p in pairs]})


def end_after(event: Event, number: int) -> Event:
    """Staff: end the event after round ``number``; later rounds must have no result yet and are removed."""
    from .engine import act
    return act(event, {"end_after": number})


def act(event: Event, action: dict[str, Any]) -> None:
    """The `act` hook: ``repair``, ``impose`` or ``end_after`` (see those functions)."""
    if "end_after" in action:
        _end_after(event, action["end_after"])
    elif "repair" in action:
        _open_round(event, action["repair"])
        _pair_next(event, action["repair"] - 1)
        event.report.append(f"Round {action['repair']} was paired again by staff.")
    elif "impose" in action:
        _impose(event, action["impose"], action.get("pairs"))
    else:
        raise BracketError(f"Unknown Swiss staff action {sorted(action)}: use repair, impose or end_after.")


def _latest(event: Event) -> int:
    return max(m.round for m in event.matches.values())


def _open_round(event: Event, number: Any) -> None:
    """Remove round ``number``'s matches, after checking it is the latest round and has no result."""
    if not is_whole(number) or not 1 <= number <= _latest(event):
        raise BracketError(f"Round {number} has not been paired yet: only rounds 1 to {_latest(event)} exist.")
    if number != _latest(event):
        raise BracketError(f"Round {number} is not the latest round ({_latest(event)}): its results "
                           "have already led to the next round.")
    logged = {entry.get("match") for entry in event.log}
    played = [m.id for m in event.matches.values() if m.round == number and m.id in logged]
    if played:
        raise BracketError(f"Round {number} already has results ({', '.join(played)}); correct them first.")
    for match_id in [m.id for m in event.matches.values() if m.round == number]:
        del event.matches[match_id]
        event.feeds.pop(match_id, None)


def _impose(event: Event, number: Any, given: Any) -> None:
    _open_round(event, number)
    state = _State.of(event)
    active = [e.seed for e in event.entrants if e.seed not in event.withdrawn]
    if not isinstance(given, list) or not all(isinstance(p, list) and len(p) == 2 for p in given):
        raise BracketError("A pairing is a list of pairs [a, b], with [a, null] for the bye.")
    seated = [seed for pair in given for seed in pair if seed is not None]
    missing = sorted(set(active) - set(seated))
    extra = sorted(set(seated) - set(active))
    twice = sorted({s for s in seated if seated.count(s) > 1})
    if missing or extra or twice:
        problems = ([f"missing {_seeds(missing)}"] if missing else []) + (
            [f"{_seeds(extra)} not in the event (or withdrawn)"] if extra else []) + (
            [f"{_seeds(twice)} seated twice"] if twice else [])
        raise BracketError(f"The pairing must seat every entrant still in exactly once: {'; '.join(problems)}.")
    pairs, byes = [], []
    for first, second in given:
        if first is None:
            first, second = second, first
        if second is None:
            byes.append(first)
        elif second in state.opponents[first]:
            raise BracketError(f"Seeds {first} and {second} have already met.")
        else:
            pairs.append((first, second))
    if len(byes) != len(active) % 2:
        raise BracketError("A bye is given only when an odd number of entrants is left, and then exactly one.")
    bye = byes[0] if byes else None
    if bye is not None and bye in state.had_bye:
        raise BracketError(f"Seed {bye} has already had a bye.")
    remaining = last_round(event) - number
    if remaining > 0:
        order = sorted(active, key=lambda s: (-state.points[s], s))
        opponents = {s: set(o) for s, o in state.opponents.items()}
        for a, b in pairs:
            opponents[a].add(b)
            opponents[b].add(a)
        if not _Objective(order, state.points, opponents, state.had_bye | ({bye} if bye else set())
                          ).completable(frozenset(), remaining):
            raise BracketError(f"That pairing would leave no legal pairing for a later round "
                               f"(round {number + 1} to {last_round(event)}).")
    rank_of = {seed: index for index, seed in enumerate(sorted(active, key=lambda s: (-state.points[s], s)))}
    pairs = sorted(((a, b) if rank_of[a] < rank_of[b] else (b, a) for a, b in pairs), key=lambda p: rank_of[p[0]])
    _add_round(event, number, pairs, bye)
    event.report.append(f"Round {number} was paired by staff.")


def _end_after(event: Event, number: Any) -> None:
    latest = _latest(event)
    if not is_whole(number) or not 1 <= number < last_round(event):
        raise BracketError(f"The event can end after a round from 1 to {last_round(event) - 1}, not {number}.")
    if number < latest - 1 or (number == latest - 1 and any(
            entry.get("match", "").startswith(f"S-R{latest}-") for entry in event.log)):
        raise BracketError(f"Round {number + 1} already has results: the event cannot end after round {number}.")
    if number < latest:
        _open_round(event, latest)
    event.report.append(f"Staff ended the event after round {number}.")


def _seeds(seeds: list[Seed]) -> str:
    return ("seed " if len(seeds) == 1 else "seeds ") + ", ".join(map(str, seeds))


def advance(event: Event, match: Match) -> None:
    """Pair the next round once every match of the current one has a result."""
    current = match.round
    if current >= last_round(event) or _round_exists(event, current + 1):
        return
    for other in reversed(event.matches.values()):
        if other.round != current:
            break
        if other.result is None:
            return
    _pair_next(event, current)


def _pair_next(event: Event, current: int) -> None:
    """Pair round ``current + 1`` from the results so far."""
    active = [e.seed for e in event.entrants if e.seed not in event.withdrawn]
    if len(active) < 2:
        event.report.append(f"Round {current + 1} was not paired: fewer than two entrants remain.")
        return
    state = _State.of(event)
    order = sorted(active, key=lambda s: (-state.points[s], s))
    remaining = last_round(event) - (current + 1)
    found = best_pairing(order, state.points, state.opponents, state.had_bye, remaining)
    if found is None and remaining:
        # Only withdrawals get here (creation refuses events that cannot complete): pair this round at least.
        found = best_pairing(order, state.points, state.opponents, state.had_bye, 0)
        if found is not None:
            event.report.append(f"Round {current + 1}: after withdrawals, later rounds may not all be pairable.")
    if found is None:
        # Withdrawals left only pairs who have met: the event ends here rather than blocking result entry.
        event.report.append(f"Round {current + 1} was not paired: after withdrawals, every way of pairing would "
                            "repeat a match or give someone a second bye. The event ends after round "
                            f"{current}.")
        return
    _add_round(event, current + 1, found.pairs, found.bye)
    event.report.extend(_why(current + 1, found, state.points, order))


def _why(number: int, found: "Pairing", points: dict[Seed, float], order: list[Seed]) -> list[str]:
    """Plain sentences for the report: why each float happened, and any look-ahead."""
    notes = []
    paired = [s for s in order if s != found.bye]
    for a, b in found.pairs:
        if points[a] == points[b]:
            continue
        group = [s for s in paired if points[s] == points[a]]
        arrived = sum(1 for c, d in found.pairs if points[c] > points[a] and points[d] == points[a])
        if found.look_ahead:
            reason = "pairing within score groups would have left a later round with no legal pairing"
        elif (len(group) + arrived) % 2:
            joined = f", {arrived} of them floated down from above" if arrived else ""
            reason = f"the {_points(points[a])} group had an odd number of entrants ({len(group) + arrived}{joined})"
        else:
            reason = f"the {_points(points[a])} group could not be paired within itself without a rematch"
        notes.append(f"Round {number}: seed {a} ({_points(points[a])}) floated down to meet seed {b} "
                     f"({_points(points[b])}) because {reason}.")
    if found.look_ahead and len(notes) == 0:
        notes.append(f"Round {number}: a less natural pairing was chosen so that every later round stays pairable.")
    if not found.complete:
        notes.append(f"Round {number}: after withdrawals, no pairing keeps every later round pairable; "
                     "staff may end the event early.")
    if found.bye is not None:
        notes.append(f"Seed {found.bye} has the bye in round {number}.")
    return notes


def _points(value: float) -> str:
    text = f"{value:g}"
    return f"{text} point" if value == 1 else f"{text} points"


def standings(event: Event) -> list[Standing]:
    """Every entrant ranked by points then the ``tiebreakers`` option."""
    return list(_table(event).standings)


def explain(event: Event) -> list[str]:
    """Every tie broken in the standings, in plain words."""
    return list(_table(event).explanations)


EXACT_LIMIT = 64
"""Fields up to this size are always paired by the exact matching; larger ones try the quick pass first."""

CANDIDATES = 50
"""How many pairings, best first, are tried (and four times as many matchings solved) before giving
up on keeping later rounds pairable; only fields cut by withdrawals ever get near it."""

STRICT_LIMIT = 18
"""Up to this many vertices (16 entrants, or 17 and the bye) a pairing is taken only once the look-ahead
has proved the later rounds pairable; past the candidates, one completion found by a longer search gives
the round. Larger fields take a candidate whose look-ahead ran out of steps, as pairing them stays fast."""

WITNESS_BUDGET = 100_000
"""Search steps for that completion, about a third of a second of CPU. The completions found in random
play-outs of up to 16 entrants with withdrawals took under 2,000 steps but one (616,000); when none turns
up quickly the search nearly always spends the whole budget in vain, and again at each later round. At
3,000,000 steps one result entry cost ten seconds of CPU and one 16-entrant event over a minute, enough
for a loaded test run to hit its timeout mid-example (seen as a hypothesis FlakyFailure)."""


@dataclass(frozen=True, slots=True)
class Pairing:
    """One round's pairing and why it looks the way it does."""

    pairs: list[tuple[Seed, Seed]]
    bye: Seed | None
    cost: tuple[int, int, int, int]
    """The objective (bye rank from the bottom, floats, squared score differences, half breaks), lower is better."""
    look_ahead: bool = False
    """True when better pairings were passed over because they would leave a later round unpairable."""
    complete: bool = True
    """False when no pairing could be found that keeps every later round pairable."""


def pair_round(order: Sequence[Seed], points: dict[Seed, float], opponents: dict[Seed, set[Seed]],
               had_bye: set[Seed], remaining: int = 0) -> tuple[list[tuple[Seed, Seed]] | None, Seed | None]:
    """Pair ``order`` (best ranked first) by the stated objective; ``remaining`` later rounds must stay pairable.

    Returns the pairs (better-ranked entrant first, top board first) and the bye, or ``None``
    pairs when no legal pairing exists.
    """
    found = best_pairing(order, points, opponents, had_bye, remaining)
    return (None, None) if found is None else (found.pairs, found.bye)


def best_pairing(order: Sequence[Seed], points: dict[Seed, float], opponents: dict[Seed, set[Seed]],
                 had_bye: set[Seed], remaining: int = 0) -> Pairing | None:
    """The legal pairing that is best on the objective among those leaving ``remaining`` rounds pairable.

    The objective, compared in this order: no rematch and no second bye (always); the bye to the
    lowest-ranked eligible entrant; the fewest pairs across score groups (floats); the smallest sum
    of squared score differences; the top half of each score group against its bottom half, in
    seed order. It is one weighted perfect matching with lexicographic weights, so the first
    answer is exactly optimal; when it would leave a later round unpairable, the next best
    pairings are enumerated (Murty's partition) until one keeps the event completable.
    """
    order = list(order)
    objective = _Objective(order, points, opponents, had_bye)
    if objective.n == 0:
        return Pairing([], None, (0, 0, 0, 0))
    if objective.n == 1:
        return Pairing([], order[0], objective.cost([], order[0])) if order[0] not in had_bye else None
    rank_of = {seed: index for index, seed in enumerate(order)}

    def finish(pairs, bye, look_ahead=False, complete=True):
        pairs = sorted(((a, b) if rank_of[a] < rank_of[b] else (b, a) for a, b in pairs), key=lambda p: rank_of[p[0]])
        return Pairing(pairs, bye, objective.cost(pairs, bye), look_ahead, complete)

    if len(order) > EXACT_LIMIT and _dirac_safe(order, opponents, had_bye, remaining):
        bye = next((s for s in reversed(order) if s not in had_bye), None) if len(order) % 2 else None
        if len(order) % 2 == 0 or bye is not None:
            pairs = _greedy([s for s in order if s != bye], points, opponents)
            if pairs is not None:
                return finish(pairs, bye)
    first = objective.solve(frozenset(), frozenset())
    if first is None:
        return None
    if remaining <= 0 or objective.completable(first[1], remaining):
        return finish(*objective.split(first[1]))
    if objective.completable(frozenset(), remaining + 1, proved=False) is False:
        # Withdrawals left a graph in which no pairing of this round keeps the rest pairable.
        return finish(*objective.split(first[1]), complete=False)
    # Murty: partition the other pairings into subproblems, each solved exactly, best first.
    heap = [(first[0], 0, first[1], frozenset(), frozenset())]
    counter = 1
    tried = 0
    solves = 0
    while heap and tried < CANDIDATES and solves < CANDIDATES * 4:
        _, _, edges, forced, forbidden = heapq.heappop(heap)
        tried += 1
        if tried > 1 and objective.completable(edges, remaining):
            return finish(*objective.split(edges), look_ahead=True)
        free = sorted(edges - forced)
        for index, edge in enumerate(free):
            sub_forced = forced | frozenset(free[:index])
            sub_forbidden = forbidden | {edge}
            solved = objective.solve(sub_forced, sub_forbidden)
            solves += 1
            if solved is not None:
                heapq.heappush(heap, (solved[0], counter, solved[1], sub_forced, sub_forbidden))
                counter += 1
    witness = objective.witness(remaining + 1)
    if witness is not None:
        return finish(*objective.split(witness), look_ahead=True)
    return finish(*objective.split(first[1]), complete=False)


def _dirac_safe(order: list[Seed], opponents: dict[Seed, set[Seed]], had_bye: set[Seed], remaining: int) -> bool:
    """True when, after any pairing of this round, every later round stays pairable (Dirac's theorem)."""
    active = set(order)
    vertices = len(order) + len(order) % 2
    met = max(len(opponents[s] & active) + (s in had_bye and vertices > len(order)) for s in order)
    if vertices > len(order):
        met = max(met, sum(1 for s in order if s in had_bye))
    low = vertices - 1 - met - 1
    return 2 * (low - remaining + 1) >= vertices


class _Objective:
    """The lexicographic pairing objective as integer edge costs over vertices ``0..n-1`` (+ the bye)."""

    def __init__(self, order: list[Seed], points: dict[Seed, float], opponents: dict[Seed, set[Seed]],
                 had_bye: set[Seed]) -> None:
        self.order = order
        self.opponents = opponents
        self.had_bye = had_bye
        n = self.n = len(order)
        self.vertices = n + n % 2
        self.bye_vertex = n if n % 2 else None
        scale = math.lcm(*(Fraction(points[s]).limit_denominator(1000).denominator for s in order)) if order else 1
        self.score = [int(Fraction(points[s]).limit_denominator(1000) * scale) for s in order]
        levels = sorted(set(self.score), reverse=True)
        self.group = [levels.index(score) for score in self.score]
        members: dict[int, list[int]] = {}
        for index, group in enumerate(self.group):
            members.setdefault(group, []).append(index)
        self.position = [members[self.group[i]].index(i) for i in range(n)]
        self.size = [len(members[self.group[i]]) for i in range(n)]
        spread = (max(self.score) - min(self.score)) if order else 0
        pairs = n // 2 + 1
        self.w_half = 1
        self.w_break = pairs * 2 * n + 1
        self.w_diff = pairs * self.w_break + self.w_break
        self.w_float = pairs * spread * spread * self.w_diff + self.w_diff
        self.w_bye = pairs * self.w_float + self.w_float
        self.top = (n + 1) * self.w_bye + 1
        self._edges: dict[tuple[int, int], int] | None = None
        self.budget = [completion.BUDGET]
        """Search steps shared by every completion check of this round: the pairing stays fast and
        deterministic; once spent, the candidate at hand is taken (only withdrawals get there)."""

    @property
    def edges(self) -> dict[tuple[int, int], int]:
        """Every legal pair (and bye) with its cost; built on first use (large fields may not need it)."""
        if self._edges is not None:
            return self._edges
        n, order, opponents, had_bye = self.n, self.order, self.opponents, self.had_bye
        self._edges = {}
        for i in range(n):
            for j in range(i + 1, n):
                if order[j] not in opponents[order[i]]:
                    self._edges[(i, j)] = self._pair_cost(i, j)
            if self.bye_vertex is not None and order[i] not in had_bye:
                self._edges[(i, self.bye_vertex)] = (n - 1 - i) * self.w_bye
        return self._edges

    def _pair_cost(self, i: int, j: int) -> int:
        if self.group[i] == self.group[j]:
            # Upper half against lower half; in an odd group the middle entrant may sit on either side.
            size, top, low = self.size[i], self.position[i], self.position[j]
            broken = 2 * low + 1 < size or 2 * top + 1 > size
            return broken * self.w_break + abs(2 * (low - top) - size) * self.w_half
        gap = self.score[i] - self.score[j]
        out_of_place = self.position[j] + (self.size[i] - 1 - self.position[i])
        return self.w_float + gap * gap * self.w_diff + out_of_place * self.w_half

    def solve(self, forced: frozenset, forbidden: frozenset) -> tuple[int, frozenset] | None:
        """The cheapest perfect matching using every ``forced`` edge and no ``forbidden`` one."""
        taken = {v for edge in forced for v in edge}
        edges = [(i, j, self.top - cost) for (i, j), cost in self.edges.items()
                 if (i, j) not in forbidden and i not in taken and j not in taken]
        need = self.vertices - len(taken)
        chosen = set(forced)
        if need:
            if not edges:
                return None
            mate = matching.max_weight_matching(edges, max_cardinality=True)
            matched = [(v, m) for v, m in enumerate(mate) if v < m]
            if 2 * len(matched) != need:
                return None
            chosen.update(matched)
        return sum(self.edges[e] for e in chosen), frozenset(chosen)

    def split(self, edges: frozenset) -> tuple[list[tuple[Seed, Seed]], Seed | None]:
        bye = next((self.order[i] for i, j in edges if j == self.bye_vertex), None)
        pairs = [(self.order[i], self.order[j]) for i, j in edges if j != self.bye_vertex]
        return pairs, bye

    def _adjacency(self, without: frozenset) -> list[int]:
        adjacency = [0] * self.vertices
        for i, j in self.edges:
            if (i, j) not in without:
                adjacency[i] |= 1 << j
                adjacency[j] |= 1 << i
        return adjacency

    def completable(self, edges: frozenset, remaining: int, proved: bool = True) -> bool | None:
        """Whether ``remaining`` rounds stay pairable after ``edges``: ``True``/``False``, or with
        ``proved=False`` the search's own answer, ``None`` when it ran out of steps."""
        answer = completion.can_complete(self._adjacency(edges), remaining, self.budget)
        if not proved:
            return answer
        return answer is True if self.vertices <= STRICT_LIMIT else answer is not False

    def witness(self, rounds: int) -> frozenset | None:
        """The cheapest of the perfect matchings that a longer completion search finds for ``rounds`` rounds."""
        if self.vertices > STRICT_LIMIT:
            return None
        answer, chain = completion.find_completion(self._adjacency(frozenset()), rounds, WITNESS_BUDGET)
        if not answer or not chain:
            return None
        rounds_edges = [frozenset((min(a, b), max(a, b)) for a, b in matching) for matching in chain]
        return min(rounds_edges, key=lambda edges: (sum(self.edges[e] for e in edges), sorted(edges)))

    def cost(self, pairs: Sequence[tuple[Seed, Seed]], bye: Seed | None) -> tuple[int, int, int, int]:
        """The objective of a pairing as a tuple: (bye rank from the bottom, floats, squared differences, half)."""
        index = {seed: i for i, seed in enumerate(self.order)}
        bye_cost = 0 if bye is None else self.n - 1 - index[bye]
        floats = diffs = half = 0
        for a, b in pairs:
            i, j = sorted((index[a], index[b]))
            cost = self._pair_cost(i, j)
            floats += cost // self.w_float
            cost %= self.w_float
            diffs += cost // self.w_diff
            half += cost % self.w_diff
        return bye_cost, floats, diffs, half


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
