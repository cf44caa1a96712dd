"""The login limit counts failures only, per account and per client address, and tells when to retry.

Different client addresses are real peers (httpx's ASGI transport sets the connection's address), so the
limit is tested as the server sees it, not through a header anyone could write.
"""

import asyncio
from dataclasses import replace

import httpx
import pytest
from sqlmodel import select

from tests.conftest import PASSWORD
from tournament.accounts import Role
from tournament.audit import AuditEntry
from web.app import create_app

BASE_URL = "http://testserver.local"


async def _csrf(client: httpx.AsyncClient) -> dict[str, str]:
    await client.get("/connexion")
    return {"x-csrftoken": client.cookies["xpo_csrf"]}


async def _attempt(app, address: str, email: str, password: str = PASSWORD, headers: dict | None = None) -> httpx.Response:
    transport = httpx.ASGITransport(app, client=(address, 50000))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        csrf = await _csrf(client)
        return await client.post("/api/auth/login", json={"email": email, "password": password},
                                 headers={**csrf, **(headers or {})})


def _run(app, scenario):
    async def main():
        async with app.lifespan():
            return await scenario()
    return asyncio.run(main())


async def _audit(db, action: str) -> list[AuditEntry]:
    async with db.read() as session:
        return list((await session.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))).all())


def test_ten_colleagues_logging_in_from_one_address_within_a_minute_are_all_accepted(app, make_account, make_library):
    library = make_library()
    emails = [f"collegue{n}@vernon.test" for n in range(10)]
    for email in emails:
        make_account(email, Role.LIBRARIAN, library)

    async def scenario():
        return [(await _attempt(app, "203.0.113.5", email)).status_code for email in emails]

    assert _run(app, scenario) == [200] * 10


def test_a_rotating_forwarded_for_from_an_untrusted_peer_does_not_bypass_the_address_limit(app, settings, make_account):
    make_account("staff@mde.test")
    allowed = settings.security.login_failures_per_address

    async def scenario():
        statuses = []
        for n in range(allowed):
            spoofed = {"x-forwarded-for": f"198.51.100.{n}"}
            statuses.append((await _attempt(app, "203.0.113.9", f"nobody{n}@mde.test", "guess", spoofed)).status_code)
        refused = await _attempt(app, "203.0.113.9", "staff@mde.test", headers={"x-forwarded-for": "198.51.100.250"})
        elsewhere = await _attempt(app, "203.0.113.10", "staff@mde.test")
        return statuses, refused, elsewhere

    statuses, refused, elsewhere = _run(app, scenario)
    assert statuses == [400] * allowed
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "60"
    assert refused.json()["detail"] == "Trop d’échecs de connexion. Réessayez dans 60 secondes."
    assert refused.json()["retry_after"] == 60
    # The account itself is not locked: the same person from another address gets in.
    assert elsewhere.status_code == 200


def test_the_sixth_failure_on_one_account_is_refused_from_any_address_and_the_wait_grows(app, make_account, monkeypatch):
    import web.login_limit as limit

    make_account("staff@mde.test")
    clock = [1_000_000.0]
    monkeypatch.setattr(limit.time, "time", lambda: clock[0])

    async def scenario():
        statuses = [(await _attempt(app, f"203.0.113.{20 + n}", "staff@mde.test", "wrong")).status_code for n in range(5)]
        sixth = await _attempt(app, "192.0.2.77", "staff@mde.test")  # the right password, another address
        clock[0] += 61
        seventh = await _attempt(app, "192.0.2.78", "staff@mde.test", "wrong again")
        eighth = await _attempt(app, "192.0.2.79", "staff@mde.test")
        clock[0] += 121
        ninth = await _attempt(app, "192.0.2.80", "staff@mde.test")
        return statuses, sixth, seventh, eighth, ninth

    statuses, sixth, seventh, eighth, ninth = _run(app, scenario)
    assert statuses == [400] * 5
    assert (sixth.status_code, sixth.headers["retry-after"]) == (429, "60")
    assert seventh.status_code == 400  # the wait is over: this failure is counted, and doubles the wait
    assert (eighth.status_code, eighth.headers["retry-after"]) == (429, "120")
    assert eighth.json()["detail"] == "Trop d’échecs de connexion. Réessayez dans 2 minutes."
    assert ninth.status_code == 200


def test_refused_attempts_do_not_extend_the_wait(app, make_account, monkeypatch):
    import web.login_limit as limit

    make_account("staff@mde.test")
    clock = [2_000_000.0]
    monkeypatch.setattr(limit.time, "time", lambda: clock[0])

    async def scenario():
        for _ in range(5):
            await _attempt(app, "203.0.113.30", "staff@mde.test", "wrong")
        clock[0] += 30
        during = [(await _attempt(app, "203.0.113.30", "staff@mde.test", "wrong")).headers["retry-after"] for _ in range(3)]
        clock[0] += 31
        return during, await _attempt(app, "203.0.113.30", "staff@mde.test")

    during, after = _run(app, scenario)
    assert during == ["30", "30", "30"]
    assert after.status_code == 200


def test_every_failure_and_every_lockout_is_audited_with_the_address(app, db, make_account):
    account_id = make_account("staff@mde.test")

    async def scenario():
        for n in range(5):
            await _attempt(app, "203.0.113.40", "staff@mde.test", f"wrong {n}")
        await _attempt(app, "203.0.113.40", "nobody@mde.test", "wrong")
        return await _audit(db, "account.login_failed"), await _audit(db, "account.login_locked")

    failed, locked = _run(app, scenario)
    assert [(e.subject, e.address, e.changes["reason"]) for e in failed] == (
        [(f"account:{account_id}", "203.0.113.40", "bad_password")] * 5 + [("", "203.0.113.40", "unknown_account")]
    )
    assert all("wrong" not in str(e.changes) and "nobody" not in str(e.changes) for e in failed)
    assert [(e.subject, e.changes) for e in locked] == [(f"account:{account_id}", {"scope": "account", "seconds": 60})]


def test_the_login_form_says_when_to_retry(client, make_account):
    from tests.conftest import csrf_headers

    make_account("staff@mde.test")
    headers = csrf_headers(client)
    form = {"email": "staff@mde.test", "password": "wrong password"}
    responses = [client.post("/connexion", data=form, headers=headers) for _ in range(6)]
    assert [r.status_code for r in responses] == [400] * 5 + [429]
    assert responses[-1].headers["retry-after"] == "60"
    assert "Réessayez dans 60 secondes." in responses[-1].text


@pytest.mark.production_hashing
def test_argon2_runs_off_the_event_loop(app, make_account, monkeypatch):
    import threading

    import tournament.accounts as accounts

    make_account("staff@mde.test")
    threads = []
    real = accounts.password_matches

    def spy(password_hash, password):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(password_hash, password)

    monkeypatch.setattr("web.accounts.login.password_matches", spy)

    async def scenario():
        return (await _attempt(app, "203.0.113.50", "staff@mde.test")).status_code

    assert _run(app, scenario) == 200
    assert threads == [False]
