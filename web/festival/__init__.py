"""The festival: editions and registrations, CSV imports, fiches-animation, the programme, the professional day,
equipment loans (`equipment/`), ready-made animations and funding (`allocation/`), and staff exports (`exports.py`)."""

from web.festival import allocation, editions, equipment, exports, fiches, imports, proday, programme

ROUTERS = [
    *editions.ROUTERS, *imports.ROUTERS, *fiches.ROUTERS, *programme.ROUTERS, *proday.ROUTERS, *equipment.ROUTERS,
    *allocation.ROUTERS, *exports.ROUTERS,
]
