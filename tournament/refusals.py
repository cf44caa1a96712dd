"""The one family of the domain's refusals: a code the web layer words, the fields it concerns, the
status it answers with, and the parameters a client may need (the current version, the matches a
correction cancels…).

Each domain subclasses `Refusal` with its `domain` name, under which its codes are worded (two
domains may give one code different words), and with the codes that are conflicts or missing
records rather than bad input. A refusal naming a field is bad input (422) unless said otherwise.
"""

from collections.abc import Mapping
from enum import IntEnum
from typing import Any, ClassVar


class Status(IntEnum):
    """What kind of refusal it is, as the HTTP status it answers with."""

    INVALID = 422
    """Bad input: a field to fix."""
    CONFLICT = 409
    """The current state does not allow it (closed, full, changed meanwhile)."""
    FORBIDDEN = 403
    NOT_FOUND = 404


COMMON_STATUSES: Mapping[str, Status] = {"forbidden": Status.FORBIDDEN, "not_found": Status.NOT_FOUND}


class Refusal(ValueError):
    """A refused action: ``code`` is worded by the web layer under ``domain``; ``errors`` maps each bad
    field to its code; ``params`` carries what the client needs to act on it."""

    domain: ClassVar[str] = "common"
    statuses: ClassVar[Mapping[str, Status]] = {}
    """This domain's codes that are not bad input (conflicts, missing records, forbidden actions)."""

    def __init__(self, code: str, field: str = "", errors: dict[str, str] | None = None, *,
                 status: Status | None = None, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.errors = dict(errors) if errors else ({field: code} if field else {})
        self.params = params
        self.status = status or self.status_of(code)

    @classmethod
    def status_of(cls, code: str) -> Status:
        return cls.statuses.get(code) or COMMON_STATUSES.get(code, Status.INVALID)

    @property
    def details(self) -> dict[str, Any]:
        """The parameters (the name the tournament services have always used)."""
        return self.params

    @classmethod
    def about_fields(cls, errors: dict[str, str]):
        """One refusal for several bad fields (the first one gives the code)."""
        field, code = next(iter(errors.items()))
        return cls(code, field, errors)
