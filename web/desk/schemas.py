"""API shapes of the desk homes."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class LoanCountsOut:
    requested: int
    out: int
    overdue: int


@dataclass(frozen=True)
class TournamentLineOut:
    id: int
    name: str
    status: str
    edition_year: int


@dataclass(frozen=True)
class StaffHomeOut:
    edition_year: int | None
    registration_deadline: date | None
    fiche_deadline: date | None
    registrations: int
    fiches: dict[str, int]
    fiches_to_review: int
    requests: int
    allocation_runs: int
    loans: LoanCountsOut
    tournaments: list[TournamentLineOut]


@dataclass(frozen=True)
class LibraryHomeOut:
    library_id: int
    edition_year: int | None
    registered: bool
    fiches: dict[str, int]
    requests: int
    loans: LoanCountsOut
    qualifier_sessions: int
    tournaments: list[TournamentLineOut]
    players: int
