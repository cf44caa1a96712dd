"""Accounts: logging in and out, the first-run set-up, "Mon compte", account administration and the audit log for MDE staff."""

from web.accounts import admin, journal, links, login

ROUTERS = [*login.ROUTERS, *links.ROUTERS, *admin.ROUTERS, *journal.ROUTERS]
