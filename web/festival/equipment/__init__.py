"""Equipment loans: the inventory of items and kits (`inventory`), and the calendar, booking and loans (`loans`)."""

from web.festival.equipment import inventory, loans

ROUTERS = [*inventory.ROUTERS, *loans.ROUTERS]
