"""Final places in elimination brackets: the later you go out, the better your place.

Everyone knocked out at the same stage shares a place (1, 2, 3, 4, 5=6, 7=8, ...), numbered so
that a place counts the entrants ahead of you (standard competition ranking, ``1, 2, 3, 3, 5``).
Entrants still in contention share the best place still open, usually 1.
"""

from collections.abc import Callable, Iterable

from .model import GRAND_FINAL, LOSERS, THIRD_PLACE, WINNERS, Event, Match, Seed, Standing
from .seeding import bracket_size


def single_elimination_standings(event: Event) -> list[Standing]:
    """Places by the winners' round lost; the third-place match splits the semi-final losers."""
    rounds = bracket_size(len(event.entrants)).bit_length() - 1
    has_third_place = "3P" in event.matches
    stage: dict[Seed, int] = {}
    for match in _decided(event.matches.values()):
        ranking = match.ranking
        if match.bracket == THIRD_PLACE:
            stage[ranking[0]] = 4 * rounds - 2
            if len(ranking) == 2:
                stage[ranking[1]] = 4 * rounds - 3
        elif len(ranking) == 2:
            # Semi-final losers who still play for third place share it until then.
            semifinal = has_third_place and match.round == rounds - 1
            stage[ranking[1]] = 4 * rounds - 3 if semifinal else 4 * match.round
            if match.round == rounds:
                stage[ranking[0]] = 4 * rounds + 4
    return _places(event, stage, still_in=lambda seed: 4 * rounds + 4)


def double_elimination_standings(event: Event) -> list[Standing]:
    """Places by the losers' round in which an entrant lost a second time.

    The grand final's loser is second. Without a grand final the winners' bracket champion is
    first and the losers' bracket champion second.
    """
    rounds = bracket_size(len(event.entrants)).bit_length() - 1
    runner_up, champion = 2 * rounds - 1, 2 * rounds
    no_final = event.options.get("grand_final") == "none"
    last_losers_round = 2 * rounds - 2
    stage: dict[Seed, int] = {}
    dropped: set[Seed] = set()
    for match in _decided(event.matches.values()):
        ranking = match.ranking
        if len(ranking) < 2:
            continue
        if match.bracket == LOSERS:
            stage[ranking[1]] = match.round
            if no_final and match.round == last_losers_round:
                stage[ranking[0]] = runner_up
        elif match.bracket == WINNERS:
            dropped.add(ranking[1])
            if no_final and match.round == rounds:
                stage[ranking[0]] = champion
                if rounds == 1:
                    stage[ranking[1]] = runner_up
        elif match.bracket == GRAND_FINAL:
            reset_due = match.id == "GF1" and "GF2" in event.matches
            if not reset_due:
                stage[ranking[0]], stage[ranking[1]] = champion, runner_up

    def still_in(seed: Seed) -> int:
        # Without a grand final, a player who already lost once can at best be second.
        return runner_up if no_final and seed in dropped else champion

    return _places(event, stage, still_in)


def _decided(matches: Iterable[Match]) -> Iterable[Match]:
    return (m for m in matches if m.ranking is not None)


def _places(event: Event, stage: dict[Seed, int], still_in: Callable[[Seed], int]) -> list[Standing]:
    """Standings from each entrant's final stage (higher is better), or the best still open."""
    level = {e.seed: stage[e.seed] if e.seed in stage else still_in(e.seed) for e in event.entrants}
    wins: dict[Seed, int] = {}
    losses: dict[Seed, int] = {}
    for match in _decided(event.matches.values()):
        if len(match.ranking) == 2:
            winner, loser = match.ranking
            wins[winner] = wins.get(winner, 0) + 1
            losses[loser] = losses.get(loser, 0) + 1
    ordered = sorted(level, key=lambda seed: (-level[seed], seed))
    standings: list[Standing] = []
    for index, seed in enumerate(ordered):
        tied = index and level[seed] == level[ordered[index - 1]]
        place = standings[-1].place if tied else index + 1
        standings.append(Standing(seed, place, points=None, wins=wins.get(seed, 0), losses=losses.get(seed, 0)))
    return standings
