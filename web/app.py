"""`create_app(settings)`: the only way the web application is built (tests pass their own settings)."""

import asyncio
import gc
import logging
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import swagger_ui_bundle
from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Litestar, Request, Response
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.stores.file import FileStore
from litestar.stores.memory import MemoryStore
from litestar.template import TemplateConfig
from litestar.types import ASGIApp, Receive, Scope, Send

from tournament.config import Settings, load_settings, session_secret
from tournament.db import Database, utcnow
from tournament.festival.import_runs import ImportRuns
from tournament.localtime import PARIS
from tournament.mailer import Sender
from tournament.privacy import purge_database
from tournament.refusals import Refusal
from web import accounts, boards, desk, festival, i18n, network, notifications, site, tournament
from web.auth import session_auth
from web.boards import Boards
from web.collector import Collector
from web.boards.pages import TEST_ROUTES as BOARD_TEST_ROUTES
from web.errors import handle_http_exception, handle_internal_error, problem_of
from web.messages import role_label
from web.headers import security_headers
from web.security import csrf_middleware

WEB_DIR = Path(__file__).parent
ROUTERS = [*site.ROUTERS, *accounts.ROUTERS, *desk.ROUTERS, *boards.ROUTERS, *network.ROUTERS, *festival.ROUTERS,
           *tournament.ROUTERS, *notifications.ROUTERS]
"""Every route: each domain package's routers, by audience."""
VERSION = "0.1.0"


def _templates(settings: Settings) -> TemplateConfig:
    env = Environment(
        loader=FileSystemLoader(WEB_DIR / "templates"),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(i18n._, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["when"] = lambda moment, fmt="full_short": i18n.format_when(moment, i18n.current_locale.get(), fmt)
    env.filters["day"] = lambda day: i18n.format_day(day, i18n.current_locale.get())
    env.filters["number"] = lambda value: i18n.format_number(value, i18n.current_locale.get())
    env.globals["current_locale"] = i18n.current_locale.get
    env.globals["app_version"] = VERSION
    env.globals["role_label"] = role_label
    return TemplateConfig(engine=JinjaTemplateEngine.from_environment(env))


def _locale_middleware(default: str):
    """Sets the request's interface language first, so even early errors speak it."""

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            locale = default
            if scope["type"] in ("http", "websocket"):
                for name, value in scope.get("headers", []):
                    if name == b"cookie":
                        for part in value.decode("latin-1").split(";"):
                            key, _, val = part.strip().partition("=")
                            if key == "xpo_lang" and val in i18n.LOCALES:
                                locale = val
            token = i18n.current_locale.set(locale)
            try:
                await app(scope, receive, send)
            finally:
                i18n.current_locale.reset(token)

        return middleware

    return factory


def _stores(settings: Settings) -> dict:
    if settings.pubsub.backend == "redis":
        from litestar.stores.redis import RedisStore  # Redis's client: 50-150 ms to import, for this backend only

        redis = RedisStore.with_client(url=settings.pubsub.redis_url)
        return {"sessions": redis.with_namespace("sessions"), "rate_limit": redis.with_namespace("rate_limit")}
    return {"sessions": FileStore(settings.data_dir / "sessions", create_directories=True), "rate_limit": MemoryStore()}


PURGE_EVERY = 3600
"""Seconds between two purges of expired sessions and login counters (Redis expires its own keys)."""


async def purge_expired_stores(app: Litestar) -> int:
    """Delete expired entries of the file and memory stores (Redis expires its own keys); how many stores were
    purged."""
    purged = 0
    for name in ("sessions", "rate_limit"):
        store = app.stores.get(name)
        if isinstance(store, (FileStore, MemoryStore)):
            await store.delete_expired()
            purged += 1
    return purged


class StorePurger:
    """Purges expired sessions at start-up, then every `PURGE_EVERY` seconds."""

    def __init__(self) -> None:
        self.task: asyncio.Task | None = None

    async def start(self, app: Litestar) -> None:
        async def loop() -> None:
            while True:
                try:
                    await purge_expired_stores(app)
                except Exception:  # a purge that fails once must not stop the next ones
                    logging.getLogger("xpo").exception("purging expired sessions failed")
                await asyncio.sleep(PURGE_EVERY)

        self.task = asyncio.create_task(loop())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()


def seconds_until_hour(now: datetime, hour: int) -> float:
    """Seconds from `now` to the next `hour`:00 in Paris (tomorrow's when that hour has passed today)."""
    local = now.astimezone(PARIS)
    target = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if target <= local:
        target = (local + timedelta(days=1)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return (target.astimezone(UTC) - now.astimezone(UTC)).total_seconds()


class PrivacyPurger:
    """The retention purge (`tournament.privacy`) every day at `[privacy] purge_hour` (Paris), none when it
    is -1. Each worker runs it: it is idempotent."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db, self.settings = db, settings
        self.task: asyncio.Task | None = None

    async def start(self, app: Litestar) -> None:
        hour = self.settings.privacy.purge_hour
        if not 0 <= hour <= 23:
            return

        async def loop() -> None:
            while True:
                await asyncio.sleep(seconds_until_hour(utcnow(), hour))
                try:
                    report = await purge_database(self.db, self.settings.privacy)
                    logging.getLogger("xpo").info("privacy purge: %d players erased, %d audit entries cleaned",
                                                  len(report.players), report.audit_entries)
                except Exception:  # a purge that fails once must not stop the next ones
                    logging.getLogger("xpo").exception("the privacy purge failed")
                await asyncio.sleep(1)  # past the hour's first second: the next wait is a day

        self.task = asyncio.create_task(loop())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()


def refused(request: Request, exc: Refusal) -> Response:
    """Every domain refusal: its problem, as JSON for the API and as the French error page for a page.
    Controllers let refusals through unless a form shows them next to a field."""
    return handle_http_exception(request, problem_of(exc))


def freeze_heap() -> None:
    """Hide everything loaded at start-up from the garbage collector (`gc.freeze`).

    Those objects live as long as the process; leaving them out makes each full collection,
    which stops the event loop and so every board, several times shorter. No collection first: it walked
    the start-up's 270,000 objects (0.2 s of CPU, on the event loop) to free about 1,200; with `[server] quiet_collections`
    (the default), the collector's thorough pass (`web.collector`) unfreezes and returns such leftovers later.
    """
    gc.freeze()


def create_app(settings: Settings | None = None, *, database: Database | None = None,
               boards_socket: socket.socket | None = None, boards: Boards | None = None) -> Litestar:
    """The application. `boards_socket`: the boards' port, already bound and listening (`xpo serve`: `web.listen`).
    `boards`: the process's boards, already serving on `database` (`xpo serve`: `web.startup`): the application
    takes them over (their rooms, their commit hooks) instead of making its own."""
    settings = settings or load_settings()
    db = database or Database(settings.database_url, echo=settings.database.echo, busy_timeout=settings.database.busy_timeout)
    secret = session_secret(settings)
    secure = settings.server.https
    auth = session_auth(secure=secure, max_age_hours=settings.security.session_hours)
    swagger_dir = Path(swagger_ui_bundle.swagger_ui_path)
    if boards is None:
        boards = Boards(settings, db, sock=boards_socket)
    quiet = settings.server.quiet_collections
    collector = (Collector(lambda: boards.hub.last_activity, manage=quiet, joins=lambda: boards.hub.joins)
                 if quiet or settings.boards.test_endpoints else None)
    purger = StorePurger()
    privacy_purger = PrivacyPurger(db, settings)
    notifications.render.install(db, settings)
    mail_sender = Sender(db, settings.mail)
    db.add_commit_hook(mail_sender.on_commit)

    async def close_database() -> None:
        await db.dispose()

    return Litestar(
        route_handlers=[
            *ROUTERS,
            *(BOARD_TEST_ROUTES if settings.boards.test_endpoints else []),
            create_static_files_router(path="/static", directories=[WEB_DIR / "static"], include_in_schema=False),
            create_static_files_router(path="/static-api-docs", directories=[swagger_dir], include_in_schema=False, name="api_docs"),
        ],
        before_send=[security_headers(https=secure)],
        middleware=[
            boards.after_response,  # outermost: it sees the answer leave
            _locale_middleware(settings.i18n.locale),
            # Outside the session middleware: it sees the session cookie a response sets, and binds a new token to it.
            csrf_middleware(secret.hex(), secure=secure),
            auth.middleware,
        ],
        stores=_stores(settings),
        state=State({"db": db, "settings": settings, "boards": boards, "pdf_locks": {}, "mail_sender": mail_sender,
                     "collector": collector,
                     "import_runs": ImportRuns(db)}),
        dependencies={"db": Provide(lambda: db, sync_to_thread=False), "settings": Provide(lambda: settings, sync_to_thread=False)},
        template_config=_templates(settings),
        exception_handlers={
            HTTPException: handle_http_exception,
            Refusal: refused,
            Exception: handle_internal_error,
        },
        openapi_config=OpenAPIConfig(
            title="X.PO Live API",
            version=VERSION,
            description="JSON API of X.PO Live: every action a page offers.",
            path="/schema",
            render_plugins=[
                SwaggerRenderPlugin(
                    js_url="/static-api-docs/swagger-ui-bundle.js",
                    css_url="/static-api-docs/swagger-ui.css",
                    standalone_preset_js_url="/static-api-docs/swagger-ui-standalone-preset.js",
                    path="/",
                ),
                JsonRenderPlugin(),
            ],
        ),
        on_startup=[boards.start, purger.start, privacy_purger.start, mail_sender.start,
                    *([freeze_heap] if settings.server.freeze_heap else []), *([collector.start] if collector else [])],
        on_shutdown=[purger.stop, privacy_purger.stop, boards.stop, mail_sender.stop, close_database,
                     *([collector.stop] if collector else [])],
        debug=settings.server.debug,
        logging_config=None,
    )


logging.getLogger("xpo").setLevel(logging.INFO)
