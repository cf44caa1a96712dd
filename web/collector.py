"""Full garbage collections at quiet moments, not inside an event (issue 19).

A full (generation 2) collection stops the process while it walks every tracked object: with 5,000
screens connected that took 300 to 370 ms, and CPython starts one whenever enough objects have
survived the younger collections, which happens while results are being broadcast. The collector
here takes that decision away from CPython:

- automatic collections keep their young generations (0 and 1, a few milliseconds at most), but the
  third threshold is set so high that CPython never starts a full one itself;
- once `every_seconds` have passed since the last one **and** the boards have been quiet (no event
  broadcast, no screen joining) for `quiet_seconds`, a task collects, then freezes what survived
  (`gc.freeze`): the next collection walks only what was made since, a few milliseconds even with
  thousands of screens connected (the connections themselves are frozen);
- once `join_burst` screens have joined since the last collection, at the first quiet moment (or when
  overdue), it collects only the young generations and freezes what survived, with no full walk: the
  new connections live on, and walking them was the full collection of 238 ms that landed inside an
  event at 5,000 screens (docs/BENCHMARKS.md, write2); a result's write leaves no cyclic garbage for
  a full collection (0 objects over 240 results), so little is frozen that a full one would have freed;
- every `thorough_seconds`, once the boards have been quiet for `thorough_quiet_seconds` (a lull, not
  the gap between two results), it unfreezes everything first, so that the cycles among objects
  frozen earlier (a closed connection's, say) are returned: that one walks the whole heap (300 ms
  and more at 5,000 screens), at most that often;
- if the boards are never quiet, it collects (young and unfrozen objects only) anyway after
  `at_most_seconds`.

Every full collection is recorded (its start on CLOCK_MONOTONIC, its duration, why it ran), whoever
started it, through `gc.callbacks`: `[boards] test_endpoints` serves them at ``/api/boards/test/gc``
and `perf/bench_boards.py` counts those that fell inside an event.
"""

import asyncio
import gc
import logging
import time
from collections import deque
from collections.abc import Callable

log = logging.getLogger("xpo.gc")

NEVER = 1_000_000
"""A generation-2 threshold CPython never reaches (a million young collections)."""


class Collector:
    def __init__(self, last_activity: Callable[[], float], *, quiet_seconds: float = 1.0, every_seconds: float = 30.0,
                 thorough_seconds: float = 600.0, at_most_seconds: float = 120.0, check_seconds: float = 0.25,
                 manage: bool = True, joins: Callable[[], int] | None = None, join_burst: int = 100,
                 thorough_quiet_seconds: float = 10.0) -> None:
        self.manage = manage
        """False: only record the full collections CPython starts (to compare, in a benchmark)."""
        self.last_activity = last_activity
        """CLOCK_MONOTONIC time of the boards' last event or join."""
        self.quiet_seconds, self.every_seconds = quiet_seconds, every_seconds
        self.at_most_seconds, self.check_seconds = at_most_seconds, check_seconds
        self.thorough_seconds, self.thorough_quiet_seconds = thorough_seconds, thorough_quiet_seconds
        self.joins, self.join_burst = joins or (lambda: 0), join_burst
        """How many screens have joined so far, and how many since the last collection make it a ``joined`` one."""
        self._joins_then = 0
        self.full: deque[tuple[float, float, str]] = deque(maxlen=1000)
        """(start, milliseconds, why) of each full collection: ``quiet``, ``thorough``, ``overdue`` or
        ``cpython`` (started by CPython or by a direct `gc.collect()`). ``joined`` ones are not full."""
        self.joined: deque[tuple[float, float]] = deque(maxlen=1000)
        """(start, milliseconds) of each ``joined`` collection (young generations, then freeze)."""
        self._task: asyncio.Task | None = None
        self._thresholds: tuple[int, int, int] | None = None
        self._started_at = 0.0
        self._why = "cpython"
        self._last_full = self._last_thorough = time.monotonic()

    async def start(self) -> None:
        if self._task is not None:
            return
        gc.callbacks.append(self._observe)
        self._last_full = self._last_thorough = time.monotonic()
        if self.manage:
            self._thresholds = gc.get_threshold()
            gc.set_threshold(self._thresholds[0], self._thresholds[1], NEVER)
        self._task = asyncio.get_running_loop().create_task(self._run() if self.manage else asyncio.sleep(1e9),
                                                            name="xpo-gc")

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        self._task = None
        if self._observe in gc.callbacks:
            gc.callbacks.remove(self._observe)
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None

    def due(self, now: float) -> str | None:
        """Why a collection should run now (``joined``: young generations only, then freeze), or None."""
        since = now - self._last_full
        quiet_for = now - self.last_activity()
        burst = self.joins() - self._joins_then >= self.join_burst
        if since >= self.at_most_seconds:
            return "joined" if burst else "overdue"
        if quiet_for >= self.quiet_seconds:
            if burst:
                return "joined"
            if since >= self.every_seconds:
                thorough = (now - self._last_thorough >= self.thorough_seconds
                            and quiet_for >= self.thorough_quiet_seconds)
                return "thorough" if thorough else "quiet"
        return None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.check_seconds)
            why = self.due(time.monotonic())
            if why is not None:
                self.collect(why)

    def collect(self, why: str) -> None:
        """One full collection (of what is not frozen, or of everything when ``thorough``), then freeze."""
        self._why = why
        self._joins_then = self.joins()
        try:
            if why == "joined":
                start = time.monotonic()
                gc.collect(1)
                gc.freeze()
                self._last_full = end = time.monotonic()
                self.joined.append((start, (end - start) * 1000))
                return
            if why == "thorough":
                gc.unfreeze()
                self._last_thorough = time.monotonic()
            gc.collect()
            gc.freeze()
        finally:
            self._why = "cpython"

    def _observe(self, phase: str, info: dict) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._started_at = time.monotonic()
            return
        end = time.monotonic()
        self._last_full = end
        self.full.append((self._started_at, (end - self._started_at) * 1000, self._why))
