"""The engine: create events, record and correct results, withdraw entrants, rank and serialise.

Formats plug in through four hooks, and two optional ones (see `FormatHooks`); the engine owns
everything they share: checking that a match can be played, seating winners and losers wherever a
later slot takes them, the log, forfeits after a withdrawal, corrections by replay, and JSON.
"""

import importlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import fields
from typing import Any, Protocol

from .model import (
    LOSER,
    OUTCOMES,
    WINNER,
    BracketError,
    Correction,
    Entrant,
    Event,
    IllegalResultError,
    Match,
    MatchId,
    Result,
    Seed,
    Standing,
    UnknownMatchError,
)

FORMATS: dict[str, str] = {
    "single_elimination": "brackets.elimination:single_elimination",
    "double_elimination": "brackets.elimination:double_elimination",
    "round_robin": "brackets.round_robin",
    "swiss": "brackets.swiss",
    "ffa": "brackets.ffa",
}
"""Format name -> ``module`` or ``module:attribute`` holding the hooks, imported on first use."""

_TAKE_INDEX = {WINNER: 0, LOSER: 1}
_MATCH_FIELDS = tuple(field.name for field in fields(Match))
_RECORDABLE = tuple(outcome for outcome in OUTCOMES if outcome != "bye")
"""Byes are never recorded: the engine settles them itself."""


class FormatHooks(Protocol):
    """What a format provides. A module (or a namespace inside one) with these functions.

    The engine calls them as follows; formats never append to ``event.log`` themselves.
    """

    def create(self, entrants: tuple[Entrant, ...], options: dict[str, Any]) -> Event:
        """Build the event (all matches, or the first round), resolving byes; reject unknown options."""

    def advance(self, event: Event, match: Match) -> None:
        """React to ``match`` having just got its ``result`` and ``ranking``.

        Seats fed by ``from`` slots are already filled by the engine. Resolve byes that became
        decided (with `settle`), and add new matches (with `add_match`) when the format pairs
        round by round. Raise a `BracketError` when the format cannot go on (no legal pairing):
        the engine then undoes the whole `record` or `withdraw`.
        """

    def rank(self, event: Event, match: Match, result: Result) -> tuple[Seed, ...]:
        """Check ``result`` fits ``match`` and return its seats' finishing order, winner first.

        Raise `IllegalResultError` with a plain reason otherwise. `two_seat_rank` is the default.
        """

    def standings(self, event: Event) -> list[Standing]:
        """Everyone's place so far; tied entrants share a place."""

    # Optional: ``forfeit(event, match, withdrawn: set[Seed]) -> Result | None`` decides a playable
    # match that holds a withdrawn seed. Without it, `default_forfeit` is used (two seats only).
    # Optional: ``act(event, action: dict) -> None`` applies a staff action (see `act`), raising a
    # `BracketError` with the reason when it does not fit.
    # Optional: ``explain(event) -> list[str]`` says in plain sentences how the ties in the
    # standings were broken. Without it, `explain` gives an empty list.


_loaded: dict[str, FormatHooks] = {}


def hooks(format: str) -> FormatHooks:
    """The hooks of a registered format, imported on first use so missing formats fail late."""
    found = _loaded.get(format)
    if found is not None:
        return found
    target = FORMATS.get(format)
    if target is None:
        raise BracketError(f"Unknown format {format!r}; known formats: {', '.join(FORMATS)}.")
    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise
        raise BracketError(f"The format {format!r} is not available yet.") from error
    found = getattr(module, attribute) if attribute else module
    _loaded[format] = found
    return found


# --- public API -------------------------------------------------------------------------------


def create(format: str, entrants: int | Sequence[Entrant], **options: Any) -> Event:
    """A new event of ``format`` for ``entrants`` (a count, or `Entrant`s seeded 1..N)."""
    format_hooks = hooks(format)
    event = format_hooks.create(_entrants(entrants), _json_options(options))
    event.format = format
    if not event.feeds:
        index_feeds(event)
    return event


def record(event: Event, match_id: MatchId, result: Result) -> Event:
    """Record ``result`` for a playable match, seat its winner and loser, and log it.

    Mutates ``event`` in place (and returns it): the board needs speed, and `correct` exists for
    mistakes. All or nothing: when the result does not fit (`IllegalResultError`: the match is
    not playable, or the result is wrong for it) or the format cannot go on from it (a
    `BracketError`, e.g. Swiss finding no legal pairing for the next round), the error is raised
    and ``event`` is left as it was.
    """
    match = event.matches.get(match_id)
    if match is None or not match.is_playable:
        _refuse(event, match_id)
    if result.outcome not in _RECORDABLE:
        raise IllegalResultError(
            f"Outcome {result.outcome!r} cannot be recorded; use one of: {', '.join(_RECORDABLE)}.")
    ranking = (_loaded.get(event.format) or hooks(event.format)).rank(event, match, result)
    entrants = list(match.entrants)
    logged = len(event.log)
    try:
        settle(event, match, result, ranking)
        event.log.append({"match": match_id, "entrants": entrants, "result": result})
        if event.withdrawn:
            _forfeit_pending(event)
    except Exception:
        _roll_back(event, logged)
        raise
    return event


def correct(event: Event, match_id: MatchId, result: Result, *, confirm: bool = False) -> Correction:
    """Replace a recorded result and recompute everything after it by replaying the log.

    Later results whose match no longer has the same entrants (or no longer exists or is
    playable) are dropped and listed in ``invalidated``. Without ``confirm`` this is a preview:
    the returned event is new and ``event`` is untouched. With ``confirm``, ``event`` itself is
    updated and returned.
    """
    get_match(event, match_id)
    position = next((i for i, entry in enumerate(event.log) if entry.get("match") == match_id), None)
    if position is None:
        raise BracketError(
            f"Match {match_id} has no recorded result to correct (it is still to play, or was "
            "decided automatically by a bye or a withdrawal).")
    replayed, invalidated = replay(event, substitute={position: result})
    if not confirm:
        return Correction(replayed, tuple(invalidated), confirmed=False)
    _adopt(event, replayed)
    return Correction(event, tuple(invalidated), confirmed=True)


def retract(event: Event, match_id: MatchId) -> Correction:
    """Take back a recorded result as if it had never been entered (an undone forfeit), by replaying the log
    without it: a preview, ``event`` is untouched. ``invalidated`` lists the later results that no longer fit
    (the next match the winner had played, say); a caller that only undoes cheap mistakes refuses those.
    """
    get_match(event, match_id)
    position = next((i for i, entry in enumerate(event.log) if entry.get("match") == match_id), None)
    if position is None:
        raise BracketError(f"Match {match_id} has no recorded result to take back.")
    trimmed = Event(format=event.format, options=event.options, entrants=event.entrants,
                    log=[entry for i, entry in enumerate(event.log) if i != position])
    replayed, invalidated = replay(trimmed)
    return Correction(replayed, tuple(invalidated), confirmed=False)


def replay(event: Event, *, substitute: dict[int, Result] | None = None) -> tuple[Event, list[MatchId]]:
    """A fresh event rebuilt from ``event``'s log, with results at given log positions replaced.

    Returns the new event and the ids of logged results that no longer fit and were dropped.
    The result at a substituted position must still fit, or `IllegalResultError` is raised.
    """
    substitute = substitute or {}
    fresh = create(event.format, event.entrants, **event.options)
    invalidated: list[MatchId] = []
    for position, entry in enumerate(event.log):
        if "withdraw" in entry:
            withdraw(fresh, entry["withdraw"])
            continue
        if "match" not in entry:
            act(fresh, entry)
            continue
        match_id = entry["match"]
        match = fresh.matches.get(match_id)
        fits = (match is not None and match.is_playable
                and entry.get("entrants", match.entrants) == match.entrants)
        if position in substitute:
            if not fits:
                raise IllegalResultError(f"Match {match_id} cannot take a corrected result.")
            record(fresh, match_id, substitute[position])
            continue
        if not fits:
            invalidated.append(match_id)
            continue
        try:
            record(fresh, match_id, entry["result"])
        except IllegalResultError:
            invalidated.append(match_id)
    return fresh, invalidated


def withdraw(event: Event, seed: Seed) -> Event:
    """Withdraw an entrant: each of their matches is forfeited now or as soon as it becomes playable.

    All or nothing, like `record`: if a forfeit leaves the format unable to go on, the error is
    raised and ``event`` is left as it was.
    """
    if all(e.seed != seed for e in event.entrants):
        raise BracketError(f"Seed {seed} is not an entrant of this event.")
    if seed in event.withdrawn:
        raise BracketError(f"Seed {seed} has already withdrawn.")
    logged = len(event.log)
    event.withdrawn.add(seed)
    event.log.append({"withdraw": seed})
    try:
        _forfeit_pending(event)
    except Exception:
        _roll_back(event, logged)
        raise
    return event


def act(event: Event, action: dict[str, Any]) -> Event:
    """A staff action on the event's structure (e.g. Swiss ``{"repair": 3}``), applied and logged.

    The format's ``act`` hook checks and applies it; all or nothing like `record`. Replaying the
    log applies it again at the same point, so corrections keep it.
    """
    handler = getattr(hooks(event.format), "act", None)
    if handler is None:
        raise BracketError(f"The format {event.format!r} takes no staff action such as {sorted(action)}.")
    action = _json_options(action)
    logged = len(event.log)
    try:
        handler(event, action)
        event.log.append(action)
        if event.withdrawn:
            _forfeit_pending(event)
    except Exception:
        _roll_back(event, logged)
        raise
    return event


def standings(event: Event) -> list[Standing]:
    """Everyone's place so far, best first; tied entrants share a place."""
    return hooks(event.format).standings(event)


def explain(event: Event) -> list[str]:
    """How the ties in the standings were broken, one plain sentence each, for the referee to read out.

    Round robin, Swiss and free-for-all heats explain their ties; elimination places come from
    the bracket, so those formats give an empty list.
    """
    explainer = getattr(hooks(event.format), "explain", None)
    return [] if explainer is None else list(explainer(event))


def playable(event: Event) -> list[Match]:
    """The matches that can be played now, in play order."""
    return [m for m in event.matches.values() if m.result is None and m.is_playable]


def to_json(event: Event) -> dict[str, Any]:
    """The whole event as JSON-compatible data; `from_json` gives it back unchanged."""
    return event.to_json()


def from_json(data: dict[str, Any]) -> Event:
    """An event from `to_json` data, with its derived indexes rebuilt so play can continue."""
    event = Event.from_json(data)
    index_feeds(event)
    event.withdrawn = {entry["withdraw"] for entry in event.log if "withdraw" in entry}
    return event


def dumps(event: Event) -> str:
    """Canonical JSON text: the same event always gives the same bytes."""
    return json.dumps(to_json(event), sort_keys=True, separators=(",", ":"))


def loads(text: str) -> Event:
    """An event from `dumps` text."""
    return from_json(json.loads(text))


# --- helpers for formats ---------------------------------------------------------------------


def get_match(event: Event, match_id: MatchId) -> Match:
    """The match with this id, or `UnknownMatchError`."""
    try:
        return event.matches[match_id]
    except KeyError:
        raise UnknownMatchError(f"This event has no match {match_id!r}.") from None


def add_match(event: Event, match: Match) -> Match:
    """Append a match (in play order) and index where its ``from`` slots come from."""
    event.matches[match.id] = match
    _seat_known(match)
    _link(event.feeds, match)
    return match


def index_feeds(event: Event) -> None:
    """Rebuild ``event.feeds`` from every match's slots (after loading or building in bulk)."""
    event.feeds = {}
    for match in event.matches.values():
        _seat_known(match)
        _link(event.feeds, match)


def feeds_of(matches: Iterable[Match]) -> dict[MatchId, tuple[tuple[MatchId, int, int], ...]]:
    """The feeds index of some matches, for formats that build (and cache) a structure up front."""
    feeds: dict[MatchId, tuple[tuple[MatchId, int, int], ...]] = {}
    for match in matches:
        _link(feeds, match)
    return feeds


def settle(event: Event, match: Match, result: Result, ranking: tuple[Seed, ...]) -> None:
    """Give ``match`` its result, seat its winner and loser downstream, and let the format react.

    Formats call this too, for byes they resolve; nothing here touches the log.
    """
    match.result = result
    match.ranking = ranking
    matches = event.matches
    seated = len(ranking)
    for target_id, seat, take in event.feeds.get(match.id, ()):
        matches[target_id].entrants[seat] = ranking[take] if take < seated else None
    count = len(matches)
    (_loaded.get(event.format) or hooks(event.format)).advance(event, match)
    if len(event.matches) != count:
        for added in list(event.matches.values())[count:]:
            _seat_known(added)
            _link(event.feeds, added)


def two_seat_rank(event: Event, match: Match, result: Result) -> tuple[Seed, Seed]:
    """The default `rank`: a two-seat match with a winner and no draw."""
    seats = match.entrants
    if (len(seats) == 2 and not result.draw and result.races is None
            and (result.scores is None or len(result.scores) == 2)):
        first, second = seats
        if result.winner == first:
            return (first, second)
        if result.winner == second:
            return (second, first)
    if len(seats) != 2:
        raise IllegalResultError(f"Match {match.id} is not a two-seat match.")
    if result.draw:
        raise IllegalResultError(f"Match {match.id} needs a winner: draws are not allowed here.")
    if result.races is not None:
        raise IllegalResultError(f"Match {match.id} is a duel: give a winner, not races.")
    if result.scores is not None and len(result.scores) != 2:
        raise IllegalResultError(f"Match {match.id} needs exactly two scores, one per seat.")
    if result.winner is None:
        raise IllegalResultError(f"Match {match.id} needs a winner.")
    raise IllegalResultError(
        f"Seed {result.winner} does not play in match {match.id} ({seats[0]} against {seats[1]}).")


def default_forfeit(event: Event, match: Match, withdrawn: set[Seed]) -> Result | None:
    """A two-seat match with a withdrawn seed goes to the opponent.

    If both withdrew, the better seed is carried forward only to forfeit again later, which
    keeps the bracket moving. Heats are left to the format (None).
    """
    if len(match.entrants) != 2:
        return None
    present = [seed for seed in match.entrants if seed not in withdrawn]
    winner = present[0] if present else min(match.entrants)
    return Result(winner=winner, outcome="forfeit")


# --- internals --------------------------------------------------------------------------------


def _seat_known(match: Match) -> None:
    """Give a new match its seat list: the seeds its slots name, None elsewhere."""
    if len(match.entrants) != len(match.slots):
        match.entrants = [slot.seed for slot in match.slots]


def _link(feeds: dict[MatchId, tuple[tuple[MatchId, int, int], ...]], match: Match) -> None:
    for seat, slot in enumerate(match.slots):
        if slot.source is not None:
            feed = (match.id, seat, _TAKE_INDEX[slot.take])
            known = feeds.get(slot.source, ())
            if feed not in known:
                feeds[slot.source] = (*known, feed)


def _refuse(event: Event, match_id: MatchId) -> None:
    """Raise the reason why this match cannot take a result now."""
    match = get_match(event, match_id)
    if match.result is not None:
        if match.result.outcome == "bye":
            raise IllegalResultError(f"Match {match.id} is a bye: nothing to play.")
        raise IllegalResultError(
            f"Match {match.id} already has a result; use a correction to change it.")
    raise IllegalResultError(f"Match {match.id} is not playable yet: it still waits for entrants.")


def _roll_back(event: Event, logged: int) -> None:
    """Undo a failed `record` or `withdraw`: rebuild ``event`` from its first ``logged`` log entries.

    Such failures are rare (a format that cannot go on), so replaying then is cheaper than
    journalling every change on the fast path.
    """
    del event.log[logged:]
    rebuilt, _ = replay(event)
    _adopt(event, rebuilt)


def _adopt(event: Event, rebuilt: Event) -> None:
    """Make ``event`` equal to ``rebuilt``, keeping the `Match` objects of the ids both have.

    Callers may hold those objects (a list from `playable`), so they are updated, not replaced.
    """
    kept = event.matches
    matches: dict[MatchId, Match] = {}
    for match_id, match in rebuilt.matches.items():
        old = kept.get(match_id)
        if old is not None:
            for name in _MATCH_FIELDS:
                setattr(old, name, getattr(match, name))
            match = old
        matches[match_id] = match
    event.matches = matches
    event.log, event.report = rebuilt.log, rebuilt.report
    event.feeds, event.withdrawn = rebuilt.feeds, rebuilt.withdrawn


def _forfeit_pending(event: Event) -> None:
    """Decide every playable match that holds a withdrawn seed, until none is left."""
    format_hooks = hooks(event.format)
    decide = getattr(format_hooks, "forfeit", default_forfeit)
    withdrawn = event.withdrawn
    changed = True
    while changed:
        changed = False
        for match in list(event.matches.values()):
            if match.result is None and match.is_playable and not withdrawn.isdisjoint(match.entrants):
                result = decide(event, match, withdrawn)
                if result is not None:
                    settle(event, match, result, format_hooks.rank(event, match, result))
                    changed = True


def _entrants(entrants: int | Sequence[Entrant]) -> tuple[Entrant, ...]:
    if isinstance(entrants, bool):
        raise BracketError("Entrants must be a count or a list of entrants.")
    if isinstance(entrants, int):
        if entrants < 2:
            raise BracketError(f"An event needs at least 2 entrants, not {entrants}.")
        return tuple(Entrant(seed) for seed in range(1, entrants + 1))
    given = tuple(entrants)
    if not all(isinstance(e, Entrant) for e in given):
        raise BracketError("Entrants must be a count or a list of Entrant.")
    if len(given) < 2:
        raise BracketError(f"An event needs at least 2 entrants, not {len(given)}.")
    ordered = tuple(sorted(given, key=lambda e: e.seed))
    if [e.seed for e in ordered] != list(range(1, len(ordered) + 1)):
        raise BracketError("Entrants must be seeded 1 to N, each seed once.")
    return ordered


def _json_options(options: dict[str, Any]) -> dict[str, Any]:
    """Options as stored: plain JSON, so a replay or a reload recreates the same event."""
    try:
        return json.loads(json.dumps(options, sort_keys=True))
    except (TypeError, ValueError) as error:
        raise BracketError(f"Options must be plain JSON values: {error}.") from None
