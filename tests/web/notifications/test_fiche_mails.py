"""Fiche mails through a real SMTP server: submitted to MDE staff; accepted, changes requested, published to the library."""

import re
from datetime import datetime

from tests.conftest import csrf_headers, login, run
from tests.tournament.festival.festival_factories import add_edition, add_registration
from tests.web.notifications.smtp import text_of
from tournament.accounts import Role
from tournament.festival.timing import PARIS

API_FICHE = {
    "title": "Tournoi Mario Kart", "summary": "Affrontez-vous sur Mario Kart 8.", "category": "video_games",
    "audience": "Tout public", "slots": [{"date": "2025-04-05", "start": "14:00", "end": "17:00"}],
}


def test_each_fiche_step_mails_the_right_people_once_in_french_with_a_working_link(app, client, db, make_library,
                                                                                  make_account, smtp, deliver):
    app.state.clock = lambda: datetime(2024, 11, 15, 10, 0, tzinfo=PARIS)
    edition = run(add_edition(db))
    vernon = make_library()
    run(add_registration(db, edition, vernon))
    make_account("lea@vernon.test", Role.LIBRARIAN, vernon)
    make_account("camille@mde.test", Role.MDE)
    deliver()
    smtp.recorder.messages.clear()  # the registration's own notice (test_registration_mails)
    login(client, "lea@vernon.test")
    fiche = client.post(f"/api/festival/editions/2025/libraries/{vernon}/fiches", json=API_FICHE,
                        headers=csrf_headers(client)).json()
    move = lambda action, **extra: client.post(  # noqa: E731
        f"/api/festival/fiches/{fiche['id']}/transitions", json={"action": action, **extra}, headers=csrf_headers(client))
    assert move("submit").status_code == 200
    deliver()
    [submitted] = smtp.recorder.messages
    assert (submitted["To"], submitted["Subject"]) == ("camille@mde.test", "Fiche à relire : Tournoi Mario Kart")

    login(client, "camille@mde.test")
    refused = move("request_changes")  # refused: rolled back, so no mail
    assert refused.status_code == 422
    move("request_changes", comment="Ajoutez l'âge minimum.")
    deliver()
    changes = smtp.recorder.messages[-1]
    assert (changes["To"], changes["Subject"]) == ("lea@vernon.test", "Modifications demandées : Tournoi Mario Kart")
    assert "Ajoutez l'âge minimum." in text_of(changes)
    link = re.search(r"http://127\.0\.0\.1:8000(/festival/fiches/\d+/modifier)", text_of(changes)).group(1)
    login(client, "lea@vernon.test")
    page = client.get(link)
    assert page.status_code == 200 and "Tournoi Mario Kart" in page.text
    move("submit")
    login(client, "camille@mde.test")
    move("accept")
    move("publish")
    deliver()
    subjects = [(m["To"], m["Subject"]) for m in smtp.recorder.messages]
    assert subjects == [
        ("camille@mde.test", "Fiche à relire : Tournoi Mario Kart"),
        ("lea@vernon.test", "Modifications demandées : Tournoi Mario Kart"),
        ("camille@mde.test", "Fiche à relire : Tournoi Mario Kart"),
        ("lea@vernon.test", "Fiche acceptée : Tournoi Mario Kart"),
        ("lea@vernon.test", "Fiche publiée : Tournoi Mario Kart"),
    ]
    assert len({m["Message-ID"] for m in smtp.recorder.messages}) == 5
