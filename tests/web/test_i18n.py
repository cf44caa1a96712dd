"""The French catalogue is complete and clean, and pages speak French unless the visitor asked for English."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
FRENCH_PO = ROOT / "web" / "locale" / "fr" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|\{(\w+)\}")


def _source_msgids() -> dict[str | tuple[str, ...], str]:
    """Every message id marked in web/ (`_`, `N_`, `ngettext`, templates), as `make catalog` finds them."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, filename=str(ROOT / "babel.cfg"))
    found: dict[str | tuple[str, ...], str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(str(ROOT), method_map, options_map):
        found.setdefault(message, f"{filename}:{lineno}")
    return found


def _french_catalog():
    with FRENCH_PO.open("rb") as handle:
        return read_po(handle, locale="fr")


def test_extraction_finds_the_web_layer_messages():
    msgids = _source_msgids()
    assert "Log in" in msgids  # a template string
    assert "This field is required." in msgids  # an N_() string in Python


def test_every_message_has_a_french_translation():
    catalog = _french_catalog()
    missing = []
    for msgid, where in sorted(_source_msgids().items(), key=lambda item: str(item[0])):
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        entry = catalog.get(key)
        strings = () if entry is None else (entry.string if isinstance(entry.string, tuple) else (entry.string,))
        if entry is None or not strings or not all(s.strip() for s in strings):
            missing.append(f"  {where}: {msgid!r}")
    assert not missing, "missing French (run `make catalog`, then translate in messages.po):\n" + "\n".join(missing)


def test_french_catalogue_has_no_fuzzy_entries():
    catalog = _french_catalog()
    fuzzy = [f"  {message.id!r}" for message in catalog if message.id and message.fuzzy]
    assert not fuzzy, "fuzzy entries are not shown to users: review them and drop the fuzzy flag:\n" + "\n".join(fuzzy)


def _placeholders(text: str) -> set[str]:
    return {percent or brace for percent, brace in PLACEHOLDER.findall(text)}


def test_french_translations_keep_the_placeholders():
    """A placeholder lost would drop a value; one invented would crash the page with a KeyError."""
    wrong = []
    for message in _french_catalog():
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            allowed = _placeholders(message.id[0]) | _placeholders(message.id[1])
            if any(form and not _placeholders(form) <= allowed for form in message.string):
                wrong.append(f"  {message.id!r} -> {message.string!r}")
        elif message.string and _placeholders(message.string) != _placeholders(message.id):
            wrong.append(f"  {message.id!r} -> {message.string!r}")
    assert not wrong, "placeholders differ between English and French:\n" + "\n".join(wrong)


def test_home_page_is_in_french_by_default(client, make_account):
    make_account("staff@mde.test")
    page = client.get("/")
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text
    assert "Se connecter" in page.text
    assert "Aller au contenu" in page.text


def test_home_page_is_in_english_with_the_language_cookie(client, make_account):
    make_account("staff@mde.test")
    client.cookies.set("xpo_lang", "en")
    page = client.get("/")
    assert '<html lang="en">' in page.text
    assert "Log in" in page.text
    assert "Se connecter" not in page.text


def test_language_switch_sets_the_cookie_and_goes_back(client, make_account):
    make_account("staff@mde.test")
    response = client.get("/langue/en", headers={"referer": "/connexion"}, follow_redirects=False)
    assert response.headers["location"] == "/connexion"
    assert response.cookies.get("xpo_lang") == "en"
