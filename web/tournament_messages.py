"""The French wording of `TournamentError` codes, and the labels of the tournament's choices."""

from web.i18n import N_, _
from web.messages import message as _message
from web.messages import word

word(
    "tournament",
    {
        "heat_size_range": N_("A heat has 2 to 12 players."),
        "ambiguous_local_time": N_("This time happens twice in France that day (clocks go back): choose below which one you mean."),
        "races_range": N_("A heat has 1 to 12 races."),
        "finalists_range": N_("The final takes 2 to 256 players."),
        "quota_range": N_("The quota is between 0 and the number of finalists."),
        "final_before_qualifiers_end": N_("The final must come after the last qualifier."),
        "ffa_needs_heats": N_("Free-for-all heats need a game played in heats."),
        "not_in_setup": N_("This tournament is no longer in set-up: its rules are frozen."),
        "not_a_setup_field": N_("This setting cannot be changed."),
        "format_in_use": N_("A scheduled session uses this format: it must stay allowed."),
        "tournament_closed": N_("This tournament no longer takes new libraries."),
        "library_not_in_tournament": N_("This library has not joined the tournament."),
        "format_not_allowed": N_("This format is not allowed for this tournament's qualifiers."),
        "outside_qualifying_window": N_("The qualifier must take place while the qualifiers are open."),
        "capacity_range": N_("A session takes 2 to 256 players."),
        "player_not_of_library": N_("This player is not enrolled at this library."),
        "age_category_not_allowed": N_("This player's age group does not take part in this tournament."),
        "session_closed": N_("This qualifier session is closed."),
        "session_full": N_("This qualifier session is full."),
        "pseudonyms_unknown": N_("These lines match none of the library's players: %(lines)s. Correct or remove them and send the list again: nobody was enrolled."),
        "pseudonyms_ambiguous": N_("These lines match several players once accents are ignored: %(lines)s. Write the pseudonym exactly, accents included: nobody was enrolled."),
        "players_unknown": N_("A ticked player is no longer one of the library's players: reload the page and tick again. Nobody was enrolled."),
        "age_group_refused": N_("These players' age group does not take part in this tournament: %(players)s. Remove them from the list: nobody was enrolled."),
        "session_full_for": N_("Only %(free)s places are left for %(asked)s players: untick some or raise the capacity. Nobody was enrolled."),
        "nobody_to_enrol": N_("Tick players or paste their pseudonyms, one a line."),
        "too_many_lines": N_("A list takes at most %(limit)s players: send it in several goes."),
        "not_pending": N_("This request has already been answered."),
        "session_started": N_("This qualifier has already started."),
        "not_enrolled": N_("This player is not enrolled in the session."),
        "not_checked_in": N_("This player is not checked in: there is no presence to cancel."),
        "session_not_running": N_("This qualifier is not running."),
        "matches_left": N_("Some matches are still to be played."),
        "not_enough_players": N_("At least 2 players must be checked in."),
        "bracket_refused": N_("This format cannot be played with these players and settings."),
        "idempotency_key_required": N_("This form has expired: reload the page and try again."),
        "idempotency_key_reused": N_("This submission was already used for another result: reload the page."),
        "stale_version": N_("Someone entered a result for this match in the meantime. Here is the current state: check it before changing anything."),
        "confirmation_required": N_("This correction cancels the results of later matches. Confirm to go on: those matches will be played again."),
        "illegal_result": N_("This result does not fit the match."),
        "not_a_forfeit": N_("This match was not lost by forfeit: there is no forfeit to undo. Correct its result instead."),
        "forfeit_undo_too_late": N_("Too late to undo this forfeit: match %(numbers)s of these players already has a result or has started. Correct the result instead: what the correction cancels is shown before anything changes."),
        "stage_closed": N_("This stage is over: its results can no longer change."),
        "player_not_in_stage": N_("This player does not play in this match."),
        "referees_only_at_final": N_("At the final, only referees enter results."),
        "match_not_playable": N_("This match cannot be played now."),
        "report_pending": N_("A result is already waiting for confirmation for this match."),
        "report_not_pending": N_("This report has already been answered."),
        "stations_range": N_("Add 1 to 64 stations at a time."),
        "not_a_finalist": N_("This player is not a finalist."),
        "final_already_seeded": N_("The final is already drawn."),
        "qualifiers_not_open": N_("The qualifiers are not open yet: MDE staff open them once the set-up is done."),
        "qualifiers_running": N_("A qualifier is still running: close it before drawing the final."),
        "final_not_seeded": N_("The final is not drawn yet."),
        "no_qualifiers_closed": N_("No qualifier is closed yet: there is nobody to choose from."),
        "winner_required": N_("Choose the winner."),
        "race_incomplete": N_("Give every player a place in each race."),
        "race_duplicate": N_("Two players cannot share a place in a race."),
        "invalid_score": N_("Enter the scores as numbers."),
        "invalid_outcome": N_("Choose how the match ended from the list."),
    }
)



def message(code: str) -> str:
    """A tournament code's words (a code the tournament shares with another domain keeps its own)."""
    return _message(code, "tournament")


OUTCOME_LABELS = {
    "played": N_("Played"),
    "forfeit": N_("Forfeit"),
    "no_show": N_("Did not show up"),
    "disqualification": N_("Disqualification"),
    "bye": N_("Bye"),
}

FORMAT_LABELS = {
    "single_elimination": N_("Single elimination"),
    "double_elimination": N_("Double elimination"),
    "round_robin": N_("Round robin"),
    "swiss": N_("Swiss rounds"),
    "ffa": N_("Free-for-all heats"),
}

STATUS_LABELS = {
    "setup": N_("In set-up"),
    "qualifying": N_("Qualifiers"),
    "final": N_("Final"),
    "finished": N_("Finished"),
    "scheduled": N_("Scheduled"),
    "running": N_("Running"),
    "closed": N_("Closed"),
    "pending": N_("Waiting for approval"),
    "enrolled": N_("Enrolled"),
    "checked_in": N_("Present"),
    "withdrawn": N_("Withdrawn"),
    "refused": N_("Refused"),
    "qualified": N_("Qualified"),
    "reserve": N_("Reserve"),
    "absent": N_("Absent"),
    "present": N_("Present"),
    "confirmed": N_("Confirmed"),
    "disputed": N_("Disputed"),
    "resolved": N_("Settled"),
    "waiting": N_("Waiting for players"),
    "playable": N_("To play"),
    "decided": N_("Played"),
}

MATCH_KIND_LABELS = {"duel": N_("Duels (1 against 1)"), "heat": N_("Heats (free-for-all races)")}

GRAND_FINAL_LABELS = {
    "none": N_("No grand final (both bracket winners finish)"),
    "single": N_("One grand final"),
    "reset": N_("Grand final with a reset"),
}

ACTION_LABELS = {
    "result.record": N_("Result entered"),
    "result.correct": N_("Result corrected"),
    "result.undo_forfeit": N_("Forfeit undone"),
    "report.create": N_("Result reported by a player"),
    "report.confirm": N_("Report confirmed"),
    "report.dispute": N_("Report disputed"),
}


def label(table: dict[str, str], key: str | None) -> str:
    """The French label of `key` in one of the tables above (the key itself when unknown)."""
    return _(table[key]) if key in table else (key or "")
