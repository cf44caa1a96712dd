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
- every `thorough_seconds`, at a quiet moment too, it unfreezes everything first, so that the cycles
  among objects frozen earlier (a closed connection's, say) are returned: that one walks the whole
  heap (300 ms and more at 5,000 screens), at most that often;
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
                 manage: bool = True) -> None:
        self.manage = manage
        """False: only record the full collections CPython starts (to compare, in a benchmark)."""
        self.last_activity = last_activity
        """CLOCK_MONOTONIC time of the boards' last event or join."""
        self.quiet_seconds, self.every_seconds = quiet_seconds, every_seconds
        self.at_most_seconds, self.check_seconds = at_most_seconds, check_seconds
        self.thorough_seconds = thorough_seconds
        self.full: deque[tuple[float, float, str]] = deque(maxlen=1000)
        """(start, milliseconds, why) of each full collection: ``quiet``, ``thorough``, ``overdue`` or
        ``cpython`` (started by CPython or by a direct `gc.collect()`)."""
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
        """Why a full collection should run now, or None."""
        since = now - self._last_full
        if since >= self.at_most_seconds:
            return "overdue"
        if since >= self.every_seconds and now - self.last_activity() >= self.quiet_seconds:
            return "thorough" if now - self._last_thorough >= self.thorough_seconds else "quiet"
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
        try:
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
