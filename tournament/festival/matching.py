"""Maximum bipartite matching by augmenting paths (Kuhn's algorithm): pure and deterministic.

The allocation uses it to prove early that a set of requests cannot all be scheduled (each
provider, and each library, needs a distinct window per request). Graphs here have a few hundred
edges, where augmenting paths are as fast as Hopcroft–Karp and easier to read.
"""

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

L = TypeVar("L", bound=Hashable)
R = TypeVar("R", bound=Hashable)


def maximum_matching(adjacency: Mapping[L, Sequence[R]]) -> dict[L, R]:
    """A maximum matching of left vertices to right vertices, as ``{left: right}``.

    Deterministic: left vertices are tried in the mapping's order and their neighbours in list
    order, so the same graph always gives the same matching.
    """
    owner: dict[R, L] = {}

    def augment(left: L, seen: set[R]) -> bool:
        for right in adjacency[left]:
            if right in seen:
                continue
            seen.add(right)
            if right not in owner or augment(owner[right], seen):
                owner[right] = left
                return True
        return False

    for left in adjacency:
        augment(left, set())
    return {left: right for right, left in owner.items()}


def saturates_left(adjacency: Mapping[L, Sequence[R]]) -> bool:
    """True when every left vertex can be given its own right vertex (Hall's condition holds)."""
    if any(not neighbours for neighbours in adjacency.values()):
        return False
    return len(maximum_matching(adjacency)) == len(adjacency)
