"""Bounds of every stored value, checked once where it reaches the database, the same on SQLite and PostgreSQL.

SQLite stores any text in a ``VARCHAR(120)`` and any integer up to 2^63; PostgreSQL refuses longer text,
a NUL byte, and integers past 2^31 in an ``INTEGER`` column with a server error. `check_flush` runs before
every flush (any session, pages and API alike), `check_values` on each row a Core statement writes (import
runs' batches), and they refuse, as bad input naming the field:

- text longer than its column (``too_long``, with ``max``);
- a NUL or other control character (tab and line breaks stay allowed) (``control_char``);
- an integer outside its column's range (``out_of_range``).
"""

import re
from typing import Any

from sqlalchemy import BigInteger, Integer, String, Table, event, inspect
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


def column_problem(column: Any, value: Any) -> str | None:
    """Why ``value`` cannot be stored in ``column`` (an error code), or None."""
    if value is None or isinstance(value, bool):
        return None
    kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type  # SQLModel's AutoString
    if isinstance(value, str) and isinstance(kind, String):
        found = text_problem(value, getattr(column.type, "length", None))
        return found[0] if found else None
    if isinstance(value, int) and isinstance(kind, Integer):
        limit = MAX_BIGINT if isinstance(kind, BigInteger) else MAX_INT
        if not -limit - 1 <= value <= limit:
            return "out_of_range"
    return None


def _problems(obj: Any) -> dict[str, str]:
    errors: dict[str, str] = {}
    mapper = inspect(obj).mapper
    for attr in mapper.column_attrs:
        if len(attr.columns) != 1:
            continue
        problem = column_problem(attr.columns[0], getattr(obj, attr.key, None))
        if problem:
            errors[attr.key] = problem
    return errors


_ROW_BOUNDS: dict[Table, dict[str, tuple[str, int | None]]] = {}


def _row_bounds(table: Table) -> dict[str, tuple[str, int | None]]:
    """Per column of ``table``: ("text", its length or None) or ("int", its limit), as `column_problem` reads
    them (worked out once per table: an import run checks every row)."""
    bounds = _ROW_BOUNDS.get(table)
    if bounds is None:
        bounds = {}
        for column in table.c:
            kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
            if isinstance(kind, String):
                bounds[column.name] = ("text", getattr(column.type, "length", None))
            elif isinstance(kind, Integer):
                bounds[column.name] = ("int", MAX_BIGINT if isinstance(kind, BigInteger) else MAX_INT)
        _ROW_BOUNDS[table] = bounds
    return bounds


def check_values(table: Table, values: dict[str, Any]) -> None:
    """The same check for a row written with a Core statement (no ORM object, no flush): refuses it as bad
    input naming the field (`InputError`)."""
    bounds = _row_bounds(table)
    errors = {}
    for key, value in values.items():
        kind, limit = bounds.get(key, ("", None))
        if value is None or isinstance(value, bool):
            continue
        if kind == "text" and isinstance(value, str):
            found = text_problem(value, limit)
            if found:
                errors[key] = found[0]
        elif kind == "int" and isinstance(value, int) and not -limit - 1 <= value <= limit:
            errors[key] = "out_of_range"
    if errors:
        raise InputError.about_fields(errors)


@event.listens_for(Session, "before_flush")
def check_flush(session: Session, _context, _instances) -> None:
    for obj in list(session.new) + list(session.dirty):
        errors = _problems(obj)
        if errors:
            raise InputError.about_fields(errors)
