"""Checking a format's options when an event is created, so that a typo fails at once, not on the day.

Each format lists its options with their defaults. `complete` refuses a name that is not in the
list and fills in the others, so the options stored on the event are always the complete set; the
checks below give every format the same plain messages.
"""

from typing import Any

from .model import BracketError


def complete(options: dict[str, Any], defaults: dict[str, Any], format: str) -> dict[str, Any]:
    """``options`` completed with ``defaults``; a name ``defaults`` lacks is refused, naming the known ones."""
    unknown = sorted(set(options) - set(defaults))
    if unknown:
        raise BracketError(f"Unknown option for {format}: {unknown[0]!r}; known: {', '.join(defaults)}.")
    return {**defaults, **options}


def check_flags(options: dict[str, Any], *names: str) -> None:
    """Refuse any of these options that is not ``true`` or ``false``."""
    for name in names:
        if not isinstance(options[name], bool):
            raise BracketError(f"{name} must be true or false, not {options[name]!r}.")


def is_whole(value: Any) -> bool:
    """True for a whole number; JSON ``true`` and ``false`` are not numbers here, though Python says so."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """True for a whole or decimal number (not ``true`` or ``false``)."""
    return isinstance(value, int | float) and not isinstance(value, bool)
