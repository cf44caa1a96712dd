"""Every route of the web application, grouped by domain and audience."""

from web.controllers import accounts, health, home

ROUTES = [*home.ROUTES, *health.ROUTES, *accounts.ROUTES]
