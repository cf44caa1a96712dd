"""French wording of the ready-made animations and funding: the error codes of the catalogue, requests, funding
and runs, and the labels of decision reasons, run statuses, provider kinds and priority classes."""

from typing import Any

from web.i18n import N_, _
from web.messages import word

word("festival", {
    "unknown_provider": N_("This provider does not exist."),
    "provider_exists": N_("A provider already has this name."),
    "unknown_availability": N_("This availability does not exist."),
    "availability_overlaps": N_("This window overlaps another availability of the provider."),
    "unknown_animation": N_("Choose an animation from the catalogue."),
    "invalid_duration": N_("Give a duration between 15 minutes and 24 hours."),
    "invalid_amount": N_("Enter an amount in euros, such as 450 or 450,50."),
    "invalid_percent": N_("Enter a percentage between 1 and 100."),
    "requests_closed": N_("Requests are closed: the registration deadline has passed. Contact the MDE."),
    "already_requested": N_("Your library already asks for this animation."),
    "duplicate_slot": N_("This window is already in the list."),
    "invalid_slot_line": N_("Write one window per line, such as 02/04/2025 14:00-17:00."),
    "unknown_request": N_("This request does not exist."),
    "amount_above_cost": N_("The amount asked cannot exceed the cost on the quote."),
    "quote_required": N_("Upload the quote, or give its reference."),
    "quote_type": N_("Send the quote as PDF, JPEG, PNG, ODT or DOCX."),
    "quote_empty": N_("The quote file is empty."),
    "quote_too_large": N_("The quote must weigh at most 5 MB."),
    "no_quote": N_("No quote was uploaded for this request."),
    "invalid_seed": N_("The seed must be printable text of at most 200 characters."),
    "unknown_run": N_("This allocation run does not exist."),
    "run_already_done": N_("This run has already been run: freeze a new run to try again."),
    "run_not_done": N_("Run the allocation first."),
    "run_already_published": N_("This run is already published."),
    "unknown_decision": N_("This decision does not exist."),
    "override_note_required": N_("Say why the decision changes: the note is kept in the audit log."),
    "override_conflict": N_("The provider or the library is already busy at that time."),
    "override_too_short": N_("This window is shorter than the animation."),
    "override_outside_availability": N_("The provider is not available for the whole of this window."),
    "over_envelope": N_("This amount would take the grants over the envelope."),
    "search_limit": N_("The allocation is too large to compute; contact the developers."),
})

REASON_LABELS = {
    "granted": N_("Granted"),
    "no_common_slot": N_("No window fits the provider's availability"),
    "library_limit": N_("The library already has the maximum"),
    "animation_full": N_("Every session is taken"),
    "library_busy": N_("The library is busy at those times"),
    "provider_busy": N_("The provider is no longer free at those times"),
    "does_not_fit": N_("Does not fit the remaining envelope"),
    "nothing_fundable": N_("The caps leave nothing to fund"),
    "overridden": N_("Changed by the MDE"),
}
RUN_STATUS_LABELS = {
    "frozen": N_("Frozen, not run yet"), "done": N_("Run, not published"), "published": N_("Published"),
}
PROVIDER_KIND_LABELS = {"external": N_("External provider"), "mde": N_("MDE staff")}
CLASS_LABELS = {1: N_("Never took part"), 2: N_("Never received an animation nor funding"), 3: N_("Already received")}


class AllocationLabels:
    """Translated labels for the allocation templates."""

    @staticmethod
    def _get(table: dict, key: Any) -> str:
        return _(table[key]) if key in table else str(key or "")

    def reason(self, key: str) -> str:
        return self._get(REASON_LABELS, key)

    def run_status(self, key: str) -> str:
        return self._get(RUN_STATUS_LABELS, key)

    def provider_kind(self, key: str) -> str:
        return self._get(PROVIDER_KIND_LABELS, key)

    def priority_class(self, key: int) -> str:
        return self._get(CLASS_LABELS, key)

    def provider_kinds(self) -> list[tuple[str, str]]:
        return [(key, _(text)) for key, text in PROVIDER_KIND_LABELS.items()]


LABELS = AllocationLabels()
