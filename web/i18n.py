"""Translations (gettext catalogues read with Babel) and French formatting of dates and numbers.

Message ids are English; `fr` is the interface language and must be complete (a test checks it).
Catalogues are compiled in memory at start-up, so there is no build step for `.mo` files.
"""

import gettext
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALE_DIR = Path(__file__).parent / "locale"
LOCALES = ("fr", "en")
PARIS = ZoneInfo("Europe/Paris")


@cache
def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalogue for `locale` (English falls back to the message ids)."""
    po_file = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_file.exists():
        return gettext.NullTranslations()
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def babel_locale(locale: str) -> str:
    return "fr_FR" if locale == "fr" else "en_GB"


def local(moment: datetime, tz: ZoneInfo = PARIS) -> datetime:
    """An aware datetime seen from Paris (the festival straddles the switch to summer time)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: store and pass timezone-aware values")
    return moment.astimezone(tz)


def format_when(moment: datetime | str, locale: str = "fr", fmt: str = "full_short") -> str:
    """`samedi 29 mars 2025 à 14:00` in French; `fmt` is `full_short`, `date`, `time` or `short`.

    An ISO 8601 text (as kept in a server-side session) is read first."""
    loc = babel_locale(locale)
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    moment = local(moment)
    if fmt == "date":
        return format_date(moment, "EEEE d MMMM y", locale=loc)
    if fmt == "time":
        return format_time(moment, "HH:mm", locale=loc)
    if fmt == "short":
        return format_datetime(moment, "dd/MM/y HH:mm", locale=loc)
    return format_datetime(moment, "EEEE d MMMM y 'à' HH:mm" if locale == "fr" else "EEEE d MMMM y, HH:mm", locale=loc)


def format_day(day: date, locale: str = "fr") -> str:
    return format_date(day, "EEEE d MMMM y", locale=babel_locale(locale))


def format_number(value: float, locale: str = "fr") -> str:
    """`1 234,5` in French."""
    return format_decimal(value, locale=babel_locale(locale))


current_locale: ContextVar[str] = ContextVar("current_locale", default="fr")


def _(message: str) -> str:
    """Translate `message` into the current request's language."""
    return translations(current_locale.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message for the catalogue without translating it yet (translated where shown)."""
    return message
