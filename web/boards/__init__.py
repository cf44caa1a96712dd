"""Live boards: the websocket fan-out (`hub`), its server (`server.Boards`), the board pages (`pages`), and the
kiosk screens that show them (`screens`).

`ROUTERS` (the pages, Litestar) is imported on first use: `xpo serve` starts the boards' server (`server`,
`hub`: no Litestar, no templates) before it imports the rest of the application (issue 19, restarts)."""

from typing import Any

__all__ = ["Boards", "ROUTERS"]


def __getattr__(name: str) -> Any:
    if name == "Boards":
        from web.boards.server import Boards

        return Boards
    if name == "ROUTERS":
        from litestar import Router

        from web.boards import pages, screens

        routers = [Router(path="/", route_handlers=pages.ROUTES), *screens.ROUTERS]
        globals()["ROUTERS"] = routers
        return routers
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
