"""Maximum-weight matching, checked against brute force on small graphs."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brackets.matching import max_weight_matching


def brute_force(edges, max_cardinality):
    """The best (size if it counts, weight) over every set of disjoint edges."""
    best = (0, 0)

    def extend(index, used, size, weight):
        nonlocal best
        if index == len(edges):
            best = max(best, (size if max_cardinality else 0, weight))
            return
        extend(index + 1, used, size, weight)
        first, second, w = edges[index]
        if first not in used and second not in used:
            extend(index + 1, used | {first, second}, size + 1, weight + w)

    extend(0, frozenset(), 0, 0)
    return best


def score(edges, mate, max_cardinality):
    weights = {frozenset((i, j)): w for i, j, w in edges}
    chosen = {frozenset((v, m)) for v, m in enumerate(mate) if m != -1}
    for v, m in enumerate(mate):
        assert m == -1 or mate[m] == v
    assert chosen <= set(weights)
    return (len(chosen) if max_cardinality else 0, sum(weights[pair] for pair in chosen))


def test_an_empty_graph_has_an_empty_matching():
    assert max_weight_matching([]) == []


def test_a_heavy_edge_wins_over_two_light_ones_unless_size_counts_first():
    edges = [(0, 1, 2), (1, 2, 5), (2, 3, 2)]
    assert max_weight_matching(edges) == [-1, 2, 1, -1]
    assert max_weight_matching(edges, max_cardinality=True) == [1, 0, 3, 2]


def test_an_odd_cycle_is_shrunk_into_a_blossom_to_find_the_augmenting_path():
    # A triangle 0-1-2 with stems 3-0 and 4-2: the perfect matching needs to go through the blossom.
    edges = [(0, 1, 1), (1, 2, 1), (2, 0, 1), (0, 3, 1), (2, 4, 1), (1, 5, 1)]
    mate = max_weight_matching(edges, max_cardinality=True)
    assert mate == [3, 5, 4, 0, 2, 1]


def test_negative_weights_are_left_out_unless_size_counts():
    assert max_weight_matching([(0, 1, -3)]) == [-1, -1]
    assert max_weight_matching([(0, 1, -3)], max_cardinality=True) == [1, 0]


@pytest.mark.parametrize("edge", [(0, 0, 1), (-1, 2, 1), (0, 1, 1.5)])
def test_bad_edges_are_refused(edge):
    with pytest.raises(ValueError):
        max_weight_matching([edge])


@st.composite
def graphs(draw):
    count = draw(st.integers(2, 9))
    pairs = [(i, j) for i in range(count) for j in range(i + 1, count)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, min_size=1, max_size=14))
    return [(i, j, draw(st.integers(-5, 20))) for i, j in chosen]


@settings(max_examples=100, deadline=None)
@given(graphs(), st.booleans())
def test_matching_is_as_good_as_brute_force(edges, max_cardinality):
    mate = max_weight_matching(edges, max_cardinality=max_cardinality)
    assert score(edges, mate, max_cardinality) == brute_force(edges, max_cardinality)


@settings(max_examples=100, deadline=None)
@given(graphs())
def test_a_perfect_matching_is_found_whenever_one_exists(edges):
    vertices = {v for i, j, _ in edges for v in (i, j)}
    unit = [(i, j, 1) for i, j, _ in edges]
    mate = max_weight_matching(unit, max_cardinality=True)
    perfect_exists = 2 * brute_force(unit, True)[0] == len(vertices)
    found_perfect = all(mate[v] != -1 for v in vertices)
    assert found_perfect == perfect_exists
