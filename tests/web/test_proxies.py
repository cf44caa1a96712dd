"""X-Forwarded-* are believed from the configured proxies only: the client's address and the site's origin."""

from types import SimpleNamespace

from litestar import Litestar, get
from litestar.connection import Request
from litestar.datastructures import State
from litestar.testing import TestClient

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
