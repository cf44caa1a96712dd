"""Ready-made animations and funding: the catalogue (`catalogue`), libraries' requests (`requests`) and funding
(`funding`), and the allocation runs that decide them (`runs`)."""

from web.festival.allocation import catalogue, funding, requests, runs

ROUTERS = [*catalogue.ROUTERS, *requests.ROUTERS, *funding.ROUTERS, *runs.ROUTERS]
