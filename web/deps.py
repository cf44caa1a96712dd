"""Dependency annotations for handlers: `db: DB` receives the app's `Database`."""

from litestar.di import NamedDependency

from tournament.config import Settings
from tournament.db import Database

DB = NamedDependency[Database]
Config = NamedDependency[Settings]
