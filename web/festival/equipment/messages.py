"""French wording of the equipment loans: the error codes of `tournament.festival.equipment`, and the labels
of kinds, conditions and loan statuses."""

from tournament.festival.equipment import LoanView
from web.i18n import N_, _
from web.messages import word

word("festival", {
    "equipment_unavailable": N_("Some of this equipment is already booked on those days."),
    "item_still_out": N_("%(item)s is still at %(place)s (loan n° %(loan)s, due back on %(due)s): it can be lent "
                         "again once it is returned."),
    "item_still_out_final": N_("%(item)s is still out for the tournament final (loan n° %(loan)s, due back on %(due)s): "
                               "it can be lent again once it is returned."),
    "items_required": N_("Choose at least one item or kit."),
    "unknown_item": N_("This item does not exist."),
    "item_not_lendable": N_("An item is retired or out of service."),
    "unknown_kit": N_("This kit does not exist."),
    "kit_exists": N_("A kit already has this name."),
    "label_taken": N_("Another item already has this label."),
    "loan_too_long": N_("A loan lasts at most 60 days."),
    "range_too_long": N_("Show at most 62 days at once."),
    "date_in_past": N_("This day is already over: choose today or a later day."),
    "unknown_loan": N_("This loan does not exist."),
    "loan_not_requested": N_("This loan has already been decided."),
    "loan_not_cancellable": N_("This loan can no longer be cancelled."),
    "loan_not_approved": N_("Only an approved loan can be handed over."),
    "loan_not_checked_out": N_("This loan has not been handed over."),
    "item_already_returned": N_("This item is already back."),
})

KIND_LABELS = {"console": N_("Console"), "robot": N_("Robot"), "tablet": N_("Tablet"), "vr_headset": N_("VR headset"),
               "other": N_("Other")}
CONDITION_LABELS = {
    "good": N_("Good"), "worn": N_("Worn"), "damaged": N_("Damaged"), "out_of_service": N_("Out of service"),
}
STATUS_LABELS = {"requested": N_("Requested"), "approved": N_("Approved"), "refused": N_("Refused"),
                 "cancelled": N_("Cancelled"), "checked_out": N_("Handed over"), "returned": N_("Returned")}


class EquipmentLabels:
    """Translated labels for the equipment templates."""

    @staticmethod
    def _get(table: dict[str, str], key: str | None) -> str:
        return _(table[key]) if key in table else (key or "")

    def kind(self, key: str | None) -> str:
        return self._get(KIND_LABELS, key)

    def condition(self, key: str | None) -> str:
        return self._get(CONDITION_LABELS, key)

    def status(self, key: str | None) -> str:
        return self._get(STATUS_LABELS, key)

    def kinds(self) -> list[tuple[str, str]]:
        return [(key, _(text)) for key, text in KIND_LABELS.items()]

    def conditions(self) -> list[tuple[str, str]]:
        return [(key, _(text)) for key, text in CONDITION_LABELS.items()]

    def loan_for(self, view: LoanView) -> str:
        return view.library.name if view.library else _("The tournament final")


LABELS = EquipmentLabels()
