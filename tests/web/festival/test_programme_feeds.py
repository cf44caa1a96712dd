"""Calendar feeds subscribers can trust (slot identity, SEQUENCE, cancellations) and the programme's search."""

import csv
import io
from datetime import datetime

import pytest
from icalendar import Calendar
from sqlmodel import select

from tests.conftest import csrf_headers, login, run
from tests.tournament.festival.festival_factories import (
    BEFORE_DEADLINE, STAFF, add_edition, add_fiche, add_registration, fiche_input,
)
from tournament.accounts import Role
from tournament.audit import AuditEntry
from tournament.festival.fiches import SlotInput, update_fiche
from tournament.festival.timing import PARIS

DAYS = ("2025-03-29", "2025-03-30", "2025-03-31")


@pytest.fixture
def festival(db, app, make_library):
    """Vernon publishes a stop motion workshop on three days, Évreux a free accessible VR session; the clock is
    before the festival."""
    app.state.clock = lambda: BEFORE_DEADLINE
    edition = run(add_edition(db))
    vernon = make_library("Médiathèque de Vernon", "Vernon")
    evreux = make_library("Médiathèque Rolland-Plaisance", "Évreux")
    for library_id in (vernon, evreux):
        run(add_registration(db, edition, library_id))
    stop_motion = run(add_fiche(db, edition, vernon, "published", place_commune="Vernon",
                                slots=[SlotInput(day, "14:00", "16:00") for day in DAYS]))
    vr = run(add_fiche(db, edition, evreux, "published", title="Réalité virtuelle à la médiathèque",
                       category="virtual_reality", place_commune="Évreux", is_free=True, booking_required=False,
                       accessibility="Salle de plain-pied, boucle magnétique", age_min=12, age_max=None,
                       slots=[SlotInput("2025-04-05", "10:00", "12:00")]))
    return {"edition": edition, "vernon": vernon, "evreux": evreux, "stop_motion": stop_motion, "vr": vr}


def _events(client, url="/programme/programme.ics") -> dict[str, dict]:
    response = client.get(url)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    return {str(e["UID"]): {"start": e["DTSTART"].dt, "sequence": int(e.get("SEQUENCE", 0)),
                            "status": str(e.get("STATUS", "")), "summary": str(e["SUMMARY"])}
            for e in Calendar.from_ical(response.content).walk("VEVENT")}


def _edit_slots(db, festival, slots, **changes):
    async def go():
        async with db.write() as session:
            await update_fiche(session, fiche_id=festival["stop_motion"].id, actor=STAFF,
                               data=fiche_input(place_commune="Vernon", slots=slots, **changes))
    run(go())


def _by_day(events):
    return {event["start"].date().isoformat(): (uid, event) for uid, event in events.items()}


def test_editing_and_removing_slots_keeps_uids_grows_sequence_and_cancels_the_removed_one(client, db, festival):
    before = _by_day(_events(client))
    assert {day for day in before if day in DAYS} == set(DAYS)
    assert all(event["sequence"] == 0 and event["status"] == "CONFIRMED" for _, event in before.values())

    # Remove the first day, move the third to the morning; the second is untouched.
    _edit_slots(db, festival, [SlotInput(DAYS[1], "14:00", "16:00"), SlotInput(DAYS[2], "10:00", "12:00")])
    after = _events(client)
    untouched_uid, untouched = before[DAYS[1]]
    assert after[untouched_uid]["start"] == untouched["start"] and after[untouched_uid]["sequence"] == 0
    moved_uid = before[DAYS[2]][0]
    assert after[moved_uid]["start"] == datetime(2025, 3, 31, 10, tzinfo=PARIS)
    assert after[moved_uid]["sequence"] == 1 and after[moved_uid]["status"] == "CONFIRMED"
    removed_uid = before[DAYS[0]][0]
    assert after[removed_uid]["status"] == "CANCELLED" and after[removed_uid]["sequence"] == 1
    assert after[removed_uid]["start"] == before[DAYS[0]][1]["start"]  # the removed slot keeps its own date

    # A change of the text itself is a change of every slot.
    _edit_slots(db, festival, [SlotInput(DAYS[1], "14:00", "16:00"), SlotInput(DAYS[2], "10:00", "12:00")],
                title="Atelier stop motion (nouvelle formule)")
    again = _events(client)
    assert again[untouched_uid]["sequence"] == 1 and again[moved_uid]["sequence"] == 2
    assert again[removed_uid]["status"] == "CANCELLED"
    assert len(again) == len(after)  # nothing renumbered, nothing lost


def test_cancelled_slots_leave_the_feed_once_the_edition_is_over(client, app, db, festival):
    _edit_slots(db, festival, [SlotInput(DAYS[1], "14:00", "16:00")])
    assert sum(e["status"] == "CANCELLED" for e in _events(client).values()) == 2
    app.state.clock = lambda: datetime(2025, 4, 13, 9, tzinfo=PARIS)
    events = _events(client)
    assert [e["status"] for e in events.values()].count("CANCELLED") == 0 and len(events) == 2


def test_a_library_cancels_its_published_event_and_the_programme_and_calendars_say_so(
        client, db, make_account, festival):
    fiche = festival["stop_motion"]
    make_account("lea@evreux.test", Role.LIBRARIAN, festival["evreux"])
    login(client, "lea@evreux.test")
    assert client.post(f"/festival/fiches/{fiche.id}/annuler", data={"reason": "Intervenant malade"},
                       headers=csrf_headers(client), follow_redirects=False).status_code == 403
    client.post("/deconnexion", headers=csrf_headers(client))
    make_account("lea@vernon.test", Role.LIBRARIAN, festival["vernon"])
    login(client, "lea@vernon.test")
    empty = client.post(f"/festival/fiches/{fiche.id}/annuler", data={"reason": " "}, headers=csrf_headers(client))
    assert empty.status_code == 400 and "Dites pourquoi" in empty.text
    done = client.post(f"/festival/fiches/{fiche.id}/annuler", data={"reason": "Intervenant malade"},
                       headers=csrf_headers(client), follow_redirects=False)
    assert done.status_code in (302, 303)
    again = client.post(f"/api/festival/fiches/{fiche.id}/cancel", json={"reason": "bis"}, headers=csrf_headers(client))
    assert again.status_code == 409

    page = client.get("/programme?commune=vernon").text
    assert "Annulé" in page and "Atelier stop motion" in page
    assert client.get("/api/festival/programme?commune=vernon").json()[0]["cancelled"] is True
    events = _events(client, f"/programme/evenements/{fiche.id}/evenement.ics")
    assert len(events) == 3 and {e["status"] for e in events.values()} == {"CANCELLED"}
    assert {e["sequence"] for e in events.values()} == {1}

    async def entries():
        async with db.read() as session:
            return list((await session.exec(select(AuditEntry).where(AuditEntry.action == "fiche.cancel"))).all())
    [entry] = run(entries())
    assert entry.changes["reason"] == "Intervenant malade" and entry.changes["library_id"] == festival["vernon"]


def test_one_calendar_per_event_per_library_and_per_commune(client, festival):
    vr = festival["vr"]
    assert len(_events(client, f"/programme/evenements/{vr.id}/evenement.ics")) == 1
    assert len(_events(client, f"/programme/bibliotheques/{festival['vernon']}/programme.ics")) == 3
    for spelling in ("evreux", "ÉVREUX", "Évreux"):
        [event] = _events(client, f"/programme/communes/{spelling}/programme.ics").values()
        assert event["summary"] == "Réalité virtuelle à la médiathèque"
    assert client.get("/programme/evenements/99999/evenement.ics").status_code == 404


@pytest.mark.parametrize("spelling", ["vernon", "VERNON", "Vernon", " vernon "])
def test_commune_filter_ignores_case_and_accents_on_the_page_the_api_and_the_csv(client, festival, spelling):
    items = client.get("/api/festival/programme", params={"commune": spelling}).json()
    assert [(i["place_commune"], i["starts_at"][:10]) for i in items] == [("Vernon", day) for day in DAYS]
    page = client.get("/programme", params={"commune": spelling}).text
    assert page.count('class="programme-entry') == 3 and "Réalité virtuelle à la" not in page
    rows = list(csv.reader(io.StringIO(client.get("/programme/programme.csv", params={"commune": spelling})
                                       .content.decode("utf-8-sig")), dialect="excel", delimiter=";"))
    assert [row[14] for row in rows[1:]] == ["Vernon"] * 3
    assert len(_events(client, f"/programme/programme.ics?commune={spelling.strip()}")) == 3


def test_search_text_and_filters(client, festival):
    def titles(**params):
        return sorted({i["title"] for i in client.get("/api/festival/programme", params=params).json()})

    assert titles(q="REALITE virtuelle") == ["Réalité virtuelle à la médiathèque"]
    assert titles(q="evreux") == ["Réalité virtuelle à la médiathèque"]  # the commune is searched too
    assert titles(commune="evreux") == ["Réalité virtuelle à la médiathèque"]
    assert titles(category="virtual_reality") == ["Réalité virtuelle à la médiathèque"]
    assert titles(category="réalité VIRTUELLE") == ["Réalité virtuelle à la médiathèque"]
    assert titles(age="10") == ["Atelier stop motion"]
    assert titles(age="40") == ["Réalité virtuelle à la médiathèque"]
    assert titles(gratuit="1", accessible="1") == ["Réalité virtuelle à la médiathèque"]
    assert titles(reservation="oui") == ["Atelier stop motion"]
    assert titles(day="30/03/2025") == ["Atelier stop motion"]
    assert titles(q="introuvable") == []
    bad = client.get("/programme", params={"age": "deux cents", "day": "32/13/2025"})
    assert bad.status_code == 400 and "Saisissez un âge" in bad.text or "Saisissez une date" in bad.text
    assert client.get("/api/festival/programme", params={"day": "demain"}).status_code == 422


def test_today_and_this_weekend_count_from_the_day_asked(client, app, festival):
    app.state.clock = lambda: datetime(2025, 3, 28, 9, tzinfo=PARIS)  # a Friday
    weekend = client.get("/api/festival/programme", params={"quand": "weekend"}).json()
    assert [i["starts_at"][:10] for i in weekend] == ["2025-03-29", "2025-03-30"]
    assert client.get("/api/festival/programme", params={"quand": "aujourdhui"}).json() == []
    app.state.clock = lambda: datetime(2025, 3, 31, 9, tzinfo=PARIS)
    assert [i["starts_at"][:10] for i in client.get("/api/festival/programme", params={"quand": "aujourdhui"}).json()] \
        == ["2025-03-31"]


def test_the_programme_is_paginated_and_pages_keep_the_filters(client, db, festival):
    from web.festival import programme as module

    original, module.PAGE_SIZE = module.PAGE_SIZE, 2
    try:
        first = client.get("/programme", params={"commune": "vernon"})
        assert first.text.count('class="programme-entry') == 2
        assert 'href="/programme?commune=vernon&amp;page=2" rel="next"' in first.text
        assert "Page 1 sur 2" in first.text
        second = client.get("/programme", params={"commune": "vernon", "page": "2"})
        assert second.text.count('class="programme-entry') == 1
        assert 'href="/programme?commune=vernon" rel="prev"' in second.text
        assert client.get("/programme", params={"page": "999"}).status_code == 200  # past the end: the last page
        assert client.get("/programme", params={"page": str(10**9)}).status_code == 422
    finally:
        module.PAGE_SIZE = original


def test_the_programme_csv_headers_are_french_whatever_the_language(client, festival):
    client.get("/langue/en")
    rows = list(csv.reader(io.StringIO(client.get("/programme/programme.csv").content.decode("utf-8-sig")),
                           dialect="excel", delimiter=";"))
    assert rows[0][:4] == ["Date", "Début", "Fin", "Titre"]


def _jsonld(client, fiche_id):
    import json
    import re

    page = client.get(f"/programme/evenements/{fiche_id}").text
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))


def test_jsonld_has_the_address_offers_organizer_status_and_image_credit(client, db, festival):
    from tournament.festival.fiches import EventFiche, cancel_fiche
    from tournament.libraries import Library

    async def dress():
        async with db.write() as session:
            library = await session.get(Library, festival["evreux"])
            library.address, library.postcode = "Place de l'Hôtel de Ville", "27000"
            session.add(library)
            fiche = await session.get(EventFiche, festival["vr"].id)
            fiche.place_address, fiche.picture, fiche.picture_credit = "", "abc.jpg", "Photo : MDE / J. Martin"
            session.add(fiche)
    run(dress())
    [vr] = _jsonld(client, festival["vr"].id)
    assert vr["location"]["address"]["streetAddress"] == "Place de l'Hôtel de Ville"  # the library's, same commune
    assert vr["offers"] == {"@type": "Offer", "url": vr["url"], "priceCurrency": "EUR", "price": "0",
                            "availability": "https://schema.org/InStock"}
    assert vr["organizer"]["name"] == "Médiathèque Rolland-Plaisance"
    assert vr["organizer"]["address"]["postalCode"] == "27000"
    assert vr["image"]["creditText"] == "Photo : MDE / J. Martin" and vr["image"]["url"].endswith("/abc.jpg")

    async def cancel():
        async with db.write() as session:
            await cancel_fiche(session, fiche_id=festival["vr"].id, reason="Salle inondée", actor=STAFF)
    run(cancel())
    [vr] = _jsonld(client, festival["vr"].id)
    assert vr["eventStatus"] == "https://schema.org/EventCancelled"
