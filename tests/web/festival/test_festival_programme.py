"""The public programme: only published fiches, JSON-LD, and exports read back (iCalendar, CSV, PDF)."""

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from tests.conftest import run
from tests.tournament.festival.festival_factories import add_edition, add_fiche, add_registration
from tournament.festival.fiches import EventFiche, SlotInput
from tournament.libraries import Library


@pytest.fixture
def published(db, make_library):
    """Vernon publishes two events (29 and 30 March, either side of the DST switch); Bernay has one still in review."""
    edition = run(add_edition(db))
    vernon = make_library()
    bernay = make_library("Médiathèque de Bernay", "Bernay")
    for library_id in (vernon, bernay):
        run(add_registration(db, edition, library_id))
    stop_motion = run(add_fiche(db, edition, vernon, "published", slots=[
        SlotInput("2025-03-29", "14:00", "16:00"), SlotInput("2025-03-30", "14:00", "16:00"),
    ]))
    vr = run(add_fiche(db, edition, vernon, "published", title="Initiation à la réalité virtuelle",
                       category="virtual_reality", is_free=False, price="2 €", place_name="Salle des fêtes",
                       place_address="Place de la République", place_postcode="27200", place_commune="Vernon",
                       slots=[SlotInput("2025-04-05", "10:00", "12:00")]))
    run(add_fiche(db, edition, bernay, "accepted", title="Robots Thymio", category="robotics"))
    return stop_motion, vr, vernon


def test_pages_show_published_events_only(client, published):
    by_date = client.get("/programme")
    assert by_date.status_code == 200
    assert "Atelier stop motion" in by_date.text and "Initiation à la réalité virtuelle" in by_date.text
    assert "Robots Thymio" not in by_date.text
    assert "samedi 29 mars 2025" in by_date.text and "dimanche 30 mars 2025" in by_date.text
    assert "Robots Thymio" not in client.get("/programme/communes").text
    categories = client.get("/programme/categories").text
    assert "<h2>Réalité virtuelle</h2>" in categories and "<h2>Robotique</h2>" not in categories
    one_day = client.get("/programme?day=2025-04-05")
    assert "Initiation à la réalité virtuelle" in one_day.text and "Atelier stop motion" not in one_day.text


def test_unpublished_event_page_is_not_found(client, published, db):
    assert client.get(f"/programme/evenements/{published[0].id + 2}").status_code == 404


def test_event_page_carries_schema_org_jsonld(client, published):
    _, vr, _ = published
    page = client.get(f"/programme/evenements/{vr.id}")
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page.text, re.S).group(1))
    event = data[0]
    assert event["@type"] == "Event" and event["name"] == "Initiation à la réalité virtuelle"
    assert event["startDate"] == "2025-04-05T10:00:00+02:00"
    assert event["isAccessibleForFree"] is False
    assert event["location"]["address"]["streetAddress"] == "Place de la République"
    assert event["location"]["address"]["postalCode"] == "27200"
    assert event["organizer"]["@type"] == "Organization" and event["organizer"]["name"] == "Médiathèque de Vernon"
    assert event["offers"]["price"] == "2" and event["offers"]["priceCurrency"] == "EUR"
    assert event["eventStatus"] == "https://schema.org/EventScheduled"


def test_icalendar_export_parses_back_with_paris_offsets_and_stable_uids(client, published):
    stop_motion, _, vernon = published
    first = client.get("/programme/programme.ics")
    assert first.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(first.content)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    saturday = events[f"fiche-{stop_motion.id}-slot-1@xpo.mde.eure"]["DTSTART"].dt
    sunday = events[f"fiche-{stop_motion.id}-slot-2@xpo.mde.eure"]["DTSTART"].dt
    assert (saturday.hour, saturday.utcoffset()) == (14, timedelta(hours=1))
    assert (sunday.hour, sunday.utcoffset()) == (14, timedelta(hours=2))
    assert len(events) == 3
    assert client.get("/programme/programme.ics").content == first.content  # same UIDs, same bytes
    library = Calendar.from_ical(client.get(f"/programme/bibliotheques/{vernon}/programme.ics").content)
    assert {str(e["UID"]) for e in library.walk("VEVENT")} == set(events)


def test_csv_export_for_french_excel(client, published):
    response = client.get("/programme/programme.csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Date", "Début", "Fin", "Titre"]
    assert rows[1][:4] == ["29/03/2025", "14:00", "16:00", "Atelier stop motion"]
    assert rows[3][3] == "Initiation à la réalité virtuelle" and rows[3][6] == "Réalité virtuelle"
    assert len(rows) == 4


def test_pdf_programme_has_extractable_text(client, published):
    response = client.get("/programme/programme.pdf")
    assert response.headers["content-type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Initiation à la réalité virtuelle" in text
    assert "samedi 29 mars 2025" in text


async def _edition_2025(db):
    from tournament.festival.editions import edition_by_year

    async with db.read() as session:
        return await edition_by_year(session, 2025)


def test_the_pdf_is_typeset_again_only_when_the_programme_changes(client, published, db, settings, monkeypatch):
    import weasyprint

    first = client.get("/programme/programme.pdf")
    with monkeypatch.context() as patched:
        patched.setattr(weasyprint.HTML, "write_pdf", lambda *args, **kwargs: pytest.fail("typeset again"))
        again = client.get("/programme/programme.pdf")
    assert (again.content, again.headers["etag"]) == (first.content, first.headers["etag"])

    _stop_motion, _vr, vernon = published
    edition = run(_edition_2025(db))
    run(add_fiche(db, edition, vernon, "published", title="Tournoi Mario Kart", slots=[SlotInput("2025-04-12", "14:00", "18:00")]))
    changed = client.get("/programme/programme.pdf")
    assert changed.headers["etag"] != first.headers["etag"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(changed.content)).pages)
    assert "Tournoi Mario Kart" in text
    cached = [path.name for path in (settings.data_dir / "cache").glob("programme-*.pdf")]
    assert cached == [f"programme-2025-{changed.headers['etag'].strip(chr(34))}.pdf"]  # the old one is gone


def test_programme_api(client, published):
    items = client.get("/api/festival/programme").json()
    assert [item["title"] for item in items] == [
        "Atelier stop motion", "Atelier stop motion", "Initiation à la réalité virtuelle",
    ]
    assert items[1]["starts_at"] == "2025-03-30T14:00:00+02:00"
    assert [i["title"] for i in client.get("/api/festival/programme?category=virtual_reality").json()] == [
        "Initiation à la réalité virtuelle",
    ]
    assert client.get("/api/festival/programme?day=2025-03-29").json()[0]["uid"].endswith("slot-1@xpo.mde.eure")


def test_exports_name_their_charset_once(client, published):
    for path in ("/programme/programme.ics", "/programme/programme.csv"):
        content_type = client.get(path).headers["content-type"]
        assert content_type.count("charset") == 1, content_type
        assert content_type.endswith("charset=utf-8")


def test_the_event_page_words_ages_and_hides_what_is_empty(client, published, db):
    stop_motion, vr, vernon = published
    page = client.get(f"/programme/evenements/{stop_motion.id}").text
    assert "<dt>Public</dt><dd>Familles · de 8 à 12 ans</dd>" in page
    # No place name, address nor postcode given: the library's name and the commune, no empty line.
    assert "<dt>Où</dt><dd>Médiathèque de Vernon<br>Vernon</dd>" in page

    async def open_ended_and_a_phone():
        async with db.write() as session:
            library = await session.get(Library, vernon)
            library.phone, library.email = "02 32 51 00 00", "mediatheque@vernon.test"
            session.add(library)
            fiche = await session.get(EventFiche, vr.id)
            fiche.age_min, fiche.age_max, fiche.booking_details = 18, None, "Sur place ou par téléphone"
            session.add(fiche)

    run(open_ended_and_a_phone())
    page = client.get(f"/programme/evenements/{vr.id}").text
    assert "<dt>Public</dt><dd>Familles · 18 ans et plus</dd>" in page
    assert "–…" not in page
    assert ('<dt>Réservation obligatoire</dt><dd>Sur place ou par téléphone<br>Téléphone : '
            '<a href="tel:0232510000">02 32 51 00 00</a><br>E-mail : '
            '<a href="mailto:mediatheque@vernon.test">mediatheque@vernon.test</a></dd>') in page
    assert "<dd>Salle des fêtes<br>Place de la République<br>27200 Vernon</dd>" in page
