"""The desk homes: the first page of MDE staff, of a librarian and of a referee."""

from web.desk import homes

ROUTERS = [*homes.ROUTERS]
