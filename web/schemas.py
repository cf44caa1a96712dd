"""What every package's API shapes (`web/*/schemas.py`) share: filling a shape from the row it shows."""

from dataclasses import fields
from typing import Any, TypeVar

Shape = TypeVar("Shape")


def from_row(shape: type[Shape], row: Any, /, **computed: Any) -> Shape:
    """The API dataclass ``shape`` with each field copied from ``row``'s attribute of the same name (a table row,
    or a domain view), except the fields given in ``computed`` (renamed, converted or derived values).

    A field that the row lacks and ``computed`` does not give is an error, so a shape cannot drift silently
    from what it shows.
    """
    copied = {f.name: getattr(row, f.name) for f in fields(shape) if f.init and f.name not in computed}
    return shape(**copied, **computed)
