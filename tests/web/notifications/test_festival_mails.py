"""Festival mails: registration received or accepted late, allocation published (with the ticket and how to
check it), funding decided, loans approved or refused, a professional-day session changed. Each to exactly its
recipients, in French, once; a rolled-back cause queues nothing."""

import hashlib
import re
import subprocess
from datetime import date

import pytest

from tests.conftest import csrf_headers, run
from tests.tournament.festival.allocation_factories import add_animation, add_item, add_provider, add_request, slot
from tests.tournament.festival.festival_factories import (
    AFTER_DEADLINE, BEFORE_DEADLINE, STAFF, add_edition, add_registration, librarian, registration_input,
)
from tests.web.notifications.mails import in_rolled_back_transaction, outbox, sent
from tests.web.notifications.smtp import html_of, text_of
from tournament.accounts import Role
from tournament.festival import allocation as rule
from tournament.festival.allocation_runs import execute_run, freeze_run, publish_run
from tournament.festival.equipment import LoanInput, book, decide_loan
from tournament.festival.funding import FundingInput, save_envelope, save_funding_request
from tournament.festival.proday import (
    AttendeeInput, ProSessionInput, cancel_pro_session, register_attendee, save_pro_session,
)
from tournament.festival.registrations import save_registration

EDITION = "X.PO Expérience des possibles, 7e édition"
SEED = "tirage public du 4 novembre 2024"


@pytest.fixture
def edition(app, db):
    return run(add_edition(db))


def _register(db, edition, library_id, *, now=BEFORE_DEADLINE, **changes):
    async def go():
        async with db.write() as session:
            return await save_registration(session, edition=edition, library_id=library_id, actor=STAFF, now=now,
                                           data=registration_input(**changes))
    return run(go())


def test_registration_received_goes_to_its_contact_and_the_librarians_once(db, edition, make_library, make_account):
    vernon = make_library()
    make_account("lea@vernon.test", Role.LIBRARIAN, vernon)
    _register(db, edition, vernon, wants_funding=True, funding_details="Atelier MAO")
    _register(db, edition, vernon, comments="Une précision")  # an update: no new mail
    assert sent(db, "registration_received") == [
        ("lea.dubois@vernon.test", f"Inscription reçue : {EDITION}"),
        ("lea@vernon.test", f"Inscription reçue : {EDITION}"),
    ]
    text = outbox(db, "registration_received")[0].body_text
    assert "a bien reçu l’inscription de Médiathèque de Vernon" in text
    assert "- le tournoi de jeux vidéo\n- un financement pour votre propre animation" in text
    assert "http://127.0.0.1:8000/festival/2025/bibliotheques/1/inscription" in text
    assert "jeudi 31 octobre 2024" in text


def test_a_late_registration_recorded_by_mde_tells_the_library_it_was_accepted(db, edition, make_library):
    bernay = make_library("Médiathèque de Bernay", "Bernay")
    _register(db, edition, bernay, now=AFTER_DEADLINE, contact_email="accueil@bernay.test")
    assert sent(db, "registration_late") == [("accueil@bernay.test", f"Inscription tardive acceptée : {EDITION}")]
    assert sent(db, "registration_received") == []
    assert "La date limite était le jeudi 31 octobre 2024" in outbox(db, "registration_late")[0].body_text


def test_a_rolled_back_registration_queues_nothing(db, edition, make_library):
    vernon = make_library()

    async def action(session):
        await save_registration(session, edition=edition, library_id=vernon, actor=STAFF, now=BEFORE_DEADLINE,
                                data=registration_input())
    in_rolled_back_transaction(db, action)
    assert outbox(db) == []


@pytest.fixture
def allocated(db, edition, make_library, make_account, tmp_path):
    """Vernon and Bernay want the one session of an animation; both ask for funding; a run is done (not published)."""
    vernon, bernay = make_library(), make_library("Médiathèque de Bernay", "Bernay")
    make_account("lea@vernon.test", Role.LIBRARIAN, vernon)
    run(add_registration(db, edition, vernon))
    _register(db, edition, bernay, contact_email="accueil@bernay.test")
    provider = run(add_provider(db, edition, "Les Robots Joyeux", "2025-04-02"))
    robots = run(add_animation(db, edition, provider, "Atelier robotique Thymio", sessions=1))
    for library_id in (vernon, bernay):
        run(add_request(db, edition, library_id, robots, slot("2025-04-02")))

    async def go():
        async with db.write() as session:
            await save_envelope(session, edition=edition, total_cents=60000, cap_percent=None, cap_cents=None, actor=STAFF)
            for library_id, title in ((vernon, "Fresque du numérique"), (bernay, "Tournoi rétrogaming")):
                await save_funding_request(session, edition=edition, library_id=library_id, actor=STAFF,
                                           quotes_dir=tmp_path, now=BEFORE_DEADLINE,
                                           data=FundingInput(title=title, amount_cents=40000, cost_cents=80000,
                                                             quote_reference="DEV-1"))
            frozen = await freeze_run(session, edition=edition, seed=SEED, max_animations_per_library=1, actor=STAFF)
            return await execute_run(session, run_id=frozen.id, actor=STAFF)
    done = run(go())
    before = len(outbox(db))
    return {"run": done, "vernon": vernon, "bernay": bernay, "before": before}


def _publish(db, run_id):
    async def go():
        async with db.write() as session:
            await publish_run(session, run_id=run_id, actor=STAFF)
    run(go())


def test_publishing_tells_each_library_what_it_received_why_and_its_ticket(db, allocated, smtp, deliver):
    done, vernon, bernay = allocated["run"], allocated["vernon"], allocated["bernay"]
    run_id = done.id
    in_rolled_back_transaction(db, lambda session: publish_run(session, run_id=run_id, actor=STAFF))
    assert len(outbox(db)) == allocated["before"]  # rolled back: nothing queued
    assert sent(db, "allocation_published") == []

    _publish(db, run_id)
    subject = f"Animations clé en main : l’attribution de {EDITION}"
    assert sent(db, "allocation_published") == [
        ("lea.dubois@vernon.test", subject), ("lea@vernon.test", subject), ("accueil@bernay.test", subject),
    ]
    funding = "Financement : la décision pour Médiathèque de {}"
    assert sent(db, "funding_decided") == [
        ("lea.dubois@vernon.test", funding.format("Vernon")), ("lea@vernon.test", funding.format("Vernon")),
        ("accueil@bernay.test", funding.format("Bernay")),
    ]
    deliver()
    message = next(m for m in smtp.recorder.messages if m["To"] == "accueil@bernay.test" and m["Subject"] == subject)
    text = text_of(message)
    ticket = rule.ticket(SEED, bernay)
    assert ticket in text and ticket in html_of(message)
    assert "http://127.0.0.1:8000/festival/2025/attribution#run-1" in text
    # The command in the mail computes the ticket it shows.
    command = re.search(r"printf [^\r\n]*\| sha256sum", text).group(0)
    assert subprocess.run(["sh", "-c", command], capture_output=True, text=True).stdout.split()[0] == ticket
    assert hashlib.sha256(f"{SEED}:{bernay}".encode()).hexdigest() == ticket
    assert "- Atelier robotique Thymio : non accordée" in text
    assert "Refusée : la seule séance prévue de « Atelier robotique Thymio » a déjà été attribuée" in text
    assert "Votre place : groupe 1, n° 2 dans l’ordre d’examen." in text
    vernon_text = text_of(next(m for m in smtp.recorder.messages if m["To"] == "lea@vernon.test" and m["Subject"] == subject))
    assert "- Atelier robotique Thymio : accordée, le mercredi 2 avril 2025 de 14:00 à 17:00" in vernon_text
    assert rule.ticket(SEED, vernon) in vernon_text and ticket not in vernon_text

    _publish_again = lambda: _publish(db, run_id)  # noqa: E731
    with pytest.raises(Exception):
        _publish_again()
    assert len(sent(db, "allocation_published")) == 3


def test_funding_decided_says_how_much_was_granted_and_why(db, allocated):
    _publish(db, allocated["run"].id)
    texts = {m.recipient: m.body_text for m in outbox(db, "funding_decided")}
    # Both in priority class 1; Vernon's ticket passes first and takes 400 € of the 600 € envelope.
    assert "- Fresque du numérique : 400,00\u00a0€ accordés (400,00\u00a0€ demandés)" in texts["lea@vernon.test"]
    assert "- Tournoi rétrogaming : non accordé (400,00\u00a0€ demandés)" in texts["accueil@bernay.test"]
    assert "dépassent le reste de l'enveloppe (200,00\u00a0€)" in texts["accueil@bernay.test"]
    assert "Fresque" not in texts["accueil@bernay.test"]  # each library hears only of its own requests
    assert "http://127.0.0.1:8000/festival/2025/bibliotheques/2/financements" in texts["accueil@bernay.test"]


def _loan(db, library_id, item_ids):
    async def go():
        async with db.write() as session:
            return await book(session, actor=librarian(library_id), today=date(2025, 3, 20), data=LoanInput(
                starts_on=date(2025, 3, 28), ends_on=date(2025, 4, 13), item_ids=item_ids, library_id=library_id))
    return run(go())


def test_a_loan_approved_or_refused_tells_the_library_with_mdes_note(app, db, make_library, make_account):
    vernon = make_library()
    make_account("lea@vernon.test", Role.LIBRARIAN, vernon)
    make_account("camille@mde.test", Role.MDE)
    switch = run(add_item(db, "Switch n° 1"))
    robots = run(add_item(db, "Thymio n° 1", kind="robot"))
    first, second = _loan(db, vernon, [switch.id]), _loan(db, vernon, [robots.id])
    assert outbox(db) == []  # a request mails nobody by itself

    in_rolled_back_transaction(db, lambda s: decide_loan(s, loan_id=first.id, approve=True, staff_note="", actor=STAFF))
    assert outbox(db) == []

    async def decide(loan_id, approve, note):
        async with db.write() as session:
            await decide_loan(session, loan_id=loan_id, approve=approve, staff_note=note, actor=STAFF)
    run(decide(first.id, True, "À retirer à l'accueil"))
    run(decide(second.id, False, "Les robots partent en réparation"))
    assert sent(db, "loan_approved") == [("lea@vernon.test", "Prêt de matériel accepté : vendredi 28 mars 2025")]
    assert sent(db, "loan_refused") == [("lea@vernon.test", "Prêt de matériel refusé : vendredi 28 mars 2025")]
    approved = outbox(db, "loan_approved")[0].body_text
    assert "- Switch n° 1" in approved and "À retirer à l'accueil" in approved
    assert "http://127.0.0.1:8000/materiel/prets/1" in approved
    assert "Les robots partent en réparation" in outbox(db, "loan_refused")[0].body_text


async def _ana_seated_and_bob_waiting(db, edition, data: ProSessionInput, library_id: int):
    """A one-seat pro-day session: Ana from `library_id` holds the seat, Bob waits."""
    async with db.write() as session:
        pro_session = await save_pro_session(session, edition=edition, data=data, actor=STAFF)
        for name in ("ana", "bob"):
            await register_attendee(session, session_id=pro_session.id, actor=STAFF, now=BEFORE_DEADLINE,
                                    data=AttendeeInput(name=name.title(), email=f"{name}@vernon.test",
                                                       library_id=library_id, staff_status="employee"))
        return pro_session


def test_a_changed_pro_day_session_tells_everyone_holding_a_seat_or_waiting(app, db, edition, make_library):
    vernon = make_library()
    data = ProSessionInput(meeting="professional_day", kind="workshop", title="Atelier Scratch", day="2025-04-03",
                           start="10:00", end="12:00", capacity=1, place="Salle 1")

    pro_session = run(_ana_seated_and_bob_waiting(db, edition, data, vernon))

    async def change(**changes):
        async with db.write() as session:
            from dataclasses import replace
            await save_pro_session(session, edition=edition, data=replace(data, **changes), actor=STAFF,
                                   session_id=pro_session.id)
    async def moved(session):
        from dataclasses import replace
        await save_pro_session(session, edition=edition, data=replace(data, place="Salle 9"), actor=STAFF,
                               session_id=pro_session.id)
    in_rolled_back_transaction(db, moved)
    assert sent(db, "proday_session_changed") == []
    run(change(description="Même séance, description précisée"))  # nothing that matters to attendees
    assert sent(db, "proday_session_changed") == []
    run(change(start="14:00", end="16:00", place="Salle 2"))
    assert sent(db, "proday_session_changed") == [
        ("ana@vernon.test", "Séance modifiée : Atelier Scratch"), ("bob@vernon.test", "Séance modifiée : Atelier Scratch"),
    ]
    ana, bob = (m.body_text for m in outbox(db, "proday_session_changed"))
    assert "Vous avez une place pour « Atelier Scratch »" in ana and "liste d’attente" in bob
    assert "Désormais : le jeudi 3 avril 2025 de 14:00 à 16:00, Salle 2." in ana
    assert "Avant : Atelier Scratch, le jeudi 3 avril 2025 de 10:00 à 12:00, Salle 1." in ana


def test_a_cancelled_pro_day_session_tells_the_registered_and_closes_registrations(app, staff_client, db, edition,
                                                                                   make_library, smtp, deliver):
    vernon = make_library()
    data = ProSessionInput(meeting="professional_day", kind="conference", title="Conférence IA", day="2025-04-03",
                           start="10:00", end="12:00", capacity=1, place="Amphithéâtre")

    session_id = run(_ana_seated_and_bob_waiting(db, edition, data, vernon)).id
    in_rolled_back_transaction(db, lambda s: cancel_pro_session(s, session_id=session_id, reason="x", actor=STAFF))
    assert outbox(db) == []
    headers = csrf_headers(staff_client)
    empty = staff_client.post(f"/admin/festival/journee-pro/{session_id}/annuler", data={"reason": " "}, headers=headers)
    assert empty.status_code == 400 and 'id="e-reason"' in empty.text
    assert outbox(db) == []
    done = staff_client.post(f"/admin/festival/journee-pro/{session_id}/annuler",
                             data={"reason": "L'intervenante est malade."}, headers=headers, follow_redirects=False)
    assert done.status_code == 303
    assert sent(db, "proday_session_cancelled") == [
        ("ana@vernon.test", "Séance annulée : Conférence IA"), ("bob@vernon.test", "Séance annulée : Conférence IA")]
    assert "L'intervenante est malade." in outbox(db, "proday_session_cancelled")[0].body_text
    again = staff_client.post(f"/api/festival/pro-sessions/{session_id}/cancel", json={"reason": "encore"},
                              headers=headers)
    assert again.status_code == 409
    [listed] = staff_client.get("/api/festival/pro-sessions").json()
    assert (listed["cancelled"], listed["confirmed"], listed["waiting"]) == (True, 0, 0)
    late = staff_client.post(f"/api/festival/pro-sessions/{session_id}/registrations", headers=headers, json={
        "name": "Chloé", "email": "chloe@vernon.test", "library_id": vernon, "staff_status": "employee"})
    assert late.status_code == 409 and late.json()["detail"] == "Cette séance est annulée."
    assert "Annulée." in staff_client.get("/journee-pro").text
    assert deliver() == 2
    assert sorted(m["To"] for m in smtp.recorder.messages) == ["ana@vernon.test", "bob@vernon.test"]
