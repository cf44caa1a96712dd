"""Accounts: logging in and out, the first-run set-up, "Mon compte", and account administration by MDE staff."""

from web.accounts import admin, links, login

ROUTERS = [*login.ROUTERS, *links.ROUTERS, *admin.ROUTERS]
