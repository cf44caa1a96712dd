"""Full garbage collections wait for the boards to be quiet (web/collector.py)."""

import asyncio
import gc

from web.collector import NEVER, Collector


def test_a_full_collection_is_due_only_after_the_interval_and_a_quiet_second_or_when_overdue():
    activity = [0.0]
    collector = Collector(lambda: activity[0], quiet_seconds=1.0, every_seconds=30.0, thorough_seconds=600.0,
                          at_most_seconds=300.0)
    collector._last_full = collector._last_thorough = 0.0
    activity[0] = 5.0
    assert collector.due(10.0) is None  # too soon after the last one
    activity[0] = 30.5
    assert collector.due(31.0) is None  # an event half a second ago
    assert collector.due(31.6) == "quiet"
    activity[0] = 299.9
    assert collector.due(299.95) is None
    assert collector.due(300.0) == "overdue"  # never quiet: collected anyway
    collector._last_full, collector._last_thorough = 590.0, 100.0
    activity[0] = 0.0
    assert collector.due(620.0) == "quiet"
    collector._last_full, collector._last_thorough = 580.0, 0.0
    assert collector.due(610.0) == "thorough"  # the whole heap, frozen part included, every 10 minutes


def test_a_collection_freezes_what_survived_and_a_thorough_one_returns_cycles_frozen_earlier():
    import weakref

    class Node:
        pass

    collector = Collector(lambda: 0.0)
    try:
        node = Node()
        node.self = node  # a cycle: only the garbage collector frees it
        ref = weakref.ref(node)
        collector.collect("quiet")
        assert gc.get_freeze_count() > 0
        del node
        collector.collect("quiet")
        assert ref() is not None  # frozen: an ordinary collection does not walk it
        collector.collect("thorough")
        assert ref() is None
    finally:
        gc.unfreeze()


def test_cpython_starts_no_full_collection_while_it_runs_and_every_full_one_is_recorded():
    before = gc.get_threshold()

    async def scenario():
        collector = Collector(lambda: 0.0, quiet_seconds=0.0, every_seconds=0.0, check_seconds=0.01)
        await collector.start()
        try:
            assert gc.get_threshold() == (before[0], before[1], NEVER)
            gc.collect()
            for _ in range(500):
                if any(why == "quiet" for _, _, why in collector.full):
                    break
                await asyncio.sleep(0.01)
        finally:
            await collector.stop()
        return list(collector.full)

    full = asyncio.run(scenario())
    assert gc.get_threshold() == before
    assert "cpython" in [why for _, _, why in full]  # the explicit gc.collect() above
    assert "quiet" in [why for _, _, why in full]  # started by the collector's task
    assert all(milliseconds >= 0 for _, milliseconds, _ in full)


def test_a_burst_of_joins_is_frozen_at_the_next_quiet_moment_without_a_full_collection():
    activity, joins = [0.0], [0]
    collector = Collector(lambda: activity[0], joins=lambda: joins[0], join_burst=100, quiet_seconds=1.0,
                          every_seconds=30.0, at_most_seconds=120.0)
    collector._last_full = collector._last_thorough = 0.0
    joins[0], activity[0] = 99, 2.0
    assert collector.due(5.0) is None  # 99 screens joined: not a burst, and the interval has not passed
    joins[0], activity[0] = 5000, 4.0
    assert collector.due(4.5) is None  # a screen joined half a second ago
    assert collector.due(5.0) == "joined"  # quiet: before the interval, young generations only
    activity[0] = 119.9
    assert collector.due(120.0) == "joined"  # never quiet and overdue: still no full walk over new screens
    generations: list[int] = []

    def observe(phase: str, info: dict) -> None:
        if phase == "start":
            generations.append(info["generation"])

    gc.callbacks.append(observe)
    try:
        frozen = gc.get_freeze_count()
        collector.collect("joined")
        assert gc.get_freeze_count() >= frozen and 2 not in generations and generations
    finally:
        gc.callbacks.remove(observe)
        gc.unfreeze()
    collector._last_full = 121.0  # the fake clock's time of that collection
    assert collector.due(122.0) is None  # the burst is counted as collected
    activity[0] = 140.0
    assert collector.due(150.0) is None  # quiet, but 29 s since the last collection
    assert collector.due(151.5) == "quiet"  # an ordinary one: the unfrozen objects only


def test_the_thorough_collection_waits_for_a_lull_not_the_gap_between_two_results():
    activity = [0.0]
    collector = Collector(lambda: activity[0], quiet_seconds=1.0, every_seconds=30.0, thorough_seconds=600.0,
                          thorough_quiet_seconds=10.0)
    collector._last_full, collector._last_thorough = 580.0, 0.0
    activity[0] = 608.0
    assert collector.due(610.0) == "quiet"  # 2 s since the last result: only the unfrozen objects
    assert collector.due(618.0) == "thorough"
