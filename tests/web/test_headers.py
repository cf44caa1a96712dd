"""Security headers on every page family: strict CSP without inline script, no framing, nosniff, referrers."""

from dataclasses import replace

import pytest
from litestar.testing import TestClient

from tests.conftest import login
from tests.web.test_access import _people, world  # noqa: F401  (the fixture)
from web.app import create_app
from web.headers import CSP

EXPECTED = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}
PRIVATE = {"player page", "kiosk"}
"""Pages behind a private link send no referrer at all, so the link never leaks."""


def _families(world) -> dict[str, str]:  # noqa: F811
    return {
        "home": "/", "login": "/connexion", "programme": "/programme", "my account": "/compte",
        "staff admin": "/admin/comptes", "festival hub": "/festival", "library": f"/bibliotheques/{world['a']}",
        "player page": f"/joueur/{world['player_token']}", "kiosk": f"/ecran/{world['screen_token']}",
        "not found": "/nulle-part", "api": "/api/auth/me", "health": "/healthz", "static": "/static/xpo.css",
        "calendar feed": "/programme/programme.ics",
    }


def test_every_page_family_sends_the_security_headers(client, world):  # noqa: F811
    login(client, "staff@mde.test")
    seen = {}
    for family, path in _families(world).items():
        response = client.get(path)
        seen[family] = (response.status_code < 500, {k: response.headers.get(k) for k in EXPECTED},
                        response.headers.get("content-security-policy"), "strict-transport-security" in response.headers)
    expected = {family: (True, EXPECTED | ({"referrer-policy": "no-referrer"} if family in PRIVATE else {}), CSP, False)
                for family in seen}
    assert seen == expected


def test_the_policy_forbids_inline_script_and_framing():
    directives = dict(part.strip().split(" ", 1) for part in CSP.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP


def test_pages_carry_no_inline_script_or_event_handler(client, world):  # noqa: F811
    import re

    login(client, "staff@mde.test")
    for family, path in _families(world).items():
        body = client.get(path).text
        scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", body)
        handlers = re.findall(r"<[^>]+\son[a-z]+=", body)
        styles = re.findall(r"<[^>]+\sstyle=", body)
        assert (family, scripts, handlers, styles) == (family, [], [], [])


def test_hsts_when_the_site_runs_on_https(settings, db):
    https = replace(settings, server=replace(settings.server, https=True, public_url="https://xpo.test"))
    with TestClient(app=create_app(https, database=db), base_url="https://testserver.local") as client:
        response = client.get("/connexion")
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
