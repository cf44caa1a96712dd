"""Every route of the web application, grouped by domain and audience."""

from web import accounts, boards, network, site

ROUTES = [*site.ROUTERS, *accounts.ROUTERS, *boards.ROUTERS, *network.ROUTERS]
from web.controllers import festival_editions, festival_fiches, festival_proday, festival_programme  # noqa: E402
ROUTES += [*festival_editions.ROUTES, *festival_fiches.ROUTES, *festival_programme.ROUTES, *festival_proday.ROUTES]
from web.controllers import finals, player_space, qualifiers, results, tournaments  # noqa: E402
ROUTES += [*tournaments.ROUTES, *qualifiers.ROUTES, *results.ROUTES, *finals.ROUTES, *player_space.ROUTES]
from web.controllers import festival_allocation  # noqa: E402
ROUTES += [*festival_allocation.ROUTES]
from web.controllers import festival_equipment  # noqa: E402
ROUTES += [*festival_equipment.ROUTES]
