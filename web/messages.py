"""The French (translated) wording of domain error codes raised by `tournament` services."""

from web.i18n import N_, _

MESSAGES = {
    "required": N_("This field is required."),
    "invalid_email": N_("Enter a valid e-mail address."),
    "password_too_short": N_("The password must have at least 10 characters."),
    "passwords_differ": N_("The two passwords differ."),
    "email_taken": N_("An account already uses this e-mail address."),
    "librarian_needs_library": N_("A librarian account must be linked to a library."),
    "bad_credentials": N_("Wrong e-mail or password, or the account is disabled."),
    "setup_done": N_("The site is already set up: log in instead."),
    "unknown_library": N_("This library does not exist."),
    "invalid_role": N_("Choose a role from the list."),
}


def message(code: str) -> str:
    """The user-facing text for an error code (the code itself when unknown, never a traceback)."""
    return _(MESSAGES[code]) if code in MESSAGES else code

ROLE_LABELS = {
    "mde": N_("MDE staff"),
    "librarian": N_("Librarian"),
    "referee": N_("Referee"),
}


def role_label(role: str | None) -> str:
    return _(ROLE_LABELS[role]) if role in ROLE_LABELS else ""

AGE_LABELS = {
    "u11": N_("Under 11"),
    "11-14": N_("11 to 14"),
    "15-17": N_("15 to 17"),
    "adult": N_("18 and over"),
}


def age_label(category: str | None) -> str:
    return _(AGE_LABELS[category]) if category in AGE_LABELS else ""
