"""The festival: editions and registrations, CSV imports, fiches-animation, the programme, the professional day,
equipment loans (`equipment/`), and ready-made animations and funding (`allocation/`)."""

from web.festival import allocation, editions, equipment, fiches, imports, proday, programme

ROUTERS = [
    *editions.ROUTERS, *imports.ROUTERS, *fiches.ROUTERS, *programme.ROUTERS, *proday.ROUTERS, *equipment.ROUTERS,
    *allocation.ROUTERS,
]
