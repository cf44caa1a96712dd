"""Imports every table module so that `metadata` is complete (Alembic, tests)."""

from tournament import account_links, accounts, audit, libraries, outbox, players, screens  # noqa: F401
from tournament import notification_preferences  # noqa: F401
from tournament import board, qualifiers, reports, results, stages, stations, tournaments  # noqa: F401
from tournament.db import metadata
from tournament.festival import editions, fiches, imports, participation, proday, registrations  # noqa: F401
from tournament.festival import allocation_runs, animation_requests, catalogue, equipment, funding  # noqa: F401

__all__ = ["metadata"]
