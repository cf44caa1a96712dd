"""What the API shapes share: filling one from a domain object without copying it field by field."""

from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")


def shaped(cls: type[T], source: Any, **values: Any) -> T:
    """An API dataclass filled from `source`: each field not given in `values` is read from the
    attribute of `source` with the same name."""
    names = [f.name for f in fields(cls) if f.name not in values]  # type: ignore[arg-type]
    return cls(**{name: getattr(source, name) for name in names}, **values)
