"""Imports every table module so that `metadata` is complete (Alembic, tests)."""

from tournament import accounts, audit, libraries, players, screens  # noqa: F401
from tournament.db import metadata

__all__ = ["metadata"]
