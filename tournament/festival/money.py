"""Amounts of money: whole euro cents in the database, French writing in forms (``1 234,50``)."""

import re

_AMOUNT = re.compile(r"(\d{1,9})(?:[.,](\d{1,2}))?")


def parse_euros(text: str) -> int | None:
    """Cents for ``1234``, ``1 234,5``, ``1234.50 €``; None when it is not a positive-or-zero amount."""
    cleaned = re.sub(r"[\s\u00a0\u202f€]", "", text or "")
    match = _AMOUNT.fullmatch(cleaned)
    if not match:
        return None
    euros, cents = match[1], (match[2] or "0").ljust(2, "0")
    return int(euros) * 100 + int(cents)


def euros_input(cents: int | None) -> str:
    """How an amount is written back into a form field: ``1234,50``."""
    if cents is None:
        return ""
    return f"{cents // 100},{cents % 100:02d}"
