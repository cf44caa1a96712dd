"""Every route of the web application, grouped by domain and audience."""

from web import accounts, boards, festival, network, site

ROUTES = [*site.ROUTERS, *accounts.ROUTERS, *boards.ROUTERS, *network.ROUTERS, *festival.ROUTERS]
from web.controllers import finals, player_space, qualifiers, results, tournaments  # noqa: E402
ROUTES += [*tournaments.ROUTES, *qualifiers.ROUTES, *results.ROUTES, *finals.ROUTES, *player_space.ROUTES]
