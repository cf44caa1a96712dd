"""Funding: the envelope and its caps, requests with quotes, grants in priority order, the remaining budget."""

import pytest

from tests.conftest import run
from tests.tournament.festival.festival_factories import AFTER_DEADLINE, BEFORE_DEADLINE, STAFF, add_edition, add_registration, librarian
from tournament.festival.allocation import FundingRequest as Asked, FundingRule, funding_target
from tournament.festival.allocation_runs import (
    execute_run, freeze_run, funding_summary, override_decision, run_decisions,
)
from tournament.festival.errors import FestivalConflict, FestivalError, FestivalForbidden
from tournament.festival.funding import (
    FundingInput, QuoteFile, list_funding_requests, quote_for, save_envelope, save_funding_request,
)
from tournament.festival.money import euros_input, parse_euros


@pytest.fixture
def edition(db):
    return run(add_edition(db))


@pytest.fixture
def libraries(db, edition, make_library):
    ids = [make_library(f"Médiathèque {name}", name) for name in ("Vernon", "Bernay", "Gisors", "Rugles")]
    for library_id in ids:
        run(add_registration(db, edition, library_id))
    return ids


def test_french_amounts_are_read_to_the_cent():
    assert parse_euros("1 234,5") == 123450
    assert parse_euros("1234.50 €") == 123450
    assert parse_euros("800") == 80000
    assert parse_euros("12,345") is None and parse_euros("-3") is None and parse_euros("") is None
    assert euros_input(123405) == "1234,05"


def test_a_grant_is_cut_to_the_percentage_and_the_amount_caps():
    asked = Asked(id=1, library_id=1, rank=1, title="Escape game", amount_cents=90000, cost_cents=150000)
    assert funding_target(asked, FundingRule(envelope_cents=10**6)) == 90000
    assert funding_target(asked, FundingRule(envelope_cents=10**6, cap_percent=50)) == 75000
    assert funding_target(asked, FundingRule(envelope_cents=10**6, cap_percent=50, cap_cents=60000)) == 60000


def _envelope(db, edition, total, percent=None, cap=None, actor=STAFF):
    async def go():
        async with db.write() as session:
            return await save_envelope(session, edition=edition, total_cents=total, cap_percent=percent, cap_cents=cap,
                                       actor=actor)
    return run(go())


def _ask(db, edition, library_id, tmp_path, actor=STAFF, quote=None, now=BEFORE_DEADLINE, **fields):
    data = FundingInput(**{"title": "Atelier jeux vidéo rétro", "amount_cents": 50000, "cost_cents": 100000,
                           "quote_reference": "DEV-2025-014", **fields})

    async def go():
        async with db.write() as session:
            return await save_funding_request(session, edition=edition, library_id=library_id, data=data, actor=actor,
                                              quotes_dir=tmp_path / "quotes", quote=quote, now=now)
    return run(go())


def test_only_staff_set_the_envelope_and_bad_caps_are_refused(db, edition, libraries):
    with pytest.raises(FestivalForbidden):
        _envelope(db, edition, 500000, actor=librarian(libraries[0]))
    with pytest.raises(FestivalError) as refused:
        _envelope(db, edition, -1, percent=120)
    assert refused.value.errors == {"total": "invalid_amount", "cap_percent": "invalid_percent"}
    assert _envelope(db, edition, 500000, percent=50, cap=80000).total_cents == 500000


def test_a_request_needs_a_quote_and_cannot_ask_more_than_it_costs(db, edition, libraries, tmp_path):
    with pytest.raises(FestivalError) as refused:
        _ask(db, edition, libraries[0], tmp_path, amount_cents=120000, quote_reference="")
    assert refused.value.errors == {"amount": "amount_above_cost", "quote": "quote_required"}


def test_an_uploaded_quote_is_stored_under_a_random_name_and_only_its_library_gets_it(db, edition, libraries, tmp_path):
    quote = QuoteFile(filename="../../devis robots.pdf", content=b"%PDF-1.4 devis")
    request = _ask(db, edition, libraries[0], tmp_path, actor=librarian(libraries[0]), quote=quote, quote_reference="")
    assert request.quote_filename == "devis robots.pdf" and request.quote_file.endswith(".pdf")

    async def fetch(actor):
        async with db.read() as session:
            return await quote_for(session, request_id=request.id, actor=actor, quotes_dir=tmp_path / "quotes")
    path, name, media_type = run(fetch(librarian(libraries[0])))
    assert path.read_bytes() == b"%PDF-1.4 devis" and path.parent == tmp_path / "quotes"
    assert (name, media_type) == ("devis robots.pdf", "application/pdf")
    with pytest.raises(FestivalForbidden):
        run(fetch(librarian(libraries[1])))


def test_a_quote_of_an_unknown_type_is_refused(db, edition, libraries, tmp_path):
    with pytest.raises(FestivalError) as refused:
        _ask(db, edition, libraries[0], tmp_path, quote=QuoteFile(filename="devis.exe", content=b"MZ"))
    assert refused.value.errors == {"quote": "quote_type"}


def test_a_librarian_cannot_ask_for_another_library_nor_after_the_deadline(db, edition, libraries, tmp_path):
    with pytest.raises(FestivalForbidden):
        _ask(db, edition, libraries[1], tmp_path, actor=librarian(libraries[0]))
    with pytest.raises(FestivalConflict, match="requests_closed"):
        _ask(db, edition, libraries[0], tmp_path, actor=librarian(libraries[0]), now=AFTER_DEADLINE)


def _run(db, edition, seed="graine"):
    async def go():
        async with db.write() as session:
            frozen = await freeze_run(session, edition=edition, seed=seed, max_animations_per_library=None, actor=STAFF)
            return await execute_run(session, run_id=frozen.id, actor=STAFF)
    return run(go())


def _summary(db, edition):
    async def go():
        async with db.read() as session:
            return await funding_summary(session, edition)
    return run(go())


def test_grants_skip_what_does_not_fit_and_the_remaining_budget_is_shown(db, edition, libraries, tmp_path):
    _envelope(db, edition, 100000, percent=50, cap=60000)
    _ask(db, edition, libraries[0], tmp_path, amount_cents=80000, cost_cents=200000)  # capped to 600 €
    _ask(db, edition, libraries[1], tmp_path, amount_cents=70000, cost_cents=140000)  # 700 €: fits only if first
    _ask(db, edition, libraries[2], tmp_path, amount_cents=30000, cost_cents=60000)   # 300 €
    _ask(db, edition, libraries[3], tmp_path, amount_cents=10000, cost_cents=20000)   # 100 €
    before = _summary(db, edition)
    assert (before.envelope_cents, before.requested_cents, before.granted_cents, before.run_id) == (100000, 190000, 0, None)
    done = _run(db, edition)
    decisions = [d for d in _decisions(db, done.id) if d.kind == "funding"]
    granted = sum(d.granted_cents for d in decisions)
    assert granted <= 100000
    remaining = 100000
    for decision in sorted(decisions, key=lambda d: d.step):
        if decision.granted:
            remaining -= decision.granted_cents
        else:
            assert decision.reason == "does_not_fit"
    summary = _summary(db, edition)
    assert summary.granted_cents == granted and summary.remaining_cents == remaining == 100000 - granted
    # Whatever the order, the 100 € request always fits after any two of the others.
    assert next(d for d in decisions if d.library_id == libraries[3]).granted


def _decisions(db, run_id):
    async def go():
        async with db.read() as session:
            return await run_decisions(session, run_id)
    return run(go())


def test_a_funding_override_cannot_exceed_the_envelope(db, edition, libraries, tmp_path):
    _envelope(db, edition, 50000)
    _ask(db, edition, libraries[0], tmp_path, amount_cents=40000)
    _ask(db, edition, libraries[1], tmp_path, amount_cents=40000)
    done = _run(db, edition)
    refused = next(d for d in _decisions(db, done.id) if d.kind == "funding" and not d.granted)

    async def override(amount):
        async with db.write() as session:
            return await override_decision(session, decision_id=refused.id, granted=True, granted_cents=amount,
                                           note="Reliquat de l'enveloppe", actor=STAFF)
    with pytest.raises(FestivalError) as refused_error:
        run(override(20000))
    assert refused_error.value.errors == {"amount": "over_envelope"}
    assert run(override(10000)).granted_cents == 10000
    assert _summary(db, edition).remaining_cents == 0


def test_requests_are_listed_by_library_and_rank(db, edition, libraries, tmp_path):
    _ask(db, edition, libraries[0], tmp_path, title="Premier")
    _ask(db, edition, libraries[0], tmp_path, title="Avant", rank=1)

    async def go():
        async with db.read() as session:
            return await list_funding_requests(session, edition.id, libraries[0])
    assert [(r.title, r.rank) for r in run(go())] == [("Avant", 1), ("Premier", 2)]
