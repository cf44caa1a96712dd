"""Live boards: the websocket fan-out (`hub`), its server (`server.Boards`) and the board pages (`pages`)."""

from web.boards.server import Boards

__all__ = ["Boards"]
