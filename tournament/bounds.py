"""Bounds of every stored value, checked once where it reaches the database, the same on SQLite and PostgreSQL.

SQLite stores any text in a ``VARCHAR(120)`` and any integer up to 2^63; PostgreSQL refuses longer text,
a NUL byte, and integers past 2^31 in an ``INTEGER`` column with a server error. `check_flush` runs before
every flush (any session, pages and API alike) and refuses, as bad input naming the field:

- text longer than its column (``too_long``, with ``max``);
- a NUL or other control character (tab and line breaks stay allowed) (``control_char``);
- an integer outside its column's range (``out_of_range``).
"""

import re
from typing import Any

from sqlalchemy import BigInteger, Integer, String, event, inspect
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from tournament.refusals import Refusal

MAX_INT = 2**31 - 1
"""The range of an ``INTEGER`` column on PostgreSQL (the common bound of both databases)."""
MAX_BIGINT = 2**63 - 1

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Characters no text field takes: NUL and the other C0 controls except tab, LF and CR; DEL."""


class InputError(Refusal):
    domain = "input"


def text_problem(value: str, max_length: int | None = None) -> tuple[str, dict[str, Any]] | None:
    """Why a text cannot be stored (``(code, params)``), or None. Also the rule forms check before writing."""
    if CONTROL.search(value):
        return "control_char", {}
    if max_length is not None and len(value) > max_length:
        return "too_long", {"max": max_length}
    return None


def _problems(obj: Any) -> dict[str, str]:
    errors: dict[str, str] = {}
    mapper = inspect(obj).mapper
    for attr in mapper.column_attrs:
        if len(attr.columns) != 1:
            continue
        column = attr.columns[0]
        value = getattr(obj, attr.key, None)
        if value is None or isinstance(value, bool):
            continue
        kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type  # SQLModel's AutoString
        if isinstance(value, str) and isinstance(kind, String):
            found = text_problem(value, getattr(column.type, "length", None))
            if found:
                errors[attr.key] = found[0]
        elif isinstance(value, int) and isinstance(kind, Integer):
            limit = MAX_BIGINT if isinstance(kind, BigInteger) else MAX_INT
            if not -limit - 1 <= value <= limit:
                errors[attr.key] = "out_of_range"
    return errors


@event.listens_for(Session, "before_flush")
def check_flush(session: Session, _context, _instances) -> None:
    for obj in list(session.new) + list(session.dirty):
        errors = _problems(obj)
        if errors:
            raise InputError.about_fields(errors)
