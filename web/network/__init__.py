"""The network: its libraries (contact details, librarians) and their players (enrolment, private links)."""

from web.network import libraries, players

ROUTERS = [*libraries.ROUTERS, *players.ROUTERS]
