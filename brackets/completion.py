"""Can the remaining rounds of a Swiss still all be paired? The completion check of the FIDE Dutch rules.

Legality never depends on results, only on who has met whom and who has had the bye, so the
question is about a graph: players are vertices (plus one "bye" vertex when the field is odd,
joined to everyone who has not had the bye), edges are the pairs that have not met yet. The
remaining ``k`` rounds can be paired, whatever the results, exactly when this graph holds ``k``
edge-disjoint perfect matchings.

Two facts keep the search small. Each round removes one edge at every vertex, so when every
vertex still has at least ``n/2 + k - 1`` edges, Dirac's theorem guarantees a perfect matching in
each of the ``k`` remaining rounds whatever is chosen: no search at all (every event of at most
``n/2`` rounds). Otherwise a depth-first search over perfect matchings, pivoting on the vertex
with fewest choices, with the rounds taken in increasing order of one fixed vertex's partner (the
order of the remaining rounds does not matter), and memoised on the graph. The search is bounded
by ``budget`` steps and deterministic; when the budget runs out it answers ``None`` (unknown).
"""

from collections.abc import Iterator

BUDGET = 30_000
"""Search steps allowed for one check; ten times what any field of up to 16 entrants was seen to need."""


class _OutOfBudget(Exception):
    pass


def can_complete(adjacency: list[int], rounds: int, budget: int | list[int] = BUDGET) -> bool | None:
    """Whether ``rounds`` edge-disjoint perfect matchings exist in the graph.

    ``adjacency[v]`` is a bit mask of ``v``'s neighbours; the number of vertices must be even.
    Returns ``None`` when the search ran out of ``budget`` steps before it could tell. A one-item
    list as ``budget`` is shared: the steps used are taken off it, so several checks share a bound.
    """
    return _search(adjacency, rounds, budget)[0]


def find_completion(adjacency: list[int], rounds: int,
                    budget: int | list[int] = BUDGET) -> tuple[bool | None, list[list[tuple[int, int]]]]:
    """``can_complete``'s answer, with the perfect matchings that prove a yes.

    Where Dirac's theorem settles the rest early, the matchings it guarantees are not listed: fewer
    than ``rounds`` come back, and after any of them the remaining rounds stay pairable.
    """
    return _search(adjacency, rounds, budget)


def _search(adjacency: list[int], rounds: int,
            budget: int | list[int]) -> tuple[bool | None, list[list[tuple[int, int]]]]:
    n = len(adjacency)
    chain: list[list[tuple[int, int]]] = []
    if rounds <= 0:
        return True, chain
    if n % 2:
        return False, chain
    steps = budget if isinstance(budget, list) else [budget]
    if steps[0] <= 0:
        return None, chain
    memo: dict[tuple[tuple[int, ...], int, int], bool] = {}

    def tick() -> None:
        steps[0] -= 1
        if steps[0] < 0:
            raise _OutOfBudget

    def feasible(adj: tuple[int, ...], k: int, after: int) -> bool:
        if k == 0:
            return True
        degrees = [a.bit_count() for a in adj]
        low = min(degrees)
        if low < k:
            return False
        if 2 * (low - k + 1) >= n:
            return True  # Dirac: a perfect matching exists in each remaining round, whatever is picked
        if (adj[0] >> (after + 1)).bit_count() < k:
            return False
        key = (adj, k, after)
        known = memo.get(key)
        if known is not None:
            return known
        answer = False
        for partner, chosen in _perfect_matchings(adj, after, tick):
            rest = list(adj)
            for a, b in chosen:
                rest[a] &= ~(1 << b)
                rest[b] &= ~(1 << a)
            chain.append(chosen)
            if feasible(tuple(rest), k - 1, partner):
                answer = True
                break
            chain.pop()
        memo[key] = answer
        return answer

    try:
        answer = feasible(tuple(adjacency), rounds, -1)
    except _OutOfBudget:
        return None, []
    return answer, chain if answer else []


def _perfect_matchings(adj: tuple[int, ...], after: int, tick) -> Iterator[tuple[int, list[tuple[int, int]]]]:
    """Every perfect matching in which vertex 0's partner is above ``after``, with that partner."""
    n = len(adj)
    full = (1 << n) - 1
    pairs: list[tuple[int, int]] = []

    def extend(free: int) -> Iterator[list[tuple[int, int]]]:
        tick()
        if not free:
            yield list(pairs)
            return
        best = -1
        best_count = n + 1
        remaining = free
        while remaining:
            low = remaining & -remaining
            v = low.bit_length() - 1
            remaining ^= low
            count = (adj[v] & free).bit_count()
            if count < best_count:
                best, best_count = v, count
                if count <= 1:
                    break
        if best_count == 0:
            return
        choices = adj[best] & free
        while choices:
            low = choices & -choices
            u = low.bit_length() - 1
            choices ^= low
            pairs.append((best, u))
            yield from extend(free & ~(1 << best) & ~low)
            pairs.pop()

    first = adj[0] >> (after + 1) << (after + 1)
    while first:
        low = first & -first
        partner = low.bit_length() - 1
        first ^= low
        pairs.append((0, partner))
        for chosen in extend(full & ~1 & ~low):
            yield partner, chosen
        pairs.pop()
