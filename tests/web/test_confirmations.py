"""Confirm, then do (issue 14): every form that sends an irreversible action asks once, in a <dialog>
(web/static/confirm.js), saying what will happen. Read from the templates, so a new irreversible button
without its question fails here; tests/e2e/test_desk_journeys.py clicks a few of them in Chromium."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
FORM = re.compile(r"<form\b[^>]*>", re.S)
IRREVERSIBLE = {
    # what the issue lists: the action's address ending, and where its button is
    "opening the qualifiers": ("tournament/detail.html", "/ouverture"),
    "starting a qualifier": ("tournament/desk.html", "/lancement"),
    "closing a qualifier": ("tournament/desk.html", "/cloture"),
    "a forfeit (or withdrawal) at the desk": ("tournament/desk.html", "/retrait"),
    "drawing the final": ("tournament/final.html", "/finale/tirage"),
    "closing the final": ("tournament/final.html", "/finale/cloture"),
    "revoking a screen": ("admin/screens.html", "/revoquer"),
    "a screen's new address": ("admin/screens.html", "/nouvelle-adresse"),
    "deactivating an account": ("admin/accounts.html", "desactiver"),
    "cancelling a professional-day seat (staff)": ("festival/proday_attendees.html", "/inscriptions/{{ registration.id }}/annuler"),
    "cancelling a professional-day session": ("festival/proday_attendees.html", "/{{ seats.session.id }}/annuler"),
    "cancelling one's own professional-day seat": ("festival/proday_cancel.html", ""),
    "cancelling a published event": ("festival/fiche.html", "/annuler"),
    "publishing an allocation": ("festival/allocation/run.html", "/publier"),
    "cancelling a loan": ("festival/equipment/loan.html", "/annuler"),
    "rolling an import back": ("festival/import_run.html", "/annuler"),
    "erasing a player": ("libraries/library.html", "/effacer"),
}
ENDINGS = re.compile(r'action="[^"]*/(ouverture|lancement|cloture|retrait|tirage|revoquer|nouvelle-adresse|'
                     r"[^/\"]*desactiver[^/\"]*|annuler|publier|effacer)\"")
"""Addresses of irreversible actions, wherever a template posts to one."""


def _forms(template: str) -> list[str]:
    return [tag for tag in FORM.findall((TEMPLATES / template).read_text()) if 'method="post"' in tag]


@pytest.mark.parametrize("action", IRREVERSIBLE)
def test_each_irreversible_action_of_the_issue_asks_first(action):
    template, ending = IRREVERSIBLE[action]
    tags = [tag for tag in _forms(template) if ending in tag]
    assert tags, f"no form for {action} in {template}"
    for tag in tags:
        assert "confirm(" in tag, f"{action} is sent without a question: {tag}"


def test_every_form_posting_to_an_irreversible_address_asks_first():
    unasked = [f"{path.relative_to(TEMPLATES)}: {tag}" for path in sorted(TEMPLATES.rglob("*.html"))
               for tag in FORM.findall(path.read_text()) if ENDINGS.search(tag) and "confirm(" not in tag]
    assert unasked == []


def test_the_question_names_what_will_happen_and_a_way_out():
    macro = (TEMPLATES / "_forms.html").read_text().split("{% macro confirm", 1)[1].split("{%- endmacro %}")[0]
    assert 'data-confirm="{{ text }}"' in macro and 'data-confirm-yes="{{ yes }}"' in macro
    assert 'data-confirm-no="{{ _("Keep as is") }}"' in macro
    script = (TEMPLATES.parent / "static" / "confirm.js").read_text()
    assert 'document.createElement("dialog")' in script and "showModal()" in script
