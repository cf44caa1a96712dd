"""The login limit: only failed logins count, per account and per client address, with a growing wait.

Colleagues sharing one library connection all log in successfully and are never held back. After
`login_attempts_per_minute` failures on one account (from any address), or `login_failures_per_address`
failures from one address (whatever the accounts), the next attempt waits a minute; each further failure
doubles the wait (at most an hour). A refused attempt is not counted and does not extend the wait. The
counters live in the app's `rate_limit` store (Redis when the workers share it), keyed by
`web.proxies.client_address`, so a rotating X-Forwarded-For from an untrusted peer changes nothing.
"""

import json
import math
import time
from dataclasses import dataclass

from litestar.connection import ASGIConnection
from litestar.stores.base import Store

from tournament.accounts import normalise_email

FIRST_WAIT = 60
LONGEST_WAIT = 3600
FORGET_AFTER = 15 * 60
"""A counter with no new failure for this long starts again from zero."""


@dataclass(frozen=True)
class Counter:
    failures: int = 0
    until: float = 0.0

    def wait(self, now: float) -> int:
        return max(0, math.ceil(self.until - now))


def _store(connection: ASGIConnection) -> Store:
    return connection.app.stores.get("rate_limit")


def _keys(connection: ASGIConnection, address: str, email: str) -> dict[str, str]:
    return {"account": f"login:account:{normalise_email(email)}", "address": f"login:address:{address}"}


def _limits(connection: ASGIConnection) -> dict[str, int]:
    security = connection.app.state.settings.security
    return {"account": security.login_attempts_per_minute, "address": security.login_failures_per_address}


async def _read(store: Store, key: str) -> Counter:
    raw = await store.get(key)
    if raw is None:
        return Counter()
    data = json.loads(raw)
    return Counter(int(data.get("failures", 0)), float(data.get("until", 0.0)))


async def retry_after(connection: ASGIConnection, address: str, email: str) -> int:
    """Seconds before this login may be tried (0: now)."""
    store, now = _store(connection), time.time()
    waits = [(await _read(store, key)).wait(now) for key in _keys(connection, address, email).values()]
    return max(waits)


async def record_failure(connection: ASGIConnection, address: str, email: str) -> dict[str, int]:
    """Count a failed login; the waits it starts, by scope ("account", "address"), in seconds."""
    store, now = _store(connection), time.time()
    limits, started = _limits(connection), {}
    for scope, key in _keys(connection, address, email).items():
        counter = await _read(store, key)
        failures = counter.failures + 1
        until = counter.until
        if failures >= limits[scope]:
            wait = min(LONGEST_WAIT, FIRST_WAIT * 2 ** (failures - limits[scope]))
            until = now + wait
            started[scope] = wait
        await store.set(key, json.dumps({"failures": failures, "until": until}),
                        expires_in=int(max(FORGET_AFTER, until - now + FORGET_AFTER)))
    return started


async def record_success(connection: ASGIConnection, email: str) -> None:
    """A correct login forgets the account's failures (the address keeps its own)."""
    await _store(connection).delete(_keys(connection, "", email)["account"])
