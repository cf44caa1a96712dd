"""The French (translated) wording of the refusals `tournament` services raise, by (domain, code).

Each domain (`Refusal.domain`) registers its words with `word`; a code a domain does not word is
looked up among the common words. Two domains may word one code differently (a qualifier session
closed, a professional-day session closed).
"""

from collections.abc import Callable, Mapping
from typing import Any

from tournament.refusals import Refusal
from web.i18n import N_, _

COMMON = {
    "required": N_("This field is required."),
    "invalid_email": N_("Enter a valid e-mail address."),
    "password_too_short": N_("The password must have at least 10 characters."),
    "passwords_differ": N_("The two passwords differ."),
    "wrong_current_password": N_("This is not your current password: type the one you log in with today."),
    "email_taken": N_("An account already uses this e-mail address."),
    "librarian_needs_library": N_("A librarian account must be linked to a library."),
    "bad_credentials": N_("Wrong e-mail or password, or the account is disabled."),
    "setup_done": N_("The site is already set up: log in instead."),
    "unknown_library": N_("This library does not exist."),
    "invalid_role": N_("Choose a role from the list."),
    "forbidden": N_("You are not allowed to do this."),
    "not_found": N_("This page does not exist."),
    "invalid_choice": N_("Choose a value from the list."),
    "invalid_number": N_("Enter a whole number."),
    "invalid_datetime": N_("Enter a date and a time."),
    "end_before_start": N_("The end must come after the start."),
    "too_long": N_("This text is too long."),
    "control_char": N_("This text contains a control character (such as a NUL byte): remove it."),
    "out_of_range": N_("This number is out of range."),
    "nonexistent_local_time": N_("This time does not exist in France that day (clocks go forward): choose another."),
    "ambiguous_local_time": N_("This time happens twice in France that day (clocks go back): add +02:00 for the first one (summer time) or +01:00 for the second (winter time)."),
}

WORDING: dict[str, dict[str, str]] = {"common": COMMON}
"""Domain -> code -> message id (translated when shown)."""

def word(domain: str, messages: dict[str, str]) -> None:
    """Register the words of a domain's codes."""
    WORDING.setdefault(domain, {}).update(messages)


PageLink = Callable[[Mapping[str, Any]], str | None]
PAGE_LINKS: dict[tuple[str, str], tuple[PageLink, str]] = {}
"""(domain, code) -> (the address of the page its words name, made from the refusal's parameters; the link's
message id): a refusal that sends the reader to a page links to it."""


def page_link(domain: str, code: str, href: PageLink, label: str) -> None:
    """Register the page a code's words name (the error page shows a link to it)."""
    PAGE_LINKS[(domain, code)] = (href, label)


def refusal_link(exc: Refusal) -> tuple[str, str] | None:
    """(address, translated words) of the page a refusal's words name, or None."""
    found = PAGE_LINKS.get((exc.domain, exc.code))
    if found is None:
        return None
    href = found[0](exc.params)
    return (href, _(found[1])) if href else None


def wording(domain: str, code: str) -> str | None:
    """The message id of `code` in `domain` (or among the common words), if any."""
    return WORDING.get(domain, {}).get(code) or COMMON.get(code)


def message(code: str, domain: str | None = None) -> str:
    """The user-facing text for an error code in a domain (the code itself when unknown, never a traceback).

    Without a domain, the common words first, then any domain's.
    """
    if domain is not None:
        found = wording(domain, code)
    else:
        found = COMMON.get(code) or next((words[code] for words in WORDING.values() if code in words), None)
    return _(found) if found else code


def refusal_text(exc: Refusal, code: str | None = None) -> str:
    """A refusal's words in its own domain (or those of another of its codes, e.g. a field's), with the
    refusal's parameters filled in where the words name them (``%(item)s``)."""
    text = message(code or exc.code, exc.domain)
    if exc.params and "%(" in text:
        try:
            return text % exc.params
        except (KeyError, TypeError, ValueError):
            return text
    return text

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
