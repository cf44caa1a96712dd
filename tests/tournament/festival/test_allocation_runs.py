"""Catalogue, requests and allocation runs in the database: freeze, run, replay, publish, override, re-run."""

import json
from dataclasses import replace
from datetime import date, datetime

import pytest
from sqlmodel import select

from tests.conftest import run
from tests.tournament.festival.allocation_factories import (
    MORNING, add_animation, add_history, add_provider, add_request, slot,
)
from tests.tournament.festival.festival_factories import (
    AFTER_DEADLINE, BEFORE_DEADLINE, EDITION_2025, STAFF, add_edition, add_registration, librarian,
)
from tournament.audit import AuditEntry
from tournament.festival import allocation as rule
from tournament.festival.participation import histories
from tournament.festival.allocation_runs import (
    execute_run, freeze_run, latest_run, override_decision, publish_run, rerun, run_decisions,
)
from tournament.festival.animation_requests import (
    RequestInput, list_requests, save_animation_request, withdraw_animation_request,
)
from tournament.festival.errors import FestivalConflict, FestivalError, FestivalForbidden
from tournament.festival.timing import PARIS

EDITION_2023 = replace(EDITION_2025, year=2023, name="X.PO 2023", starts_on=date(2023, 3, 25), ends_on=date(2023, 4, 8),
                       registration_deadline=date(2022, 10, 31), fiche_deadline=date(2022, 11, 30))


@pytest.fixture
def edition(db):
    return run(add_edition(db))


@pytest.fixture
def libraries(db, edition, make_library):
    ids = [make_library(f"Médiathèque {name}", name) for name in ("Vernon", "Bernay", "Gisors")]
    for library_id in ids:
        run(add_registration(db, edition, library_id))
    return ids


def _save(db, edition, library_id, data, actor, now=BEFORE_DEADLINE, request_id=None):
    async def go():
        async with db.write() as session:
            return await save_animation_request(session, edition=edition, library_id=library_id, data=data, actor=actor,
                                                request_id=request_id, now=now)
    return run(go())


def _requests(db, edition, library_id):
    async def go():
        async with db.read() as session:
            return await list_requests(session, edition.id, library_id)
    return run(go())


def test_a_librarian_ranks_wishes_and_a_new_first_wish_moves_the_others_down(db, edition, libraries):
    vernon = libraries[0]
    provider = run(add_provider(db, edition, "Les Robots Joyeux", "2025-04-02"))
    robots = run(add_animation(db, edition, provider, "Atelier robotique"))
    stop_motion = run(add_animation(db, edition, provider, "Stop motion"))
    me = librarian(vernon)
    _save(db, edition, vernon, RequestInput(animation_id=robots, rank=1, slots=[slot("2025-04-02")]), me)
    _save(db, edition, vernon, RequestInput(animation_id=stop_motion, rank=1, slots=[slot("02/04/2025", MORNING)]), me)
    views = _requests(db, edition, vernon)
    assert [(v.animation.title, v.request.rank) for v in views] == [("Stop motion", 1), ("Atelier robotique", 2)]
    assert views[0].slots[0].starts_at == datetime(2025, 4, 2, 9, 30, tzinfo=PARIS)


def test_a_librarian_cannot_ask_for_another_library(db, edition, libraries):
    provider = run(add_provider(db, edition, "Prestataire", "2025-04-02"))
    animation = run(add_animation(db, edition, provider, "Réalité virtuelle"))
    with pytest.raises(FestivalForbidden):
        _save(db, edition, libraries[1], RequestInput(animation_id=animation, slots=[slot("2025-04-02")]),
              librarian(libraries[0]))


def test_requests_close_with_registrations_for_librarians_but_not_for_staff(db, edition, libraries):
    provider = run(add_provider(db, edition, "Prestataire", "2025-04-02"))
    animation = run(add_animation(db, edition, provider, "Réalité virtuelle"))
    data = RequestInput(animation_id=animation, slots=[slot("2025-04-02")])
    with pytest.raises(FestivalConflict, match="requests_closed"):
        _save(db, edition, libraries[0], data, librarian(libraries[0]), now=AFTER_DEADLINE)
    assert _save(db, edition, libraries[0], data, STAFF, now=AFTER_DEADLINE).id


def test_an_unregistered_library_cannot_ask(db, edition, make_library):
    provider = run(add_provider(db, edition, "Prestataire", "2025-04-02"))
    animation = run(add_animation(db, edition, provider, "Réalité virtuelle"))
    other = make_library("Bibliothèque de Rugles", "Rugles")
    with pytest.raises(FestivalConflict, match="library_not_registered"):
        _save(db, edition, other, RequestInput(animation_id=animation, slots=[slot("2025-04-02")]), librarian(other))


def test_bad_windows_are_reported_per_line(db, edition, libraries):
    provider = run(add_provider(db, edition, "Prestataire", "2025-04-02"))
    animation = run(add_animation(db, edition, provider, "Réalité virtuelle"))
    data = RequestInput(animation_id=animation, slots=[
        slot("2025-04-02"), slot("2025-05-02"), slot("2025-04-03", ("17:00", "14:00")), slot("2025-04-02"),
    ])
    with pytest.raises(FestivalError) as refused:
        _save(db, edition, libraries[0], data, STAFF)
    assert refused.value.errors == {"slot_2": "slot_outside_festival", "slot_3": "end_before_start",
                                    "slot_4": "duplicate_slot"}


def test_withdrawing_a_wish_closes_the_gap_in_ranks(db, edition, libraries):
    provider = run(add_provider(db, edition, "Prestataire", "2025-04-02"))
    first, second, third = (run(add_animation(db, edition, provider, title)) for title in ("A", "B", "C"))
    ids = [run(add_request(db, edition, libraries[0], a, slot("2025-04-02"), rank=r))
           for r, a in enumerate((first, second, third), start=1)]

    async def withdraw():
        async with db.write() as session:
            await withdraw_animation_request(session, edition=edition, request_id=ids[1], actor=librarian(libraries[0]),
                                             now=BEFORE_DEADLINE)
    run(withdraw())
    assert [(v.request.id, v.request.rank) for v in _requests(db, edition, libraries[0])] == [(ids[0], 1), (ids[2], 2)]


def _scenario(db, edition, libraries):
    """One provider, one afternoon, three libraries: only one can have it. Bernay already got an animation."""
    past = run(add_edition(db, EDITION_2023))
    run(add_history(db, libraries[1], past.id, animation=True))
    provider = run(add_provider(db, edition, "Les Robots Joyeux", "2025-04-02"))
    animation = run(add_animation(db, edition, provider, "Atelier robotique"))
    return [run(add_request(db, edition, library_id, animation, slot("2025-04-02"))) for library_id in libraries]


def _freeze_and_run(db, edition, seed="tirage public du 4 novembre 2024"):
    async def go():
        async with db.write() as session:
            frozen = await freeze_run(session, edition=edition, seed=seed, max_animations_per_library=2, actor=STAFF)
            return await execute_run(session, run_id=frozen.id, actor=STAFF)
    return run(go())


def test_a_run_stores_what_xpo_allocate_prints_for_its_exported_inputs(db, edition, libraries):
    _scenario(db, edition, libraries)
    done = _freeze_and_run(db, edition)
    inputs = json.loads(done.inputs_json)
    assert rule.canonical_json(inputs).decode() == done.inputs_json
    assert rule.run_published(inputs, done.seed).decode() == done.result_json
    result = json.loads(done.result_json)
    assert result["inputs_sha256"] == done.inputs_sha256
    classes = {entry["library_id"]: entry["class"] for entry in result["priority"]}
    assert classes == {libraries[0]: 1, libraries[1]: 3, libraries[2]: 1}
    granted = [d for d in result["decisions"] if d["status"] == "granted"]
    assert len(granted) == 1 and granted[0]["library_id"] != libraries[1]
    assert {d["reason"] for d in result["decisions"] if d["status"] == "refused"} == {"provider_busy"}


def test_a_run_can_only_be_run_once_and_libraries_see_it_once_published(db, edition, libraries):
    _scenario(db, edition, libraries)
    done = _freeze_and_run(db, edition)

    async def again():
        async with db.write() as session:
            await execute_run(session, run_id=done.id, actor=STAFF)
    with pytest.raises(FestivalConflict, match="run_already_done"):
        run(again())

    async def visible():
        async with db.read() as session:
            return await latest_run(session, edition.id, published=True)
    assert run(visible()) is None

    async def publish():
        async with db.write() as session:
            await publish_run(session, run_id=done.id, actor=STAFF)
    run(publish())
    assert run(visible()).id == done.id


def test_only_staff_run_allocations(db, edition, libraries):
    async def go():
        async with db.write() as session:
            await freeze_run(session, edition=edition, seed="x", max_animations_per_library=None,
                             actor=librarian(libraries[0]))
    with pytest.raises(FestivalForbidden):
        run(go())


def _decisions(db, run_id):
    async def go():
        async with db.read() as session:
            return await run_decisions(session, run_id)
    return run(go())


def _override(db, decision_id, **kwargs):
    async def go():
        async with db.write() as session:
            return await override_decision(session, decision_id=decision_id, actor=STAFF, **kwargs)
    return run(go())


def test_an_override_needs_a_note_and_cannot_put_a_provider_in_two_places(db, edition, libraries):
    _scenario(db, edition, libraries)
    done = _freeze_and_run(db, edition)
    refused = next(d for d in _decisions(db, done.id) if not d.granted)
    afternoon = (datetime(2025, 4, 2, 14, tzinfo=PARIS), datetime(2025, 4, 2, 17, tzinfo=PARIS))
    with pytest.raises(FestivalError) as no_note:
        _override(db, refused.id, granted=True, slot=afternoon, note=" ")
    assert no_note.value.errors["note"] == "override_note_required"
    with pytest.raises(FestivalError) as clash:
        _override(db, refused.id, granted=True, slot=afternoon, note="Le prestataire vient avec deux animateurs")
    assert clash.value.errors["slot"] == "override_conflict"
    morning = (datetime(2025, 4, 2, 9, 30, tzinfo=PARIS), datetime(2025, 4, 2, 12, tzinfo=PARIS))
    changed = _override(db, refused.id, granted=True, slot=morning, note="Créneau du matin négocié par téléphone")
    assert changed.granted and changed.overridden and changed.slot_start == morning[0]


def test_an_override_is_audited_and_a_rerun_shows_it_as_the_only_difference(db, edition, libraries):
    _scenario(db, edition, libraries)
    done = _freeze_and_run(db, edition)
    granted = next(d for d in _decisions(db, done.id) if d.granted)
    _override(db, granted.id, granted=False, note="La bibliothèque a renoncé")

    async def entries():
        async with db.read() as session:
            return list((await session.exec(select(AuditEntry).where(AuditEntry.action == "allocation.override"))).all())
    [entry] = run(entries())
    assert entry.changes["before"]["status"] == "granted" and entry.changes["after"]["status"] == "refused"
    assert entry.changes["note"] == "La bibliothèque a renoncé"

    async def again():
        async with db.read() as session:
            return await rerun(session, run_id=done.id, edition=edition)
    report = run(again())
    assert report.replays_identically and not report.inputs_changed
    assert [(d.request_id, d.before["status"], d.after["status"]) for d in report.differences] == [
        (granted.request_id, "refused", "granted")
    ]


def test_a_rerun_notices_requests_added_since_the_run(db, edition, libraries, make_library):
    request_ids = _scenario(db, edition, libraries)
    done = _freeze_and_run(db, edition)
    late = make_library("Médiathèque de Rugles", "Rugles")
    run(add_registration(db, edition, late))
    animation = json.loads(done.inputs_json)["animations"][0]["id"]
    new_request = run(add_request(db, edition, late, animation, slot("2025-04-02")))

    async def again():
        async with db.read() as session:
            return await rerun(session, run_id=done.id, edition=edition)
    report = run(again())
    assert report.inputs_changed and new_request not in request_ids
    assert new_request in {d.request_id for d in report.differences if d.before is None}


def test_publishing_records_what_each_library_received_for_next_years_priority(db, edition, libraries):
    _scenario(db, edition, libraries)
    done = _freeze_and_run(db, edition)
    winner = next(d.library_id for d in _decisions(db, done.id) if d.granted)

    async def publish_then_read():
        async with db.write() as session:
            await publish_run(session, run_id=done.id, actor=STAFF)
        async with db.read() as session:
            return await histories(session, before_year=edition.year + 1)

    history = run(publish_then_read())
    assert history[winner].lines[0].received_ready_made_animation
    refused = [library_id for library_id in libraries if library_id != winner]
    for library_id in refused:
        this_year = [line for line in history[library_id].lines if line.year == edition.year]
        assert this_year and this_year[0].took_part and not this_year[0].received_ready_made_animation


def test_an_override_is_checked_against_the_animations_duration_and_the_providers_availability(db, edition, libraries):
    _scenario(db, edition, libraries)
    done = _freeze_and_run(db, edition)
    refused = next(d for d in _decisions(db, done.id) if not d.granted)
    note = "Accord téléphonique"
    with pytest.raises(FestivalError) as short:  # one hour at 03:00 for a two-hour animation
        _override(db, refused.id, granted=True, note=note,
                  slot=(datetime(2025, 4, 2, 3, tzinfo=PARIS), datetime(2025, 4, 2, 4, tzinfo=PARIS)))
    assert short.value.errors["slot"] == "override_too_short"
    with pytest.raises(FestivalError) as night:  # long enough, but the provider works 09:00–18:00
        _override(db, refused.id, granted=True, note=note,
                  slot=(datetime(2025, 4, 2, 3, tzinfo=PARIS), datetime(2025, 4, 2, 5, 30, tzinfo=PARIS)))
    assert night.value.errors["slot"] == "override_outside_availability"
    with pytest.raises(FestivalError) as other_day:
        _override(db, refused.id, granted=True, note=note,
                  slot=(datetime(2025, 4, 3, 9, 30, tzinfo=PARIS), datetime(2025, 4, 3, 12, tzinfo=PARIS)))
    assert other_day.value.errors["slot"] == "override_outside_availability"
    assert not next(d for d in _decisions(db, done.id) if d.id == refused.id).overridden


def test_an_override_after_publication_reaches_the_participation_history(db, edition, libraries):
    _scenario(db, edition, libraries)
    done = _freeze_and_run(db, edition)
    refused = next(d for d in _decisions(db, done.id) if not d.granted)

    async def publish_then_override_then_read():
        async with db.write() as session:
            await publish_run(session, run_id=done.id, actor=STAFF)
        async with db.read() as session:
            before = await histories(session, before_year=edition.year + 1)
        async with db.write() as session:
            await override_decision(session, decision_id=refused.id, granted=True, actor=STAFF,
                                    note="Créneau du matin négocié",
                                    slot=(datetime(2025, 4, 2, 9, 30, tzinfo=PARIS), datetime(2025, 4, 2, 12, tzinfo=PARIS)))
        async with db.read() as session:
            return before, await histories(session, before_year=edition.year + 1)

    before, after = run(publish_then_override_then_read())
    line = lambda history: next(l for l in history[refused.library_id].lines if l.year == edition.year)  # noqa: E731
    assert not line(before).received_ready_made_animation
    assert line(after).received_ready_made_animation and line(after).took_part
    assert after[refused.library_id].received_ready_made_animation
