"""The tournament's pages and API: set-up, qualifier desks, results, the final, a player's own space."""

from web.tournament import finals, player, qualifiers, results, setup

ROUTERS = [*setup.ROUTERS, *qualifiers.ROUTERS, *results.ROUTERS, *finals.ROUTERS, *player.ROUTERS]
