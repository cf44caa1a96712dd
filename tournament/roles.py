"""The roles of password accounts; kept apart so policies can name them without importing accounts."""

from enum import StrEnum


class Role(StrEnum):
    MDE = "mde"
    LIBRARIAN = "librarian"
    REFEREE = "referee"
