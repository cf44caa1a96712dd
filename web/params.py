"""Bounded request parameters: every integer that enters through a path or a query string.

One rule for every route family, the same on SQLite and PostgreSQL: an integer fits the columns it is
compared with (``INTEGER`` on PostgreSQL, 32 bits). Out of range in a *path* is a record that cannot exist,
so `web.errors.handle_http_exception` answers 404; out of range in a *query* is a 422 naming the parameter.
"""

from typing import Annotated, TypeAlias

from litestar.params import PathParameter, QueryParameter

MAX_ID = 2**31 - 1
"""The largest value of an ``INTEGER`` column on PostgreSQL (SQLite's is larger: this is the common bound)."""

PathId: TypeAlias = Annotated[int, PathParameter(ge=0, le=MAX_ID)]
"""A record id (or number) in the path; out of range → 404."""

PathYear: TypeAlias = Annotated[int, PathParameter(ge=1900, le=9999)]
"""An edition's year in the path; out of range → 404."""

QueryId: TypeAlias = Annotated[int | None, QueryParameter(ge=0, le=MAX_ID)]
"""An optional id, count or year in the query string; out of range → 422 naming it."""
