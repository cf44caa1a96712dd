"""Reading the tournament forms: Paris date-times, whole numbers, and a result as people tap it."""

import uuid
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from litestar import Request

from tournament.localtime import LocalTimeError, local_instant
from tournament.results import ResultInput
from tournament.tournaments import TournamentError
from tournament.views.matches import MatchView, StageView
from web.forms import read_form
from web.tournament_messages import message

PARIS = ZoneInfo("Europe/Paris")
DUEL_OUTCOMES = ("played", "forfeit", "no_show", "disqualification")
SCORED_FORMATS = ("round_robin", "swiss")
"""Formats whose tie-breakers read scores: their entry screen asks for them."""


def paris_time(value: datetime, field_name: str = "") -> datetime:
    """An instant in UTC; a time given without offset is read as Paris time (what people type), through the
    one rule (`tournament.localtime.local_instant`: the spring gap and the autumn double hour are refused)."""
    return local_instant(value, field_name)


FOLDS = {"first": 0, "second": 1}
"""The answer to "which one?" for a time that happens twice (autumn): ``<field>_fold`` in the form."""


def parse_local(value: str, field_name: str, fold: str = "") -> datetime:
    """A ``datetime-local`` input (Paris time) as an aware UTC instant, through the one rule
    (`tournament.localtime.local_instant`). A time in the autumn double hour is refused
    (``ambiguous_local_time``) until ``fold`` (``first``: summer time, ``second``: winter time) says which."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise TournamentError("invalid_datetime", field_name) from None
    try:
        return local_instant(moment, field_name, fold=FOLDS.get(fold))
    except LocalTimeError as exc:
        raise TournamentError(exc.code, field_name) from None


def needs_fold(form_values: dict, field_name: str, code: str) -> None:
    """Mark ``field_name`` of a refused form as asking which of the two times it means (the page then
    offers both, `_forms.html` ``fold_choice``)."""
    if code == "ambiguous_local_time":
        form_values[f"{field_name}_ambiguous"] = "1"


def local_input(moment: datetime | None) -> str:
    """The value a ``datetime-local`` input shows for an instant: Paris time, to the minute."""
    return "" if moment is None else moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


def parse_int(value: str, field_name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise TournamentError("invalid_number", field_name) from None


def new_key() -> str:
    """A fresh idempotency key for a form being drawn: a retried post of that form counts once."""
    return uuid.uuid4().hex


async def result_from_form(request: Request, view: StageView, match: MatchView, *,
                           words: Callable[[str], str] = message) -> tuple[ResultInput, dict[str, str]]:
    """The result a form describes (duel: the winner's button, scores; heat: each race's places).

    Errors are by field, worded in French by `words` (a code -> its text; players get "tu"); an empty
    dict means the result can be submitted.
    """
    data = await read_form(request)
    if match.is_heat:
        return _heat_from_form(data, view, match, words)
    outcome = data.get("outcome") or "played"
    errors: dict[str, str] = {}
    if outcome not in DUEL_OUTCOMES:
        errors["outcome"] = words("invalid_outcome")
    scores = None
    given = [data.get(f"score-{seat.player_id}", "") for seat in match.players]
    if any(given):
        try:
            scores = tuple(float(value.replace(",", ".")) for value in given)
        except ValueError:
            errors["scores"] = words("invalid_score")
    choice = data.get("winner", "")
    if choice == "draw":
        return ResultInput(draw=True, scores=scores, outcome=outcome), errors
    winner = next((seat.player_id for seat in match.players if str(seat.player_id) == choice), None)
    if winner is None:
        errors["winner"] = words("winner_required")
    return ResultInput(winner_player_id=winner, scores=scores, outcome=outcome), errors


def _heat_from_form(data: dict[str, str], view: StageView, match: MatchView,
                    words: Callable[[str], str]) -> tuple[ResultInput, dict[str, str]]:
    event = view.stage.event()
    withdrawn = {view.stage.player_of(seed) for seed in event.withdrawn}
    races = []
    errors: dict[str, str] = {}
    for number in range(1, races_of(view) + 1):
        places: dict[int, int] = {}
        for seat in match.players:
            value = data.get(f"race-{number}-{seat.player_id}", "")
            if value.isdigit():
                places[seat.player_id] = int(value)
            elif seat.player_id not in withdrawn:
                errors[f"race-{number}"] = words("race_incomplete")
        if len(set(places.values())) != len(places):
            errors[f"race-{number}"] = words("race_duplicate")
        races.append(tuple(sorted(places, key=places.get)))
    return ResultInput(races=tuple(races)), errors


def races_of(view: StageView) -> int:
    """How many races a heat of this stage has (1 for duels)."""
    return view.stage.event().options.get("races", 1)


def form_fields(request_data: dict[str, str]) -> list[tuple[str, str]]:
    """The submitted result fields, to post again once a correction is confirmed."""
    skip = {"idempotency_key", "version", "confirm", "_csrf_token"}
    return [(name, value) for name, value in request_data.items() if name not in skip]
