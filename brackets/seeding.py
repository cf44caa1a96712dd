"""Standard bracket seeding: where each seed starts so that the best seeds meet as late as possible.

In a bracket of ``size`` places (a power of two) seed 1 meets seed ``size`` in round 1, and in every
round the two seeds that meet add up to one more than the number of players left. With fewer
entrants than places, the missing seeds are byes, so byes always fall to the top seeds.
"""

from functools import lru_cache

from .model import BracketError, Seed


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
