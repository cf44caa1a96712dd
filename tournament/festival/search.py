"""Searching the programme: one set of filters read by the pages and every export, ignoring case and accents.

Matching is done in Python on the edition's published entries (a few hundred), so it behaves the same on SQLite
and PostgreSQL and folds accents the same way everywhere (``fold``).
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tournament.festival.programme import ProgrammeEntry

TODAY = "aujourdhui"
WEEKEND = "weekend"
PERIODS = (TODAY, WEEKEND)
QUERY_LIMIT = 200


def fold(text: str) -> str:
    """Lower case without accents or surrounding spaces: « Évreux » and « EVREUX » both give « evreux »."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).replace("’", "'").split())


@dataclass(frozen=True)
class ProgrammeFilters:
    """What a visitor asked for; None or empty means "any"."""

    text: str = ""
    day: date | None = None
    period: str | None = None
    """``aujourdhui`` or ``weekend``, counted from the day the page is asked."""
    commune: str | None = None
    category: str | None = None
    age: int | None = None
    """Events that welcome a person of this age."""
    free: bool = False
    booking: bool | None = None
    """True: booking required only; False: without booking only."""
    accessible: bool = False
    library_id: int | None = None

    @property
    def active(self) -> bool:
        return self != replace(ProgrammeFilters(), library_id=self.library_id)

    def days(self, today: date) -> tuple[date, date] | None:
        """The first and last Paris day asked for, or None for the whole edition."""
        if self.day is not None:
            return self.day, self.day
        if self.period == TODAY:
            return today, today
        if self.period == WEEKEND:
            if today.weekday() == 6:
                return today, today
            saturday = today + timedelta(days=(5 - today.weekday()) % 7)
            return saturday, saturday + timedelta(days=1)
        return None


def _text_of(entry: "ProgrammeEntry") -> str:
    fiche = entry.fiche
    return fold(" ".join((fiche.title, fiche.summary, fiche.description, fiche.audience, entry.library.name,
                          fiche.place_name, fiche.place_commune)))


def matcher(filters: ProgrammeFilters, *, today: date, category_label=lambda code: code):
    """A test that an entry passes every filter. Words of the text must all appear, in any order."""
    words = fold(filters.text).split()
    commune = fold(filters.commune) if filters.commune else None
    category = fold(filters.category) if filters.category else None
    span = filters.days(today)

    def passes(entry: "ProgrammeEntry") -> bool:
        fiche = entry.fiche
        return not (
            (span and not span[0] <= entry.day <= span[1])
            or (commune and fold(fiche.place_commune) != commune)
            or (category and category not in (fold(fiche.category), fold(category_label(fiche.category))))
            or (filters.age is not None and not (
                (fiche.age_min or 0) <= filters.age <= (fiche.age_max if fiche.age_max is not None else 200)))
            or (filters.free and not fiche.is_free)
            or (filters.booking is not None and fiche.booking_required != filters.booking)
            or (filters.accessible and not fiche.accessibility.strip())
            or (filters.library_id is not None and fiche.library_id != filters.library_id)
            or (words and not all(word in _text_of(entry) for word in words))
        )
    return passes


def select_entries(entries: Iterable["ProgrammeEntry"], filters: ProgrammeFilters, *, today: date,
                   category_label=lambda code: code) -> list["ProgrammeEntry"]:
    """The entries that pass every filter, in their order."""
    passes = matcher(filters, today=today, category_label=category_label)
    return [entry for entry in entries if passes(entry)]
