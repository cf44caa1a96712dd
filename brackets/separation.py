"""Keeping entrants of the same group (usually the same library) apart in a bracket.

Two entrants can first meet in the round where their halves, quarters, eighths... of the bracket
join. We count, for every round, the same-group pairs that could first meet there, and want as
few as possible in round 1, then in round 2, and so on (compared in that order).

Seeds move only by swapping two of them, never taking a bye away from a top seed, and always
with the nearest seed that helps (same seeding tier first: seeds 3-4, 5-8, 9-16... are treated
alike by the standard draw). Two passes:

1. Top down, each group is split as evenly as possible between the two halves of the bracket,
   then between the two quarters of each half, and so on. A group split evenly at every level
   meets as late as it possibly can in every round at once.
2. Then any single swap that still makes the draw strictly better is made.

If the result were somehow worse than the unseparated draw, the second pass alone is used
instead, so separation is never worse than no separation.
"""

from collections.abc import Sequence

from .model import Entrant, Seed
from .seeding import meeting_round

Draw = tuple[Seed | None, ...]
"""Seeds by bracket position, ``None`` for a bye."""

Swap = tuple[Seed, Seed]


def same_group_meetings(order: Sequence[Seed | None], entrants: Sequence[Entrant]) -> tuple[int, ...]:
    """How many same-group pairs could first meet in each round (index 0 is round 1)."""
    rounds = len(order).bit_length() - 1
    counts = [0] * rounds
    position = {seed: p for p, seed in enumerate(order) if seed is not None}
    for members in _groups(entrants).values():
        for i, first in enumerate(members):
            for second in members[i + 1:]:
                counts[meeting_round(position[first], position[second]) - 1] += 1
    return tuple(counts)


def separate(order: Sequence[Seed | None], entrants: Sequence[Entrant]) -> tuple[Draw, list[str]]:
    """A draw with same-group entrants kept apart, and a plain-words note for every move."""
    before = same_group_meetings(order, entrants)
    draw, notes = _run(order, entrants, balance=True)
    after = same_group_meetings(draw, entrants)
    if after > before:
        draw, notes = _run(order, entrants, balance=False)
        after = same_group_meetings(draw, entrants)
    notes.append(_summary(before, after, moved=bool(notes)))
    return draw, notes


def tier(seed: Seed) -> int:
    """The seeding tier: 1 | 2 | 3-4 | 5-8 | 9-16 ...; the standard draw treats a tier alike."""
    return (seed - 1).bit_length()


def _run(order: Sequence[Seed | None], entrants: Sequence[Entrant], *, balance: bool) -> tuple[Draw, list[str]]:
    draw = list(order)
    counts = _BlockCounts(draw, _groups(entrants))
    has_bye = {seed: draw[p ^ 1] is None for p, seed in enumerate(draw) if seed is not None}
    notes: list[str] = []

    def make(move: Swap) -> None:
        first, second = sorted(move)
        changed = _pairs_changed(first, second, counts)
        counts.swap(first, second)
        draw[counts.position[first]], draw[counts.position[second]] = first, second
        notes.append(_describe(first, second, changed, counts.group_of))

    if balance:
        for level in range(counts.rounds, 1, -1):
            for block in range(len(draw) >> level):
                while moves := _balancing_swaps(counts, has_bye, level, block):
                    for move in moves:
                        make(move)
    while (move := _first_helpful_swap(counts, has_bye)) is not None:
        make(move)
    return tuple(draw), notes


def _groups(entrants: Sequence[Entrant]) -> dict[str, list[Seed]]:
    groups: dict[str, list[Seed]] = {}
    for entrant in sorted(entrants, key=lambda e: e.seed):
        if entrant.group is not None:
            groups.setdefault(entrant.group, []).append(entrant.seed)
    return {name: members for name, members in groups.items() if len(members) > 1}


class _BlockCounts:
    """How many members of each group sit in each block (half, quarter, ...) of the bracket.

    With these, the rounds in which a seed would meet its group from any place are read off in
    one step per round instead of one per group member.
    """

    def __init__(self, draw: list[Seed | None], groups: dict[str, list[Seed]]) -> None:
        self.rounds = len(draw).bit_length() - 1
        self.position = {seed: p for p, seed in enumerate(draw) if seed is not None}
        self.group_of = {seed: name for name, members in groups.items() for seed in members}
        self.members = groups
        self.count = {name: [[0] * (len(draw) >> level) for level in range(self.rounds + 1)] for name in groups}
        for seed, name in self.group_of.items():
            self._move(name, self.position[seed], +1)

    def meetings(self, seed: Seed, place: int) -> list[int]:
        """Same-group entrants ``seed`` could first meet in each round if it stood at ``place``."""
        name = self.group_of.get(seed)
        found = [0] * self.rounds
        if name is None:
            return found
        home, table = self.position[seed], self.count[name]
        inside = 0
        for level in range(1, self.rounds + 1):
            block = place >> level
            now = table[level][block] - (home >> level == block)
            found[level - 1] = now - inside
            inside = now
        return found

    def meets_in(self, seed: Seed, round_: int) -> bool:
        """True if ``seed`` could meet someone of its group in exactly this round."""
        table, place = self.count[self.group_of[seed]], self.position[seed]
        return table[round_][place >> round_] > table[round_ - 1][place >> (round_ - 1)]

    def spread_evenly(self, name: str, round_: int) -> bool:
        """True if the group fills this round's blocks as evenly as it can (no swap helps it here)."""
        row = self.count[name][round_]
        return max(row) - min(row) <= 1

    def split(self, name: str, level: int, block: int) -> tuple[int, int]:
        """How many of the group sit in each half of ``block`` (of size ``2 ** level``)."""
        row = self.count[name][level - 1]
        return row[2 * block], row[2 * block + 1]

    def swap(self, first: Seed, second: Seed) -> None:
        here, there = self.position[first], self.position[second]
        for seed, old, new in ((first, here, there), (second, there, here)):
            name = self.group_of.get(seed)
            if name is not None:
                self._move(name, old, -1)
                self._move(name, new, +1)
        self.position[first], self.position[second] = there, here

    def _move(self, name: str, place: int, step: int) -> None:
        for level, row in enumerate(self.count[name]):
            row[place >> level] += step


def _balancing_swaps(counts: _BlockCounts, has_bye: dict[Seed, bool], level: int, block: int) -> list[Swap]:
    """Swaps across the two halves of ``block`` that even out its most lopsided group ([] if none).

    The group's weakest seed on the crowded side moves, with the nearest seed on the other side
    whose own group does not end up more lopsided than before (or than one apart). If no such
    seed exists, a second swap may even out the group the first one unbalanced.
    """
    size = 1 << level
    start, half = block * size, block * size + size // 2
    lopsided = []
    for name in counts.members:
        left, right = counts.split(name, level, block)
        if abs(left - right) >= 2:
            lopsided.append((-abs(left - right), name, left > right))
    for _, name, left_heavy in sorted(lopsided):
        movers = sorted((seed for seed, place in counts.position.items()
                         if start <= place < start + size and (place < half) == left_heavy
                         and counts.group_of.get(seed) == name), reverse=True)
        for first in movers:
            partner = _nearest(counts, has_bye, first, level, block, even=True)
            if partner is not None:
                return [(first, partner)]
        for first in movers:
            for partner in _across(counts, has_bye, first, level, block):
                counts.swap(first, partner)
                repair = _repair(counts, has_bye, counts.group_of.get(partner), level, block, (first, partner))
                counts.swap(first, partner)
                if repair is not None:
                    return [(first, partner), repair]
    return []


def _across(counts: _BlockCounts, has_bye: dict[Seed, bool], first: Seed, level: int, block: int) -> list[Seed]:
    """Seeds on the other half of ``block`` that could swap with ``first``, nearest first."""
    size = 1 << level
    start, half = block * size, block * size + size // 2
    on_left = counts.position[first] < half
    group = counts.group_of.get(first)
    found = [seed for seed, place in counts.position.items()
             if start <= place < start + size and (place < half) != on_left
             and has_bye[seed] == has_bye[first] and (group is None or counts.group_of.get(seed) != group)]
    return sorted(found, key=lambda seed: (tier(seed) != tier(first), abs(seed - first), seed))


def _nearest(counts: _BlockCounts, has_bye: dict[Seed, bool], first: Seed, level: int, block: int,
             *, even: bool) -> Seed | None:
    return next((seed for seed in _across(counts, has_bye, first, level, block)
                 if not even or _stays_even(counts, seed, level, block)), None)


def _repair(counts: _BlockCounts, has_bye: dict[Seed, bool], name: str | None, level: int, block: int,
            undo: Swap) -> Swap | None:
    """A direct swap evening out group ``name`` in ``block`` again, other than undoing ``undo``."""
    if name is None:
        return None
    left, right = counts.split(name, level, block)
    if abs(left - right) < 2:
        return None
    half = block * (1 << level) + (1 << (level - 1))
    movers = sorted((seed for seed in counts.members[name]
                     if (counts.position[seed] < half) == (left > right)
                     and counts.position[seed] >> level == block), reverse=True)
    for mover in movers:
        for partner in _across(counts, has_bye, mover, level, block):
            if {mover, partner} != set(undo) and _stays_even(counts, partner, level, block):
                return mover, partner
    return None


def _stays_even(counts: _BlockCounts, seed: Seed, level: int, block: int) -> bool:
    """True if moving ``seed`` to the other half of ``block`` leaves its group no more lopsided."""
    name = counts.group_of.get(seed)
    if name is None:
        return True
    left, right = counts.split(name, level, block)
    on_left = counts.position[seed] < block * (1 << level) + (1 << (level - 1))
    after = (left - 1, right + 1) if on_left else (left + 1, right - 1)
    return abs(after[0] - after[1]) <= max(1, abs(left - right))


def _first_helpful_swap(counts: _BlockCounts, has_bye: dict[Seed, bool]) -> Swap | None:
    """The cheapest swap that makes the draw strictly better, or None.

    Rounds are fixed in order: only seeds that could meet their group in the earliest round
    still worth fixing are moved (weaker seeds first), each with the nearest seed that helps,
    same tier first. A group already spread evenly over that round's blocks cannot do better
    there, so its seeds are not tried; the final round is never worth fixing.
    """
    position = counts.position
    seeds = sorted(position)
    for round_ in range(1, counts.rounds):
        crowded = [seed for seed in sorted(counts.group_of, reverse=True)
                   if counts.meets_in(seed, round_) and not counts.spread_evenly(counts.group_of[seed], round_)]
        for first in crowded:
            group = counts.group_of[first]
            partners = sorted(
                (seed for seed in seeds
                 if seed != first and has_bye[seed] == has_bye[first] and counts.group_of.get(seed) != group),
                key=lambda seed: (tier(seed) != tier(first), abs(seed - first), seed))
            for second in partners:
                if _improves(_delta(first, second, counts)):
                    return first, second
    return None


def _delta(first: Seed, second: Seed, counts: _BlockCounts) -> list[int]:
    """The change in same-group meetings per round if ``first`` and ``second`` swap places."""
    here, there = counts.position[first], counts.position[second]
    change = [0] * counts.rounds
    for seed, old, new in ((first, here, there), (second, there, here)):
        for index, (gained, lost) in enumerate(zip(counts.meetings(seed, new), counts.meetings(seed, old))):
            change[index] += gained - lost
    return change


def _improves(delta: list[int]) -> bool:
    """True if the first round whose count changes loses pairs."""
    for change in delta:
        if change:
            return change < 0
    return False


def _pairs_changed(first: Seed, second: Seed, counts: _BlockCounts) -> list[tuple[Seed, Seed, int, int]]:
    """The same-group pairs whose first possible meeting the swap changes: (seed, other, before, after)."""
    position = counts.position
    changed = []
    for seed, new in ((first, position[second]), (second, position[first])):
        group = counts.group_of.get(seed)
        if group is None:
            continue
        for other in counts.members[group]:
            if other == seed:
                continue
            old_round = meeting_round(position[seed], position[other])
            new_round = meeting_round(new, position[other])
            if new_round != old_round:
                changed.append((seed, other, old_round, new_round))
    return sorted(changed, key=lambda pair: (pair[2] > pair[3], pair[2], pair[0], pair[1]))


def _describe(first: Seed, second: Seed, changed: list[tuple[Seed, Seed, int, int]],
              group_of: dict[Seed, str]) -> str:
    how = ("two seeds of the same tier" if tier(first) == tier(second)
           else "the nearest seeds that could help, though not of the same tier")
    later = [pair for pair in changed if pair[3] > pair[2]]
    earlier = [pair for pair in changed if pair[3] < pair[2]]
    text = f"Seeds {first} and {second} swapped places ({how}): " + "; ".join(
        f"seed {seed} and seed {other} (both {group_of[seed]}) could have met in round {old}, "
        f"now not before round {new}"
        for seed, other, old, new in later[:3])
    if len(later) > 3:
        text += f"; and {len(later) - 3} more such pair{'s' if len(later) > 4 else ''}"
    if earlier:
        text += "; in exchange " + "; ".join(
            f"seed {seed} and seed {other} (both {group_of[seed]}) can now meet in round {new} instead of {old}"
            for seed, other, old, new in earlier[:3])
        if len(earlier) > 3:
            text += f"; and {len(earlier) - 3} more"
    return text + "."


def _summary(before: tuple[int, ...], after: tuple[int, ...], *, moved: bool) -> str:
    def earliest(counts: tuple[int, ...]) -> str:
        for index, count in enumerate(counts):
            if count:
                return f"round {index + 1} ({count} pair{'s' if count > 1 else ''})"
        return "never"

    if not moved:
        return ("Group separation: no swap could keep groups further apart, so no seed was moved; "
                f"two entrants of the same group can first meet in {earliest(after)}.")
    return (f"Group separation: two entrants of the same group could first meet in "
            f"{earliest(before)}; after the moves, in {earliest(after)}.")
