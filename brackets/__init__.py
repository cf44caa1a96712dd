"""X.PO Live bracket engine: plain data in, plain data out, standard library only.

Create an event in a format, record results, correct them, withdraw entrants, read standings
(and how their ties were broken), and save or load everything as JSON. See ``docs/brackets.md``.
"""

from .engine import (
    FORMATS,
    act,
    correct,
    create,
    dumps,
    explain,
    from_json,
    loads,
    playable,
    record,
    replay,
    retract,
    standings,
    to_json,
    withdraw,
)
from .model import (
    BracketError,
    Correction,
    Entrant,
    Event,
    IllegalResultError,
    Match,
    MatchId,
    Result,
    Seed,
    Slot,
    Standing,
    UnknownMatchError,
)

from . import elimination, ffa, round_robin, stages, swiss, tiebreaks  # noqa: E402  every format as brackets.<name>

tiebreak_table = tiebreaks.table
"""Standings and tie-break explanations for games given by hand: see `brackets.tiebreaks.table`."""
impose = swiss.impose
"""Staff override of a Swiss round's pairing, checked for legality: see `brackets.swiss.impose`."""

__all__ = [
    "FORMATS", "act", "impose", "tiebreak_table", "correct", "create", "dumps", "explain", "from_json", "loads", "playable", "record",
    "replay", "retract", "standings", "to_json", "withdraw",
    "BracketError", "Correction", "Entrant", "Event", "IllegalResultError", "Match", "MatchId",
    "Result", "Seed", "Slot", "Standing", "UnknownMatchError",
    "elimination", "ffa", "round_robin", "stages", "swiss", "tiebreaks",
]
