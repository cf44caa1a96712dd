"""Seeding: where each seed starts, so that the strong meet late or are spread evenly.

The standard bracket draw: in a bracket of ``size`` places (a power of two) seed 1 meets seed
``size`` in round 1, and in every round the two seeds that meet add up to one more than the number
of players left. With fewer entrants than places, the missing seeds are byes, so byes always fall
to the top seeds.

The snake draw, for pools (round robin) and heats (free-for-all): seeds are dealt 1..K, then K..1,
so every pool is equally strong.
"""

from collections.abc import Sequence
from functools import lru_cache
from string import ascii_uppercase

from .model import BracketError, Entrant, Seed


def bracket_size(count: int) -> int:
    """The smallest power of two (at least 2) that holds ``count`` entrants."""
    if count < 2:
        raise BracketError(f"A bracket needs at least 2 entrants, not {count}.")
    return 1 << (count - 1).bit_length()


@lru_cache(maxsize=32)
def standard_order(size: int) -> tuple[Seed, ...]:
    """Seeds by bracket position for a full bracket of ``size`` places.

    Built by doubling: each seed ``s`` of the smaller bracket is paired with ``2 * len + 1 - s``,
    which keeps the top half's and the bottom half's best seeds apart until the final.
    """
    if size < 2 or size & (size - 1):
        raise BracketError(f"A bracket size must be a power of two, not {size}.")
    order: list[Seed] = [1]
    while len(order) < size:
        total = 2 * len(order) + 1
        order = [seed for top in order for seed in (top, total - top)]
    return tuple(order)


def positions(count: int) -> tuple[Seed | None, ...]:
    """Seeds by bracket position for ``count`` entrants, ``None`` where a bye stands."""
    return tuple(s if s <= count else None for s in standard_order(bracket_size(count)))


def first_round(count: int) -> tuple[tuple[Seed | None, Seed | None], ...]:
    """The first-round pairs, in bracket order, ``None`` for a bye."""
    order = positions(count)
    return tuple(zip(order[::2], order[1::2]))


def byes(count: int) -> tuple[Seed, ...]:
    """The seeds that skip the first round, best first."""
    return tuple(sorted(a or b for a, b in first_round(count) if a is None or b is None))


def meeting_round(first: int, second: int) -> int:
    """The earliest round in which bracket positions ``first`` and ``second`` (0-based) can meet."""
    return (first ^ second).bit_length()


def snake_pools(entrants: Sequence[Entrant], count: int, report: list[str], *, separate: bool = True,
                names: Sequence[str] | None = None) -> list[list[Entrant]]:
    """Deal ``entrants`` (best first) into ``count`` pools by snake seeding: 1..K, then K..1.

    Within one tier (one pass of the snake) entrants are equally strong, so swapping two of them
    keeps the pools balanced; with ``separate``, a swap is made to keep two entrants of one group
    apart and written in ``report``. ``names`` (``pool A``... by default) are used in the report.
    A swap can crowd a later tier, so the swaps are dropped if, in the end, more pairs of one group
    share a pool than in the plain snake: separating never makes the draw worse. On a tie they
    are kept, since they keep the better seeds of a group apart.
    """
    names = names or [f"pool {letter}" for letter in ascii_uppercase[:count]]
    plain = _snake(entrants, count, [], names, separate=False)
    if not separate:
        return plain
    notes: list[str] = []
    spread = _snake(entrants, count, notes, names, separate=True)
    if same_group_pairs(spread) > same_group_pairs(plain):
        return plain
    report.extend(notes)
    return spread


def same_group_pairs(pools: Sequence[Sequence[Entrant]]) -> int:
    """How many pairs of entrants of one group share a pool."""
    total = 0
    for pool in pools:
        sizes: dict[str, int] = {}
        for entrant in pool:
            if entrant.group is not None:
                sizes[entrant.group] = sizes.get(entrant.group, 0) + 1
        total += sum(size * (size - 1) // 2 for size in sizes.values())
    return total


def _snake(entrants: Sequence[Entrant], count: int, report: list[str], names: Sequence[str], *,
           separate: bool) -> list[list[Entrant]]:
    pools: list[list[Entrant]] = [[] for _ in range(count)]
    for start in range(0, len(entrants), count):
        tier = entrants[start:start + count]
        targets = list(range(count)) if (start // count) % 2 == 0 else list(range(count))[::-1]
        placed = dict(zip(targets, tier))

        def clashes(entrant: Entrant, pool: int) -> bool:
            return separate and entrant.group is not None and any(e.group == entrant.group for e in pools[pool])

        for pool in list(placed):
            entrant = placed[pool]
            if not clashes(entrant, pool):
                continue
            for other_pool, other in placed.items():
                if not clashes(entrant, other_pool) and not clashes(other, pool):
                    placed[pool], placed[other_pool] = other, entrant
                    report.append(f"Seeds {entrant.seed} and {other.seed} swapped places ({names[other_pool]} "
                                  f"and {names[pool]}) to keep entrants of one group apart.")
                    break
        for pool, entrant in placed.items():
            pools[pool].append(entrant)
    return pools
