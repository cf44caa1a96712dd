"""Fiches-animation: validation in Paris time, the review workflow, and who may edit what."""

from datetime import UTC, datetime

import pytest

from tests.conftest import run
from tests.tournament.festival.festival_factories import (
    STAFF, add_edition, add_fiche, add_registration, fiche_input, librarian,
)
from tournament.festival.errors import FestivalConflict, FestivalError, FestivalForbidden
from tournament.festival.fiches import (
    FicheFilters, SlotInput, create_fiche, fiche_history, list_fiches, slots_of, transition, update_fiche,
)
from tournament.festival.timing import PARIS


@pytest.fixture
def festival(db, make_library):
    """The 2025 edition with Vernon registered (Bernay is not)."""
    vernon = make_library()
    bernay = make_library("Médiathèque de Bernay", "Bernay")
    edition = run(add_edition(db))
    run(add_registration(db, edition, vernon))
    return edition, vernon, bernay


def _create(db, edition, library_id, actor, **changes):
    async def go():
        async with db.write() as session:
            return await create_fiche(session, edition=edition, library_id=library_id, data=fiche_input(**changes), actor=actor)

    return run(go())


def _move(db, fiche_id, action, actor, comment="", now=None):
    async def go():
        async with db.write() as session:
            return await transition(
                session, fiche_id=fiche_id, action=action, actor=actor, comment=comment,
                now=now or datetime(2024, 11, 20, 10, 0, tzinfo=PARIS),
            )

    return run(go())


def _update(db, fiche_id, actor, **changes):
    async def go():
        async with db.write() as session:
            return await update_fiche(session, fiche_id=fiche_id, data=fiche_input(**changes), actor=actor)

    return run(go())


def _slots(db, fiche_id):
    async def go():
        async with db.read() as session:
            return (await slots_of(session, [fiche_id]))[fiche_id]

    return run(go())


def test_slots_are_stored_in_utc_across_the_switch_to_summer_time(db, festival):
    edition, vernon, _ = festival
    fiche = _create(db, edition, vernon, librarian(vernon), slots=[
        SlotInput("29/03/2025", "14h", "16h"), SlotInput("2025-03-30", "14:00", "16:00"),
    ])
    first, second = _slots(db, fiche.id)
    assert first.starts_at == datetime(2025, 3, 29, 13, 0, tzinfo=UTC)  # UTC+1
    assert second.starts_at == datetime(2025, 3, 30, 12, 0, tzinfo=UTC)  # UTC+2
    assert (first.position, second.position) == (1, 2)


def test_place_defaults_to_the_library(db, festival):
    edition, vernon, _ = festival
    fiche = _create(db, edition, vernon, librarian(vernon))
    assert (fiche.place_name, fiche.place_commune) == ("Médiathèque de Vernon", "Vernon")


def test_fiche_validation_reports_every_field(db, festival):
    edition, vernon, _ = festival
    with pytest.raises(FestivalError) as refused:
        _create(
            db, edition, vernon, librarian(vernon), title="", category="cuisine", age_min=12, age_max=8,
            is_free=False, price="", capacity=0,
            slots=[
                SlotInput("2025-04-20", "14:00", "16:00"),
                SlotInput("2025-04-01", "16:00", "14:00"),
                SlotInput("2025-03-30", "02:30", "04:00"),
                SlotInput("31/02/2025", "10:00", "11:00"),
                SlotInput("2025-04-02", "25:00", "26:00"),
            ],
        )
    assert refused.value.errors == {
        "title": "required", "category": "unknown_category", "age_max": "age_max_below_min", "price": "price_required",
        "capacity": "invalid_capacity", "slot_1": "slot_outside_festival", "slot_2": "end_before_start",
        "slot_3": "nonexistent_local_time", "slot_4": "invalid_date", "slot_5": "invalid_time",
    }


def test_a_fiche_needs_a_slot_and_a_registered_library(db, festival):
    edition, vernon, bernay = festival
    with pytest.raises(FestivalError) as no_slot:
        _create(db, edition, vernon, librarian(vernon), slots=[])
    assert no_slot.value.errors == {"slots": "slot_required"}
    with pytest.raises(FestivalConflict) as unregistered:
        _create(db, edition, bernay, STAFF)
    assert unregistered.value.code == "library_not_registered"


def test_full_workflow_with_changes_requested_and_resubmission(db, festival):
    edition, vernon, _ = festival
    me = librarian(vernon)
    fiche = _create(db, edition, vernon, me)
    assert fiche.status == "draft"
    assert _move(db, fiche.id, "submit", me).status == "submitted"
    sent_back = _move(db, fiche.id, "request_changes", STAFF, comment="Précisez l'âge minimum.")
    assert (sent_back.status, sent_back.review_comment) == ("changes_requested", "Précisez l'âge minimum.")
    _update(db, fiche.id, me, age_min=10)
    assert _move(db, fiche.id, "submit", me).status == "submitted"
    assert _move(db, fiche.id, "accept", STAFF).status == "accepted"
    published = _move(db, fiche.id, "publish", STAFF)
    assert published.status == "published" and published.published_at is not None
    assert _move(db, fiche.id, "unpublish", STAFF).status == "accepted"

    async def history():
        async with db.read() as session:
            return [entry.action for entry in await fiche_history(session, fiche.id)]

    assert run(history()) == [
        "fiche.create", "fiche.submit", "fiche.request_changes", "fiche.update", "fiche.submit", "fiche.accept",
        "fiche.publish", "fiche.unpublish",
    ]


@pytest.mark.parametrize(
    ("status", "action"),
    [("draft", "accept"), ("draft", "publish"), ("submitted", "publish"), ("submitted", "submit"),
     ("accepted", "request_changes"), ("published", "accept"), ("changes_requested", "accept")],
)
def test_refused_transitions(db, festival, status, action):
    edition, vernon, _ = festival
    fiche = run(add_fiche(db, edition, vernon, status))
    with pytest.raises(FestivalConflict) as refused:
        _move(db, fiche.id, action, STAFF, comment="x")
    assert refused.value.code == "transition_not_allowed"


def test_changes_need_a_comment(db, festival):
    edition, vernon, _ = festival
    fiche = run(add_fiche(db, edition, vernon, "submitted"))
    with pytest.raises(FestivalError) as refused:
        _move(db, fiche.id, "request_changes", STAFF, comment="  ")
    assert refused.value.errors == {"comment": "comment_required"}


def test_librarians_do_not_review(db, festival):
    edition, vernon, _ = festival
    fiche = run(add_fiche(db, edition, vernon, "submitted"))
    for action in ("accept", "request_changes", "publish"):
        with pytest.raises(FestivalForbidden):
            _move(db, fiche.id, action, librarian(vernon), comment="x")


def test_librarian_edits_only_their_own_library_fiches(db, festival, make_library):
    edition, vernon, bernay = festival
    fiche = run(add_fiche(db, edition, vernon))
    with pytest.raises(FestivalForbidden):
        _update(db, fiche.id, librarian(bernay), title="Piraté")
    with pytest.raises(FestivalForbidden):
        _create(db, edition, vernon, librarian(bernay))
    with pytest.raises(FestivalForbidden):
        _move(db, fiche.id, "submit", librarian(bernay))


def test_accepted_fiche_is_locked_for_the_librarian_but_not_for_staff(db, festival):
    edition, vernon, _ = festival
    fiche = run(add_fiche(db, edition, vernon, "accepted"))
    with pytest.raises(FestivalForbidden) as refused:
        _update(db, fiche.id, librarian(vernon), title="Nouveau titre")
    assert refused.value.code == "fiche_locked"
    assert _update(db, fiche.id, STAFF, title="Nouveau titre").title == "Nouveau titre"


def test_librarian_still_edits_a_submitted_fiche(db, festival):
    edition, vernon, _ = festival
    fiche = run(add_fiche(db, edition, vernon, "submitted"))
    assert _update(db, fiche.id, librarian(vernon), title="Stop motion en famille").status == "submitted"


def test_first_submission_after_the_fiche_deadline_is_for_staff_and_marked_late(db, festival):
    edition, vernon, _ = festival
    late = datetime(2024, 11, 30, 0, 0, tzinfo=PARIS)
    fiche = run(add_fiche(db, edition, vernon))
    with pytest.raises(FestivalConflict) as refused:
        _move(db, fiche.id, "submit", librarian(vernon), now=late)
    assert refused.value.code == "fiche_deadline_passed"
    assert _move(db, fiche.id, "submit", STAFF, now=late).late is True


def test_resubmission_after_changes_is_allowed_after_the_deadline(db, festival):
    edition, vernon, _ = festival
    fiche = run(add_fiche(db, edition, vernon, "changes_requested"))
    resubmitted = _move(db, fiche.id, "submit", librarian(vernon), now=datetime(2025, 1, 10, tzinfo=PARIS))
    assert resubmitted.status == "submitted" and resubmitted.late is False


def test_review_list_filters(db, festival, make_library):
    edition, vernon, bernay = festival
    run(add_registration(db, edition, bernay))
    run(add_fiche(db, edition, vernon, "submitted", title="Initiation à la réalité virtuelle", category="virtual_reality"))
    run(add_fiche(db, edition, vernon, "published", title="Tournoi Mario Kart", category="video_games"))
    run(add_fiche(db, edition, bernay, "submitted", title="Robots Thymio", category="robotics"))

    def titles(actor=STAFF, **filters):
        async def go():
            async with db.read() as session:
                return [f.title for f, _ in await list_fiches(session, actor=actor, filters=FicheFilters(**filters))]

        return run(go())

    assert titles(status="submitted") == ["Robots Thymio", "Initiation à la réalité virtuelle"]
    assert titles(library_id=vernon, category="video_games") == ["Tournoi Mario Kart"]
    assert titles(edition_id=edition.id, status="accepted") == []
    assert titles(actor=librarian(bernay)) == ["Robots Thymio"]
