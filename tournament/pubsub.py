"""Board notifications between processes: "tournament T has events up to seq S".

A notification carries no data: listeners read the events from the database
(`snapshots.event_messages`), so a lost notification costs only a delay, never an event. The
in-process backend serves one process; the Redis backend (redis.asyncio pub/sub) lets every
worker of every host hear the commits of the others. `commit_hook` publishes what a write
transaction emitted, after it committed (`Database.add_commit_hook`).
"""

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Protocol

from tournament.board import emitted
from tournament.config import Settings
from tournament.db import CommitHook

log = logging.getLogger("xpo.pubsub")

Listener = Callable[[int, int], None]
"""Called with (tournament_id, seq) in the listener's event loop; must not block."""


class PubSub(Protocol):
    async def publish(self, tournament_id: int, seq: int) -> None:
        """Tell every listener, in every process, that `tournament_id` has events up to `seq`."""

    def subscribe(self, listener: Listener, on_reconnect: Callable[[], None] | None = None) -> None:
        """Call `listener` for each notification; `on_reconnect` after notifications may have been lost."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...


class MemoryPubSub:
    """One process: listeners are called directly (in their own loop when published from another)."""

    def __init__(self) -> None:
        self._listeners: list[tuple[Listener, asyncio.AbstractEventLoop | None]] = []

    def subscribe(self, listener: Listener, on_reconnect: Callable[[], None] | None = None) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        self._listeners.append((listener, loop))

    async def publish(self, tournament_id: int, seq: int) -> None:
        current = asyncio.get_running_loop()
        for listener, loop in self._listeners:
            if loop is None or loop is current:
                listener(tournament_id, seq)
            elif not loop.is_closed():
                loop.call_soon_threadsafe(listener, tournament_id, seq)

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        self._listeners.clear()


class RedisPubSub:
    """Redis PUBLISH/SUBSCRIBE on one channel; the listener task reconnects on its own."""

    def __init__(self, url: str, channel: str, *, retry_seconds: float = 1.0) -> None:
        self.url = url
        self.channel = channel
        self.retry_seconds = retry_seconds
        self._listeners: list[Listener] = []
        self._on_reconnect: list[Callable[[], None]] = []
        self._task: asyncio.Task | None = None
        self._clients: dict[asyncio.AbstractEventLoop, Any] = {}
        self.connected = asyncio.Event()

    def subscribe(self, listener: Listener, on_reconnect: Callable[[], None] | None = None) -> None:
        self._listeners.append(listener)
        if on_reconnect is not None:
            self._on_reconnect.append(on_reconnect)

    def _client(self):
        """A client for the running loop (a redis.asyncio client belongs to the loop that made it)."""
        import redis.asyncio as redis

        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            for stale in [known for known in self._clients if known.is_closed()]:
                del self._clients[stale]
            client = self._clients[loop] = redis.Redis.from_url(self.url)
        return client

    async def publish(self, tournament_id: int, seq: int) -> None:
        try:
            await self._client().publish(self.channel, f"{tournament_id}:{seq}")
        except Exception as error:  # noqa: BLE001 - a board catches up at its next poll anyway
            log.warning("board notification %s:%s not published: %s", tournament_id, seq, error)

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._listen(), name="xpo-board-pubsub")

    async def _listen(self) -> None:
        import redis.asyncio as redis

        while True:
            client = redis.Redis.from_url(self.url)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                self.connected.set()
                for callback in self._on_reconnect:
                    callback()
                while True:
                    message = await pubsub.get_message(timeout=30.0)
                    if message is None or message.get("type") != "message":
                        continue
                    tournament, _, seq = message["data"].decode().partition(":")
                    for listener in self._listeners:
                        listener(int(tournament), int(seq))
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - keep listening whatever Redis does
                self.connected.clear()
                log.warning("board notifications: Redis unavailable (%s), retrying", error)
                await asyncio.sleep(self.retry_seconds)
            finally:
                await _quietly(pubsub.aclose())
                await _quietly(client.aclose())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        loop = asyncio.get_running_loop()
        for known, client in list(self._clients.items()):
            if known is loop:
                await _quietly(client.aclose())
        self._clients.clear()


async def _quietly(awaitable) -> None:
    try:
        await awaitable
    except Exception:  # noqa: BLE001 - closing a broken connection may fail too
        pass


def create_pubsub(settings: Settings) -> PubSub:
    """Redis when ``[pubsub] backend = "redis"``, else in-process."""
    if settings.pubsub.backend == "redis":
        return RedisPubSub(settings.pubsub.redis_url, settings.boards.channel)
    return MemoryPubSub()


def commit_hook(pubsub: PubSub) -> CommitHook:
    """A `Database` commit hook publishing the last seq of each tournament the transaction touched."""

    async def publish_board_events(info: dict[str, Any]) -> None:
        for what in emitted(info):
            await pubsub.publish(what.tournament_id, max(event.seq for event in what.events))

    return publish_board_events
