"""Seeding the final from the libraries' qualifiers: one standings list per library, one final.

Each library plays its own qualifier; their standings become one seeding list for the final:
every library's winner first, then every runner-up, and so on, then the best of the rest. Within
each tier, a metric that compares players across libraries (e.g. points per match) decides,
higher first. Equal metrics are split by a stated second number (the tie-break, higher first),
then by a random draw made from a seed given as input, so the result can be reproduced and
checked. Every placement, and every player left out, comes with a plain-words explanation.

Not to be confused with `brackets.stages`, which passes entrants from one stage to the next
(pools, then a bracket) from the standings of engine events.
"""

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .model import BracketError, Entrant, Seed, Standing
from .tiebreaks import ordinal


@dataclass(frozen=True, slots=True)
class Contender:
    """A player's line in their library's qualifier standings."""

    player: str
    """The caller's id for the player; the engine only compares and prints it."""
    library: str
    place: int
    """Place in the library's qualifier, 1 for the winner; tied players share a place."""
    metric: float | None = None
    """Comparable across libraries, higher is better (negate times and the like). None sorts last."""
    tiebreak: float | None = None
    """The stated second criterion for equal metrics, higher is better. None sorts last."""


@dataclass(frozen=True, slots=True)
class Placement:
    """One seat in the final: the seed given, to whom, and why."""

    seed: Seed
    contender: Contender
    reason: str


@dataclass(frozen=True, slots=True)
class FinalSeeding:
    """The final's seeding list, who did not make it, and the rules applied, all in plain words."""

    placements: tuple[Placement, ...]
    left_out: tuple[tuple[Contender, str], ...]
    rules: tuple[str, ...]

    def entrants(self) -> tuple[Entrant, ...]:
        """The final's entrants: the library is the group, so the draw keeps libraries apart."""
        return tuple(Entrant(p.seed, group=p.contender.library, metric=p.contender.metric)
                     for p in self.placements)


def contenders(library: str, standings: Sequence[Standing], players: dict[Seed, str],
               metric: dict[Seed, float] | None = None) -> list[Contender]:
    """A library's engine standings as contenders; the metric defaults to points per match played."""
    lines = []
    for line in standings:
        played = line.wins + line.draws + line.losses
        value = metric[line.seed] if metric is not None else (line.points / played if played else None)
        lines.append(Contender(players[line.seed], library, line.place, value))
    return lines


def seed_final(candidates: Iterable[Contender], *, per_library: int = 1, best_remaining: int = 0,
               seed: int) -> FinalSeeding:
    """Choose and seed the final's entrants.

    The top ``per_library`` of each library qualify, then the ``best_remaining`` others with the
    best metric. ``seed`` feeds the random draw that settles ties nothing else can.
    """
    pool = list(candidates)
    _check(pool, per_library, best_remaining)
    draw = _draw(pool, seed)

    def merit(c: Contender) -> tuple:
        return (_desc(c.metric), _desc(c.tiebreak), draw[c])

    by_library: dict[str, list[Contender]] = {}
    for contender in pool:
        by_library.setdefault(contender.library, []).append(contender)
    tier: dict[Contender, int] = {}
    left: list[Contender] = []
    for members in by_library.values():
        members.sort(key=lambda c: (c.place, merit(c)))
        for rank, contender in enumerate(members, start=1):
            if rank <= per_library:
                tier[contender] = rank
            else:
                left.append(contender)
    left.sort(key=lambda c: (_desc(c.metric), c.place, _desc(c.tiebreak), draw[c]))
    for contender in left[:best_remaining]:
        tier[contender] = per_library + 1
    remaining, out = left[:best_remaining], left[best_remaining:]

    chosen = sorted(tier, key=lambda c: (tier[c], merit(c)))
    tiers: dict[int, list[Contender]] = {}
    for contender in chosen:
        tiers.setdefault(tier[contender], []).append(contender)
    placements = []
    for number, contender in enumerate(chosen, start=1):
        group = tiers[tier[contender]]
        placements.append(Placement(number, contender, _reason(
            contender, group, tier[contender], per_library, by_library[contender.library], remaining, seed)))
    return FinalSeeding(
        placements=tuple(placements),
        left_out=tuple((c, _left_out_reason(c, by_library[c.library], per_library, remaining, seed))
                       for c in out),
        rules=_rules(per_library, best_remaining, seed),
    )


def _check(pool: list[Contender], per_library: int, best_remaining: int) -> None:
    if per_library < 1 or best_remaining < 0:
        raise BracketError("At least one player per library must qualify, and best_remaining cannot be negative.")
    seen = set()
    for contender in pool:
        if contender.place < 1:
            raise BracketError(f"{contender.player} has place {contender.place}; places start at 1.")
        key = (contender.library, contender.player)
        if key in seen:
            raise BracketError(f"{contender.player} appears twice for {contender.library}.")
        seen.add(key)
    if not pool:
        raise BracketError("No qualifier standings were given.")


def _draw(pool: list[Contender], seed: int) -> dict[Contender, float]:
    """One random number per contender, drawn in a fixed order so the input order does not matter."""
    rng = random.Random(seed)
    return {c: rng.random() for c in sorted(pool, key=lambda c: (c.library, c.player))}


def _desc(value: float | None) -> tuple[int, float]:
    """Sort key: higher values first, None last."""
    return (1, 0.0) if value is None else (0, -value)


def _tier_name(tier: int, per_library: int) -> str:
    if tier > per_library:
        return "best remaining"
    named = {1: "library winners", 2: "library runners-up"}
    return named.get(tier, f"players placed {ordinal(tier)} in their library")


def _value(value: float | None) -> str:
    if value is None:
        return "none"
    return f"{value:g}"


def _split(first: Contender, second: Contender, seed: int) -> str:
    """What separates two players with equal metrics."""
    if first.tiebreak != second.tiebreak:
        return f"tie-break ({_value(first.tiebreak)} to {_value(second.tiebreak)})"
    return f"the random draw (seed {seed})"


def _shared(contender: Contender, library: list[Contender], seed: int) -> str:
    """How a place shared within the library was split, e.g. ``(shares the place: ahead of X on metric)``."""
    parts = []
    for mate in library:
        if mate is contender or mate.place != contender.place:
            continue
        ahead = library.index(contender) < library.index(mate)
        first, second = (contender, mate) if ahead else (mate, contender)
        how = "metric" if first.metric != second.metric else _split(first, second, seed)
        parts.append(f"{'ahead of' if ahead else 'behind'} {mate.player} on {how}")
    return f" (shares the place: {', '.join(parts)})" if parts else ""


def _players(count: int, what: str) -> str:
    return f"the best remaining {what}" if count == 1 else f"the {count} best remaining {what}s"


def _reason(contender: Contender, group: list[Contender], tier: int, per_library: int,
            library: list[Contender], remaining: list[Contender], seed: int) -> str:
    where = f"{ordinal(contender.place)} in {contender.library}{_shared(contender, library, seed)}"
    if tier > per_library:
        one_of = "" if len(remaining) == 1 else "one of "
        text = f"{contender.player}: {where}, qualified as {one_of}{_players(len(remaining), 'player')}"
        if len(remaining) == 1:
            return f"{text} by metric ({_value(contender.metric)})."
        text += " by metric"
    else:
        text = f"{contender.player}: {where}, so among the {_tier_name(tier, per_library)}"
    position = group.index(contender)
    text += f"; {ordinal(position + 1)} of {len(group)} by metric ({_value(contender.metric)})"
    if position > 0 and group[position - 1].metric == contender.metric:
        before = group[position - 1]
        text += f"; level with {before.player} on metric, behind on {_split(before, contender, seed)}"
    if position + 1 < len(group) and group[position + 1].metric == contender.metric:
        after = group[position + 1]
        text += f"; level with {after.player} on metric, ahead on {_split(contender, after, seed)}"
    return text + "."


def _left_out_reason(contender: Contender, library: list[Contender], per_library: int,
                     remaining: list[Contender], seed: int) -> str:
    text = (f"{contender.player}: {ordinal(contender.place)} in {contender.library}"
            f"{_shared(contender, library, seed)}, not in the top {per_library} of the library")
    if remaining:
        last = remaining[-1]
        among = "" if len(remaining) == 1 else "among "
        text += (f", nor {among}{_players(len(remaining), 'player')} (metric {_value(contender.metric)}; "
                 f"the last one in, {last.player}, has {_value(last.metric)})")
    return text + "."


def _rules(per_library: int, best_remaining: int, seed: int) -> tuple[str, ...]:
    chosen = f"The top {per_library} of each library qualify" if per_library > 1 else "Each library's winner qualifies"
    if best_remaining:
        chosen += f", then {_players(best_remaining, 'player')} by metric"
    tiers = "library winners first, then runners-up, and so on" if per_library > 1 else "library winners first"
    if best_remaining:
        tiers += ", then the best remaining"
    return (
        chosen + ".",
        f"Seeding: {tiers}; within each group, higher metric first; equal metrics: higher tie-break "
        f"first; still equal: a random draw with seed {seed}.",
    )
