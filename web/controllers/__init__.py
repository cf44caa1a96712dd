"""Every route of the web application, grouped by domain and audience."""

from web.boards import pages as boards
from web.controllers import accounts, health, home
from web.controllers import account_admin, libraries, players, screens

ROUTES = [*home.ROUTES, *health.ROUTES, *accounts.ROUTES, *boards.ROUTES]
ROUTES += [*account_admin.ROUTES, *libraries.ROUTES, *players.ROUTES, *screens.ROUTES]
from web.controllers import festival_editions, festival_fiches, festival_proday, festival_programme  # noqa: E402
ROUTES += [*festival_editions.ROUTES, *festival_fiches.ROUTES, *festival_programme.ROUTES, *festival_proday.ROUTES]
from web import tournament  # noqa: E402
ROUTES += [*tournament.ROUTERS]
from web.controllers import festival_allocation  # noqa: E402
ROUTES += [*festival_allocation.ROUTES]
from web.controllers import festival_equipment  # noqa: E402
ROUTES += [*festival_equipment.ROUTES]
