"""X-Forwarded-* are believed from the configured proxies only: the client's address and the site's origin."""

from dataclasses import replace
from types import SimpleNamespace

from litestar import Litestar, get
from litestar.connection import Request
from litestar.datastructures import State
from litestar.testing import TestClient

from tournament.accounts import Role
from tournament.config import ServerSettings
from web.proxies import client_address, request_origin


@get("/who", sync_to_thread=False)
def who(request: Request) -> dict[str, str]:
    return {"address": client_address(request), "origin": request_origin(request)}


def _ask(trusted: str, headers: dict[str, str]) -> dict[str, str]:
    settings = SimpleNamespace(server=ServerSettings(trusted_proxies=trusted))
    app = Litestar([who], state=State({"settings": settings}))
    with TestClient(app, base_url="http://xpo.test:8123") as client:  # the test client's peer is "testclient"
        return client.get("/who", headers=headers).json()


FORWARDED = {"x-forwarded-for": "203.0.113.9, 10.0.0.5", "x-forwarded-proto": "https", "x-forwarded-host": "live.example.fr"}


def test_headers_from_an_untrusted_peer_are_ignored():
    assert _ask("", FORWARDED) == {"address": "testclient", "origin": "http://xpo.test:8123"}


def test_a_peer_that_is_not_an_address_is_never_trusted():
    assert _ask("0.0.0.0/0, ::/0", FORWARDED)["address"] == "testclient"


def test_behind_trusted_proxies_the_last_untrusted_hop_is_the_client(monkeypatch):
    monkeypatch.setattr("web.proxies._peer", lambda connection: "127.0.0.1")
    assert _ask("127.0.0.1, 10.0.0.0/8", FORWARDED) == {"address": "203.0.113.9", "origin": "https://live.example.fr"}
    # A client writing its own X-Forwarded-For cannot hide behind it: the proxy appends the real address.
    spoofed = {"x-forwarded-for": "198.51.100.1, 203.0.113.9"}
    assert _ask("127.0.0.1", spoofed)["address"] == "203.0.113.9"


def test_links_follow_the_request_when_no_public_url_is_set(app, settings, db, make_account):
    """A server on another port prints cards that open: the link is built from the address the browser used."""
    from litestar.testing import TestClient

    from tests.conftest import csrf_headers, login

    make_account("mde@xpo.test", Role.MDE, None)
    with TestClient(app=app, base_url="http://127.0.0.1:18511") as client:
        login(client, "mde@xpo.test")
        body = client.post("/api/screens", json={"label": "Hall"}, headers=csrf_headers(client)).json()
    assert body["url"] == f"http://127.0.0.1:18511/ecran/{body['token']}"


def test_the_start_up_log_warns_when_public_url_is_not_where_the_server_answers(settings):
    from web.cli import public_base, public_url_mismatch

    wrong = replace(settings, server=replace(settings.server, port=18511, public_url="http://127.0.0.1:8000"))
    assert "le serveur écoute sur le port 18511" in public_url_mismatch(wrong)
    assert public_base(wrong) == "http://127.0.0.1:8000"
    unset = replace(settings, server=replace(settings.server, port=18511, public_url=""))
    assert public_url_mismatch(unset) == ""
    assert public_base(unset) == "http://127.0.0.1:18511"
    behind_proxy = replace(settings, server=replace(settings.server, port=18511, public_url="https://xpo.example.fr"))
    assert public_url_mismatch(behind_proxy) == ""
