"""The tournament's pages and API: set-up, qualifier desks, results, the final, a player's own space."""

from web.tournament import finals, player, qualifiers, results, setup

ROUTERS = [setup.ROUTER, qualifiers.ROUTER, results.ROUTER, finals.ROUTER, player.ROUTER]
