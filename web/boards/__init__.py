"""Live boards: the websocket fan-out (`hub`), its server (`server.Boards`), the board pages (`pages`), and the
kiosk screens that show them (`screens`)."""

from litestar import Router

from web.boards import pages, screens
from web.boards.server import Boards

ROUTERS = [Router(path="/", route_handlers=pages.ROUTES), *screens.ROUTERS]

__all__ = ["Boards", "ROUTERS"]
