"""The French words of the tournament pages: round names, a match in one line, a result in one line,
and the label helpers every tournament template receives (`page`)."""

from typing import Any

from litestar.response import Template

from tournament.views.desk import ReportView
from tournament.views.matches import MatchState, MatchView
from web.i18n import _
from web.messages import age_label
from web.tournament_messages import (
    FORMAT_LABELS,
    GRAND_FINAL_LABELS,
    MATCH_KIND_LABELS,
    OUTCOME_LABELS,
    STATUS_LABELS,
    label,
)


def round_names(views: tuple[MatchView, ...] | list[MatchView]) -> dict[str, str]:
    """A French name for each match's round: «Quarts de finale», «Poule A · tour 2», «Manches · tour 1»…"""
    winners_rounds = max((v.round for v in views if v.bracket == "winners"), default=0)
    has_grand_final = any(v.bracket == "grand_final" for v in views)
    names = {}
    for view in views:
        if view.bracket == "winners":
            left = winners_rounds - view.round
            names[view.id] = (
                (_("Winners' final") if has_grand_final else _("Final")) if left == 0
                else _("Semi-finals") if left == 1 else _("Quarter-finals") if left == 2
                else _("Round %(number)s") % {"number": view.round}
            )
        elif view.bracket == "losers":
            names[view.id] = _("Losers' round %(number)s") % {"number": view.round}
        elif view.bracket == "grand_final":
            names[view.id] = _("Grand final") if view.round == 1 else _("Grand final (reset)")
        elif view.bracket == "third_place":
            names[view.id] = _("Third-place match")
        elif view.bracket == "heat":
            names[view.id] = _("Heats, stage %(number)s") % {"number": view.round}
        elif view.bracket == "final":
            names[view.id] = _("Final heat")
        elif len(view.bracket) == 1:
            names[view.id] = _("Pool %(pool)s, round %(number)s") % {"pool": view.bracket, "number": view.round}
        else:
            names[view.id] = _("Round %(number)s") % {"number": view.round}
    return names


def players_text(view: MatchView) -> str:
    """«Luna (Vernon) contre Max (Bernay)»; a heat's players joined by commas."""
    players = [seat.label if seat else _("to be decided") for seat in view.seats]
    if len(players) == 2:
        return _("%(first)s against %(second)s") % {"first": players[0], "second": players[1]}
    return ", ".join(players)


def match_title(view: MatchView) -> str:
    """«Match 12 · Luna (Vernon) contre Max (Bernay)»."""
    if view.number is None:
        return players_text(view)
    return _("Match %(number)s") % {"number": view.number} + " · " + players_text(view)


def call_line(view: MatchView, station: int) -> str:
    """The call list's line: «Match 12 · Poste 3 · Luna (Vernon) contre Max (Bernay)»."""
    return " · ".join([
        _("Match %(number)s") % {"number": view.number}, _("Station %(number)s") % {"number": station}, players_text(view)
    ])


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _decorate(text: str, scores: Any, outcome: str | None) -> str:
    """A result's line with its scores and, when not played normally, how it ended."""
    if scores:
        text += " (" + " – ".join(_number(score) for score in scores) + ")"
    if outcome and outcome != "played":
        text += " · " + label(OUTCOME_LABELS, outcome)
    return text


def result_text(view: MatchView) -> str:
    """A decided match in one line: «Luna gagne (2 – 1)», «Match nul», «1. Luna, 2. Max…»."""
    if view.state == MatchState.BYE:
        return _("Bye")
    if view.state != MatchState.DECIDED:
        return ""
    if view.draw:
        text = _("Draw")
    elif len(view.seats) == 2 and view.winner:
        text = _("%(player)s wins") % {"player": view.winner.pseudonym}
    else:
        text = ", ".join(f"{place}. {seat.pseudonym}" for place, seat in enumerate(view.ranking, start=1))
    return _decorate(text, view.scores, view.outcome)


def change_text(description: dict[str, Any] | None, names: dict[int, str]) -> str:
    """An audited result (`results._describe`: player ids) in one line, or «—» for none."""
    if not description or not description.get("ranking"):
        return "—"
    result = description.get("result") or {}
    ranking = [names.get(pid, "?") for pid in description["ranking"]]
    if result.get("draw"):
        text = _("Draw")
    elif len(ranking) == 2:
        text = _("%(player)s wins") % {"player": ranking[0]}
    else:
        text = ", ".join(f"{place}. {name}" for place, name in enumerate(ranking, start=1))
    return _decorate(text, result.get("scores"), result.get("outcome", "played"))


def reported_text(report: ReportView) -> str:
    """What a player reported, in one line."""
    if report.draw:
        text = _("Draw")
    elif report.winner is not None:
        text = _("%(player)s wins") % {"player": report.winner.pseudonym}
    elif report.races:
        text = " / ".join(
            _("Race %(number)s: %(order)s") % {"number": n, "order": ", ".join(s.pseudonym for s in race)}
            for n, race in enumerate(report.races, start=1)
        )
    else:
        text = ""
    return _decorate(text, None, report.outcome)


TEMPLATE_HELPERS = {
    "format_label": lambda key: label(FORMAT_LABELS, key),
    "status_label": lambda key: label(STATUS_LABELS, key),
    "outcome_label": lambda key: label(OUTCOME_LABELS, key),
    "kind_label": lambda key: label(MATCH_KIND_LABELS, key),
    "grand_final_label": lambda key: label(GRAND_FINAL_LABELS, key),
    "age_label": age_label,
    "match_title": match_title,
    "result_text": result_text,
    "reported_text": reported_text,
    "call_line": call_line,
}
"""Label and wording functions every tournament template receives."""


def page(template: str, context: dict[str, Any], *, status_code: int = 200, headers: dict[str, str] | None = None) -> Template:
    """A tournament page: the template with the shared label helpers."""
    return Template(f"tournament/{template}", context={**TEMPLATE_HELPERS, **context}, status_code=status_code,
                    headers=headers)
