"""Single and double elimination brackets.

Both are built in full at creation: every match exists from the start, its seats named by
``from`` slots, so a board can draw the whole bracket before a ball is kicked. The one exception
is the grand-final reset (``GF2``), which only exists once the losers' bracket winner has won the
first grand final: a match that may never be played is never shown as pending.
"""

from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from .engine import add_match, feeds_of, settle, two_seat_rank
from .model import (
    GRAND_FINAL,
    LOSER,
    LOSERS,
    THIRD_PLACE,
    WINNER,
    WINNERS,
    BracketError,
    Entrant,
    Event,
    Match,
    MatchId,
    Result,
    Seed,
    Slot,
)
from .options import check_flags, complete
from .placements import double_elimination_standings, single_elimination_standings
from .seeding import positions
from .separation import separate

GRAND_FINALS = ("none", "single", "reset")
"""``none``: both bracket winners finish (e.g. both qualify); ``single``: one final decides;
``reset``: if the losers' bracket winner wins it, a second final is played, so the champion
is the first to lose twice."""

_DEFAULTS = {
    "single_elimination": {"third_place": False, "separate": True},
    "double_elimination": {"grand_final": "reset", "separate": True},
}


def create_single(entrants: tuple[Entrant, ...], options: dict[str, Any]) -> Event:
    """A single-elimination bracket, with a third-place match (``3P``) if asked."""
    event, order = _start("single_elimination", entrants, options)
    if event.options["third_place"] and len(entrants) < 3:
        raise BracketError("A third-place match needs at least 3 entrants.")
    return _build(event, _single_blueprint(order, event.options["third_place"]))


def create_double(entrants: tuple[Entrant, ...], options: dict[str, Any]) -> Event:
    """A double-elimination bracket: winners' bracket, losers' bracket and grand final."""
    event, order = _start("double_elimination", entrants, options)
    if event.options["grand_final"] not in GRAND_FINALS:
        raise BracketError(
            f"grand_final must be one of {', '.join(GRAND_FINALS)}, not {event.options['grand_final']!r}.")
    return _build(event, _double_blueprint(order, event.options["grand_final"] != "none"))


def advance(event: Event, match: Match) -> None:
    """Settle byes that the new result decided, and add the reset final when it is due."""
    count = len(event.entrants)
    if count & (count - 1):  # a full bracket (a power of two) never has a bye to settle
        for target_id, _, _ in event.feeds.get(match.id, ()):
            target = event.matches[target_id]
            if target.result is None and None in target.entrants and _seats_decided(event, target):
                seated = tuple(seed for seed in target.entrants if seed is not None)
                settle(event, target, _bye(seated), seated)
    if (match.id == "GF1" and event.options.get("grand_final") == "reset"
            and match.ranking[0] == match.entrants[1]):
        add_match(event, Match(
            "GF2", GRAND_FINAL, 2,
            (Slot(source="GF1", take=LOSER), Slot(source="GF1", take=WINNER)),
            entrants=[match.entrants[0], match.entrants[1]]))


DROP_ORDERS: dict[int, tuple[int, ...]] = {
    32: (6, 1, 1),
    64: (8, 6, 1, 1),
    128: (15, 8, 7, 1, 1),
    256: (7, 31, 2, 4, 1, 1),
    512: (32, 8, 31, 8, 1, 1, 1),
    1024: (32, 63, 4, 8, 3, 4, 1, 1),
}
"""Bracket size -> the XOR mask of each drop round from round 2, found by ``perf/search_drop_orders.py``
(fewest pairs meeting twice before the grand final over random play-outs). Sizes not listed, and
where the neighbour swap was as good (up to 16), swap neighbours: mask 1 in every drop round.
A mask of count - 1 is "reverse", count // 2 "half-shift"."""


def drop_orders(order: tuple[Seed | None, ...]) -> tuple[int, ...]:
    """How the winners' losers of rounds 2, 3, ... are spread over their losers' round.

    Each value is a mask: losers' match ``i`` (from 0) takes the loser of winners' match
    ``i ^ mask``. Any mask but 0 sends a dropped player against someone from another part of the
    winners' bracket, so their first losers' match is never against the player who just beat
    them. The masks come from `DROP_ORDERS` (1, the neighbour swap, by default): measured over
    random play-outs, mixing reverse and half-shift orders early with neighbour swaps later keeps
    far fewer pairs meeting twice than neighbour swaps throughout (docs/BENCHMARKS.md). Byes can
    leave a dropped player without an opponent, so their first real match comes one round later;
    for such rounds the half-shift (mask ``count // 2``) is taken instead whenever it leaves fewer
    possible rematches in that first match.
    """
    rounds = len(order).bit_length() - 1
    masks = list(DROP_ORDERS.get(len(order), (1,) * max(0, rounds - 2)))
    if None not in order:
        return tuple(masks)
    for index in range(len(masks)):
        half = (len(order) >> (index + 2)) // 2
        if half > 1:
            trial = masks[:index] + [half] + masks[index + 1:]
            if _first_rematches(order, trial) < _first_rematches(order, masks):
                masks = trial
    return tuple(masks)


single_elimination = SimpleNamespace(
    create=create_single, advance=advance, rank=two_seat_rank, standings=single_elimination_standings)
double_elimination = SimpleNamespace(
    create=create_double, advance=advance, rank=two_seat_rank, standings=double_elimination_standings)
"""The hooks of each format; every elimination match is a duel with a winner, hence `two_seat_rank`."""


# --- building ---------------------------------------------------------------------------------

Blueprint = tuple[tuple[Match, ...], dict[MatchId, tuple[tuple[MatchId, int, int], ...]]]
"""Matches without results, in play order, and their feeds: the part of a bracket that depends
only on its size, draw and options. Cached, so creating the same shape again costs little."""


def _start(format: str, entrants: tuple[Entrant, ...],
           options: dict[str, Any]) -> tuple[Event, tuple[Seed | None, ...]]:
    """The empty event with checked options, and the draw: seeds by bracket position."""
    defaults = _DEFAULTS[format]
    chosen = complete(options, defaults, format)
    check_flags(chosen, *(name for name, default in defaults.items() if isinstance(default, bool)))
    order, notes = positions(len(entrants)), []
    if chosen["separate"] and any(e.group is not None for e in entrants):
        order, notes = separate(order, entrants)
    return Event(format=format, options=chosen, entrants=entrants, report=_bye_notes(order) + notes), order


def _build(event: Event, blueprint: Blueprint) -> Event:
    """Fill ``event`` with fresh matches from the blueprint and settle the first-round byes."""
    matches, feeds = blueprint
    event.matches = {m.id: Match(m.id, m.bracket, m.round, m.slots, list(m.entrants)) for m in matches}
    event.feeds = dict(feeds)
    for template in matches:
        if template.round > 1 or template.bracket != WINNERS:
            break
        match = event.matches[template.id]
        if None in match.entrants:
            seated = tuple(seed for seed in match.entrants if seed is not None)
            settle(event, match, _bye(seated), seated)
    return event


@lru_cache(maxsize=64)
def _single_blueprint(order: tuple[Seed | None, ...], third_place: bool) -> Blueprint:
    winners = _winners_bracket(order)
    matches = [m for matches in winners[:-1] for m in matches]
    if third_place:
        semifinals = winners[-2]
        matches.append(Match("3P", THIRD_PLACE, 1, (
            Slot(source=semifinals[0].id, take=LOSER), Slot(source=semifinals[1].id, take=LOSER))))
    matches += winners[-1]
    return _blueprint(matches)


@lru_cache(maxsize=64)
def _double_blueprint(order: tuple[Seed | None, ...], grand_final: bool) -> Blueprint:
    winners = _winners_bracket(order)
    rounds = len(winners)
    losers = _losers_bracket(order)
    # Play order: each losers' round right after the winners' round that feeds it.
    matches = list(winners[0])
    if rounds >= 2:
        matches += losers[0]
    for r in range(2, rounds + 1):
        matches += winners[r - 1]
        matches += losers[2 * r - 3]
        if r < rounds:
            matches += losers[2 * r - 2]
    if grand_final:
        champion_of_losers = (Slot(source=f"L{2 * rounds - 2}-1", take=WINNER) if rounds >= 2
                              else Slot(source="W1-1", take=LOSER))
        matches.append(Match("GF1", GRAND_FINAL, 1, (
            Slot(source=f"W{rounds}-1", take=WINNER), champion_of_losers)))
    return _blueprint(matches)


def _blueprint(matches: list[Match]) -> Blueprint:
    for match in matches:
        match.entrants = [slot.seed for slot in match.slots]
    return tuple(matches), feeds_of(matches)


def _winners_bracket(order: tuple[Seed | None, ...]) -> list[list[Match]]:
    bracket = [[
        Match(f"W1-{i + 1}", WINNERS, 1, (_seat(order[2 * i]), _seat(order[2 * i + 1])))
        for i in range(len(order) // 2)
    ]]
    r = 1
    while len(bracket[-1]) > 1:
        r += 1
        bracket.append([
            Match(f"W{r}-{i}", WINNERS, r, (
                Slot(source=f"W{r - 1}-{2 * i - 1}", take=WINNER),
                Slot(source=f"W{r - 1}-{2 * i}", take=WINNER)))
            for i in range(1, len(bracket[-1]) // 2 + 1)
        ])
    return bracket


def _losers_bracket(order: tuple[Seed | None, ...]) -> list[list[Match]]:
    """Losers' rounds, index 0 = round 1. Odd rounds pair survivors, even rounds take drops."""
    size = len(order)
    rounds = size.bit_length() - 1
    if rounds < 2:
        return []
    masks = drop_orders(order) + (0,)
    bracket = [[
        Match(f"L1-{i}", LOSERS, 1, (
            Slot(source=f"W1-{2 * i - 1}", take=LOSER), Slot(source=f"W1-{2 * i}", take=LOSER)))
        for i in range(1, size // 4 + 1)
    ]]
    for drop_round in range(2, rounds + 1):
        count = size >> drop_round
        r = 2 * drop_round - 2
        bracket.append([
            Match(f"L{r}-{i}", LOSERS, r, (
                Slot(source=f"L{r - 1}-{i}", take=WINNER),
                Slot(source=f"W{drop_round}-{((i - 1) ^ masks[drop_round - 2]) + 1}", take=LOSER)))
            for i in range(1, count + 1)
        ])
        if drop_round < rounds:
            bracket.append([
                Match(f"L{r + 1}-{i}", LOSERS, r + 1, (
                    Slot(source=f"L{r}-{2 * i - 1}", take=WINNER),
                    Slot(source=f"L{r}-{2 * i}", take=WINNER)))
                for i in range(1, count // 2 + 1)
            ])
    return bracket


def _seat(seed: Seed | None) -> Slot:
    return Slot(bye=True) if seed is None else Slot(seed=seed)


def _seats_decided(event: Event, match: Match) -> bool:
    """True when no seat still waits: each holds an entrant or is known to be empty (a bye)."""
    for seed, slot in zip(match.entrants, match.slots):
        if seed is None and not slot.bye and event.matches[slot.source].result is None:
            return False
    return True


def _bye(seated: tuple[Seed, ...]) -> Result:
    return Result(winner=seated[0] if seated else None, outcome="bye")


def _bye_notes(order: tuple[Seed | None, ...]) -> list[str]:
    lucky = sorted(a if b is None else b for a, b in zip(order[::2], order[1::2]) if None in (a, b))
    if not lucky:
        return []
    entrants = sum(seed is not None for seed in order)
    names = ", ".join(str(seed) for seed in lucky)
    return [f"{entrants} entrants in a bracket of {len(order)}: "
            f"seed{'s' if len(lucky) > 1 else ''} {names} skip{'' if len(lucky) > 1 else 's'} "
            "the first round (a bye goes to the best seeds)."]


def _first_rematches(order: tuple[Seed | None, ...], masks: list[int]) -> int:
    """How many dropped players' first real losers' match could be a rematch, for these masks.

    Works on sets of possible seeds (as bit masks): a winners' round ``r`` loser can only have
    met seeds of the block of ``2 ** r`` places it came from. The winners' final loser is left
    out: every losers' bracket player could have met them.
    """
    size = len(order)
    rounds = size.bit_length() - 1
    seats = [(1 << a if a else 0, 1 << b if b else 0) for a, b in zip(order[::2], order[1::2])]
    won, lost = [[]], [[]]
    for _ in range(rounds):
        won.append([a | b for a, b in seats])
        lost.append([a | b if a and b else 0 for a, b in seats])
        seats = list(zip(won[-1][::2], won[-1][1::2]))
    losers = [[None], list(zip(lost[1][::2], lost[1][1::2]))]
    for drop_round in range(2, rounds + 1):
        mask = masks[drop_round - 2] if drop_round < rounds else 0
        survivors = [a | b for a, b in losers[-1]]
        losers.append([(survivors[i], lost[drop_round][i ^ mask]) for i in range(len(survivors))])
        if drop_round < rounds:
            survivors = [a | b for a, b in losers[-1]]
            losers.append(list(zip(survivors[::2], survivors[1::2])))
    last = 2 * rounds - 2
    count = 0
    for drop_round in range(2, rounds):
        mask = masks[drop_round - 2]
        for i, (_, dropped) in enumerate(losers[2 * drop_round - 2]):
            if not dropped:
                continue
            block = won[drop_round][i ^ mask]
            r, match, seat = 2 * drop_round - 2, i, 1
            while not losers[r][match][1 - seat] and r < last:
                r, match, seat = (r + 1, match // 2, match % 2) if r % 2 == 0 else (r + 1, match, 0)
            count += bool(losers[r][match][1 - seat] & block)
    return count
