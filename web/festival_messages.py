"""French wording of the festival's error codes, and the labels of its choices (categories, statuses…)."""

from web.i18n import N_, _
from web.messages import message as _message
from web.messages import word

word("festival", {
    "invalid": N_("Some fields need attention."),
    "invalid_date": N_("Enter a date such as 30/03/2025."),
    "invalid_time": N_("Enter a time such as 14:00."),
    "invalid_year": N_("Enter a year such as 2025."),
    "invalid_postcode": N_("A postcode has five digits."),
    "deadline_after_start": N_("The deadline must fall before the festival starts."),
    "edition_exists": N_("An edition already exists for this year."),
    "unknown_edition": N_("This edition does not exist."),
    "registration_closed": N_("Registrations are closed: the deadline has passed. Contact the MDE, who can still accept a late registration."),
    "details_required": N_("Say a little more: it helps the MDE plan."),
    "library_not_registered": N_("The library must first register for this edition."),
    "unknown_category": N_("Choose a category from the list."),
    "invalid_age": N_("Enter an age between 0 and 120."),
    "age_max_below_min": N_("The maximum age must not be below the minimum age."),
    "price_required": N_("Give the price, or tick “free”."),
    "booking_details_required": N_("Say how to book (telephone, e-mail, on site…)."),
    "invalid_capacity": N_("Enter a number of people above zero."),
    "slot_required": N_("Give at least one date and time."),
    "too_many_slots": N_("At most 12 dates per fiche."),
    "slot_outside_festival": N_("This date is outside the festival."),
    "nonexistent_local_time": N_("This time does not exist in France that day (clocks go forward): choose another."),
    "unknown_fiche": N_("This fiche does not exist."),
    "unknown_export": N_("This export does not exist."),
    "cancel_reason_required": N_("Say why the event is cancelled: the MDE reads it."),
    "fiche_locked": N_("This fiche was accepted: only the MDE can change it now. Contact them for any change."),
    "unknown_action": N_("This action does not exist."),
    "transition_not_allowed": N_("This action is not possible in the fiche's current state."),
    "comment_required": N_("Say what needs changing."),
    "fiche_deadline_passed": N_("The deadline for fiches has passed: contact the MDE."),
    "picture_too_large": N_("The picture must weigh at most 5 MB."),
    "picture_type": N_("Send a JPEG, PNG or WebP picture."),
    "import_has_errors": N_("Nothing was imported: some rows have errors. Correct the file, or choose to import only the valid rows."),
    "import_empty": N_("Nothing to import: the file has no usable row."),
    "import_run_not_found": N_("This import does not exist (or the server restarted since): send the file again."),
    "import_run_busy": N_("This import is already running or finished."),
    "import_failed": N_("The import stopped on an error: the rows written so far stay; confirm again to finish it."),
    "encoding_unsure": N_("This file is neither UTF-8 nor Windows-1252 text: save it again as CSV (UTF-8) from your spreadsheet."),
    "csv_unreadable": N_("This file cannot be read as CSV: save it again as CSV from your spreadsheet."),
    "missing_column": N_("Missing column"),
    "duplicate_in_file": N_("This row repeats an earlier row of the file."),
    "invalid_flag": N_("Write oui or non."),
    "unknown_session": N_("This session does not exist."),
    "session_closed": N_("Registrations for this session are closed."),
    "session_cancelled": N_("This session is cancelled."),
    "confirmation_expired": N_("This registration was not confirmed within 48 hours: it has been released. Register again if seats are left."),
    "already_registered": N_("This e-mail address is already registered for this session."),
    "unknown_registration": N_("This link does not match any registration."),
    "already_cancelled": N_("This registration was already cancelled."),
    "seat_changed": N_("Someone changed this in the meantime."),
})


def message(code: str) -> str:
    """A festival code's words (a code the festival shares with another domain keeps its own)."""
    return _message(code, "festival")


CATEGORY_LABELS = {
    "stop_motion": N_("Stop motion"),
    "virtual_reality": N_("Virtual reality"),
    "special_effects": N_("Special effects"),
    "robotics": N_("Robotics"),
    "3d": N_("3D"),
    "coding": N_("Coding"),
    "video_games": N_("Video games"),
    "conference": N_("Conference or debate"),
    "other": N_("Other"),
}

STATUS_LABELS = {
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "changes_requested": N_("Changes requested"),
    "accepted": N_("Accepted"),
    "published": N_("Published"),
}

ACTION_LABELS = {
    "submit": N_("Submit to the MDE"),
    "accept": N_("Accept"),
    "request_changes": N_("Request changes"),
    "publish": N_("Publish in the programme"),
    "unpublish": N_("Withdraw from the programme"),
}

HISTORY_LABELS = {
    "fiche.create": N_("Fiche created"),
    "fiche.update": N_("Edited"),
    "fiche.picture": N_("Picture changed"),
    "fiche.submit": N_("Submitted"),
    "fiche.accept": N_("Accepted"),
    "fiche.request_changes": N_("Changes requested"),
    "fiche.publish": N_("Published"),
    "fiche.unpublish": N_("Withdrawn from the programme"),
    "fiche.cancel": N_("Event cancelled"),
}

MEETING_LABELS = {"professional_day": N_("Professional day"), "launch_meeting": N_("Launch meeting")}
KIND_LABELS = {"conference": N_("Conference"), "round_table": N_("Round table"), "workshop": N_("Workshop")}
STAFF_STATUS_LABELS = {"employee": N_("Employee"), "volunteer": N_("Volunteer")}
SEAT_LABELS = {"confirmed": N_("Confirmed"), "waiting": N_("Waiting list"), "cancelled": N_("Cancelled")}

COLUMN_LABELS = {
    "name": N_("Name"), "commune": N_("Commune"), "address": N_("Address"), "postcode": N_("Postcode"),
    "email": N_("E-mail address"), "phone": N_("Telephone"), "library": N_("Library"), "year": N_("Year"),
    "took_part": N_("Took part"), "received_ready_made_animation": N_("Ready-made animation"),
    "received_funding": N_("Funding"),
}


class Labels:
    """Translated labels for templates: `labels.category("robotics")`, `labels.categories()`…"""

    @staticmethod
    def _get(table: dict[str, str], key: str | None) -> str:
        return _(table[key]) if key in table else (key or "")

    def category(self, key: str | None) -> str:
        return self._get(CATEGORY_LABELS, key)

    def status(self, key: str | None) -> str:
        return self._get(STATUS_LABELS, key)

    def action(self, key: str | None) -> str:
        return self._get(ACTION_LABELS, key)

    def history(self, key: str | None) -> str:
        return self._get(HISTORY_LABELS, key)

    def meeting(self, key: str | None) -> str:
        return self._get(MEETING_LABELS, key)

    def kind(self, key: str | None) -> str:
        return self._get(KIND_LABELS, key)

    def staff_status(self, key: str | None) -> str:
        return self._get(STAFF_STATUS_LABELS, key)

    def seat(self, key: str | None) -> str:
        return self._get(SEAT_LABELS, key)

    def column(self, key: str | None) -> str:
        return self._get(COLUMN_LABELS, key)

    @staticmethod
    def choices(table: dict[str, str]) -> list[tuple[str, str]]:
        return [(key, _(text)) for key, text in table.items()]

    def categories(self) -> list[tuple[str, str]]:
        return self.choices(CATEGORY_LABELS)

    def statuses(self) -> list[tuple[str, str]]:
        return self.choices(STATUS_LABELS)


LABELS = Labels()
