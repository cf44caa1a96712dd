"""Properties of the allocation on random small editions, checked against a brute-force scheduler."""

from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tournament.festival.allocation import (
    Animation,
    AnimationRequest,
    FundingRequest,
    FundingRule,
    Inputs,
    LibraryFacts,
    Provider,
    Window,
    allocate,
    canonical_json,
    funding_target,
    priority_order,
    result_to_data,
)

DAY0 = datetime(2025, 3, 29, tzinfo=UTC)


def _grid() -> list[Window]:
    """Mornings, afternoons and whole days (which overlap both) over two days."""
    windows = []
    for day in range(2):
        base = DAY0 + timedelta(days=day)
        windows += [
            Window(base + timedelta(hours=8), base + timedelta(hours=11)),
            Window(base + timedelta(hours=13), base + timedelta(hours=16)),
            Window(base + timedelta(hours=8), base + timedelta(hours=16)),
        ]
    return windows


GRID = _grid()


@st.composite
def editions(draw) -> Inputs:
    n_providers = draw(st.integers(1, 3))
    # Mostly whole days (which hold both half-days), so that requests compete rather than miss.
    providers = tuple(
        Provider(id=p, name=f"P{p}", availability=tuple(draw(st.lists(st.sampled_from(GRID[2::3] * 3 + GRID),
                                                                       min_size=1, max_size=3, unique=True))))
        for p in range(1, n_providers + 1)
    )
    animations = tuple(
        Animation(id=a, title=f"A{a}", provider_id=draw(st.integers(1, n_providers)),
                  duration_minutes=draw(st.sampled_from([60, 180, 240])), sessions=draw(st.none() | st.integers(0, 3)))
        for a in range(1, draw(st.integers(1, 4)) + 1)
    )
    library_ids = draw(st.lists(st.integers(1, 500), min_size=1, max_size=5, unique=True))
    libraries = tuple(
        LibraryFacts(id=i, name=f"L{i}", took_part_before=draw(st.booleans()),
                     received_animation_before=draw(st.booleans()), received_funding_before=draw(st.booleans()))
        for i in library_ids
    )
    requests, funding_requests = [], []
    for library_id in library_ids:
        for rank in range(1, draw(st.integers(0, 3)) + 1):
            requests.append(AnimationRequest(
                id=len(requests) + 1, library_id=library_id, animation_id=draw(st.integers(1, len(animations))),
                rank=draw(st.sampled_from([rank, 1])),
                slots=tuple(draw(st.lists(st.sampled_from(GRID), min_size=draw(st.sampled_from([0, 1, 1])), max_size=3,
                                                 unique=True))),
            ))
        for rank in range(1, draw(st.integers(0, 2)) + 1):
            funding_requests.append(FundingRequest(
                id=len(funding_requests) + 1, library_id=library_id, rank=rank, title="projet",
                amount_cents=draw(st.integers(1, 2000)) * 100, cost_cents=draw(st.integers(1, 4000)) * 100,
            ))
    rule = FundingRule(envelope_cents=draw(st.integers(0, 5000)) * 100,
                       cap_percent=draw(st.none() | st.integers(0, 100)),
                       cap_cents=draw(st.none() | st.integers(0, 1500)) and draw(st.integers(0, 1500)) * 100)
    return Inputs(
        edition="test", libraries=libraries, providers=providers, animations=animations, requests=tuple(requests[:9]),
        max_animations_per_library=draw(st.none() | st.integers(1, 2)), funding=rule,
        funding_requests=tuple(funding_requests),
    )


seeds = st.text(max_size=8)


# A brute-force scheduler, written independently of the module's search.

def _options(inputs: Inputs, request: AnimationRequest) -> list[Window]:
    animation = next(a for a in inputs.animations if a.id == request.animation_id)
    provider = next(p for p in inputs.providers if p.id == animation.provider_id)
    options = []
    for w in request.slots:
        long_enough = (w.end - w.start) >= timedelta(minutes=animation.duration_minutes)
        inside = any(a.start <= w.start and w.end <= a.end for a in provider.availability)
        if long_enough and inside and w not in options:
            options.append(w)
    return options


def _provider_of(inputs: Inputs, request: AnimationRequest) -> int:
    return next(a.provider_id for a in inputs.animations if a.id == request.animation_id)


def _all_schedules(inputs: Inputs, requests: list[AnimationRequest], first_only: bool = False):
    """Every way to give each request one of its windows with nobody busy twice at once."""
    found: list[tuple[Window, ...]] = []

    def extend(i: int, chosen: list[Window]) -> bool:
        if i == len(requests):
            found.append(tuple(chosen))
            return first_only
        for window in _options(inputs, requests[i]):
            clash = any(
                window.start < other.end and other.start < window.end
                and (requests[j].library_id == requests[i].library_id
                     or _provider_of(inputs, requests[j]) == _provider_of(inputs, requests[i]))
                for j, other in enumerate(chosen)
            )
            if not clash:
                chosen.append(window)
                if extend(i + 1, chosen):
                    return True
                chosen.pop()
        return False

    extend(0, [])
    return found


def _feasible(inputs: Inputs, requests: list[AnimationRequest]) -> bool:
    return bool(_all_schedules(inputs, requests, first_only=True))


def _by_id(inputs: Inputs) -> dict[int, AnimationRequest]:
    return {r.id: r for r in inputs.requests}


@settings(max_examples=150, deadline=None)
@given(editions(), seeds)
def test_every_request_gets_exactly_one_decision(inputs, seed):
    result = allocate(inputs, seed)
    assert sorted(d.request_id for d in result.decisions) == sorted(r.id for r in inputs.requests)
    assert [d.step for d in result.decisions] == list(range(1, len(inputs.requests) + 1))
    assert sorted(d.request_id for d in result.funding_decisions) == sorted(r.id for r in inputs.funding_requests)


@settings(max_examples=150, deadline=None)
@given(editions(), seeds)
def test_no_provider_and_no_library_is_ever_in_two_places_at_once(inputs, seed):
    result = allocate(inputs, seed)
    requests = _by_id(inputs)
    granted = [d for d in result.decisions if d.granted]
    for i, a in enumerate(granted):
        assert a.slot in _options(inputs, requests[a.request_id])
        for b in granted[i + 1:]:
            if a.slot.overlaps(b.slot):
                assert a.library_id != b.library_id
                assert _provider_of(inputs, requests[a.request_id]) != _provider_of(inputs, requests[b.request_id])
    assert all(d.slot is None for d in result.decisions if not d.granted)


@settings(max_examples=150, deadline=None)
@given(editions(), seeds)
def test_a_refused_request_could_not_be_granted_beside_the_requests_granted_before_it(inputs, seed):
    result = allocate(inputs, seed)
    requests = _by_id(inputs)
    animations = {a.id: a for a in inputs.animations}
    for decision in result.decisions:
        if decision.granted:
            continue
        before = [requests[d.request_id] for d in result.decisions if d.granted and d.step < decision.step]
        request = requests[decision.request_id]
        if decision.reason == "no_common_slot":
            assert not _options(inputs, request)
        elif decision.reason == "library_limit":
            assert sum(r.library_id == request.library_id for r in before) == inputs.max_animations_per_library
        elif decision.reason == "animation_full":
            assert sum(r.animation_id == request.animation_id for r in before) == animations[request.animation_id].sessions
        else:
            assert decision.reason in ("provider_busy", "library_busy")
            assert not _feasible(inputs, [*before, request])
            others = [r for r in before if r.library_id != request.library_id]
            assert _feasible(inputs, [*others, request]) == (decision.reason == "library_busy")


@settings(max_examples=120, deadline=None)
@given(editions(), seeds)
def test_windows_are_the_lexicographic_best_in_the_order_requests_were_granted(inputs, seed):
    result = allocate(inputs, seed)
    requests = _by_id(inputs)
    granted = sorted((d for d in result.decisions if d.granted), key=lambda d: d.step)
    chosen = tuple(d.slot for d in granted)
    in_order = [requests[d.request_id] for d in granted]

    def preference(schedule):
        return tuple(r.slots.index(w) for r, w in zip(in_order, schedule))

    assert preference(chosen) == min(preference(s) for s in _all_schedules(inputs, in_order))


@settings(max_examples=150, deadline=None)
@given(editions(), seeds)
def test_no_library_gets_a_second_animation_before_every_library_had_its_chance_at_a_first(inputs, seed):
    result = allocate(inputs, seed)
    requests_of = Counter(r.library_id for r in inputs.requests)
    for decision in result.decisions:
        if not decision.granted:
            continue
        earlier = [d for d in result.decisions if d.step < decision.step]
        k = sum(d.granted and d.library_id == decision.library_id for d in earlier) + 1
        assert decision.round >= k
        for library in inputs.libraries:
            if library.id == decision.library_id:
                continue
            had = sum(d.granted and d.library_id == library.id for d in earlier)
            examined = sum(d.library_id == library.id for d in earlier)
            assert had >= k - 1 or examined == requests_of[library.id]


@settings(max_examples=150, deadline=None)
@given(editions(), seeds)
def test_within_a_round_libraries_pass_in_priority_order(inputs, seed):
    result = allocate(inputs, seed)
    position = {e.library_id: e.position for e in priority_order(inputs.libraries, seed)}
    keys = [(d.round, position[d.library_id]) for d in result.decisions]
    assert keys == sorted(keys)
    classes = [e.priority_class for e in result.priority]
    assert classes == sorted(classes)


@settings(max_examples=120, deadline=None)
@given(editions(), seeds, st.randoms(use_true_random=False))
def test_same_inputs_and_seed_give_byte_identical_results_whatever_the_list_order(inputs, seed, rng):
    first = canonical_json(result_to_data(allocate(inputs, seed)))
    assert canonical_json(result_to_data(allocate(inputs, seed))) == first

    def shuffled(items):
        items = list(items)
        rng.shuffle(items)
        return tuple(items)

    reordered = Inputs(
        edition=inputs.edition, libraries=shuffled(inputs.libraries), providers=shuffled(inputs.providers),
        animations=shuffled(inputs.animations), requests=shuffled(inputs.requests),
        max_animations_per_library=inputs.max_animations_per_library, funding=inputs.funding,
        funding_requests=shuffled(inputs.funding_requests),
    )
    assert canonical_json(result_to_data(allocate(reordered, seed))) == first


@settings(max_examples=150, deadline=None)
@given(editions(), seeds)
def test_funding_never_exceeds_the_envelope_and_skips_only_what_does_not_fit(inputs, seed):
    result = allocate(inputs, seed)
    rule = inputs.funding
    by_id = {r.id: r for r in inputs.funding_requests}
    remaining = rule.envelope_cents
    for decision in result.funding_decisions:
        target = funding_target(by_id[decision.request_id], rule)
        if decision.granted:
            assert 0 < decision.granted_cents == target <= remaining
            remaining -= target
        else:
            assert decision.granted_cents == 0 and (target > remaining or target == 0)
        assert decision.remaining_cents == remaining
    assert result.funding_remaining_cents == remaining >= 0
