"""One application per test process for the tests that use the `app` fixture, reset to a new app's state
before each of them.

`create_app` costs about 0.6 s of CPU (Litestar registering 220 routes, issue 19), and 326 tests use the `app`
fixture: a third of the suite's CPU outside the browser tests. What an application holds that a test can
change is few objects, each built in `create_app` from the settings and the `Database`: the `Database` itself
(its engine, its commit and pre-commit hooks: the boards', the mail renderer's, the mail sender's), the
boards (rooms, pub/sub), the mail sender, the import runs, the two purgers, `app.state`, and the stores
(sessions, the login counters). `SharedApp.reset` gives each of them back the state its constructor gives,
by running the constructor again on the same object (the middleware, dependencies and start-up hooks
Litestar holds refer to these objects, so they cannot be replaced), with every attribute a test may have
set removed first; the database file, the data folder and the process's caches of rows are the fixtures'
(tests/conftest.py). An object `create_app` starts holding that this module does not know makes `reset`
fail rather than leak from one test to the next.

tests/web/test_shared_app.py checks the reset against a freshly built application, and, across tests, that
nothing a test wrote is seen by the next.
"""

import shutil
from collections import OrderedDict
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.stores.file import FileStore
from litestar.stores.memory import MemoryStore

from tournament import stages
from tournament.config import Settings
from tournament.db import Database
from tournament.festival.import_runs import ImportRuns
from tournament.mailer import Sender

KEPT = 4
"""Applications kept per process (by settings): the default test settings, and a few modules' own."""


def shareable(settings: Settings) -> bool:
    """True for settings whose application `SharedApp` knows how to reset: in-process pub/sub and stores, and
    no garbage collector management or board test endpoints (whose objects keep timers of their own)."""
    return (settings.pubsub.backend == "memory" and not settings.server.freeze_heap
            and not settings.server.quiet_collections and not settings.boards.test_endpoints)


def renew(obj: Any, *args: Any, **kwargs: Any) -> None:
    """`obj` as its class's constructor leaves a new one: every attribute dropped, `__init__` run again."""
    vars(obj).clear()
    type(obj).__init__(obj, *args, **kwargs)


class SharedApp:
    """An application built once from `settings` on a `Database` of its own, reset before each test."""

    def __init__(self, settings: Settings) -> None:
        from web import notifications
        from web.app import PrivacyPurger, StorePurger, create_app
        from web.boards import Boards

        self.settings = settings
        self.db = Database(settings.database_url, pooled=False)
        self.app: Litestar = create_app(settings, database=self.db)
        self._install = notifications.render.install
        state = self.app.state.dict()
        self.boards, self.sender, self.import_runs = state["boards"], state["mail_sender"], state["import_runs"]
        expected = {"db": self.db, "settings": settings, "boards": self.boards, "pdf_locks": {},
                    "mail_sender": self.sender, "collector": None, "import_runs": self.import_runs}
        types = {"boards": Boards, "mail_sender": Sender, "import_runs": ImportRuns}
        if state != expected or any(not isinstance(state[key], kind) for key, kind in types.items()):
            raise AssertionError(f"create_app holds state this reset does not know: {sorted(state)}")
        owners = {getattr(hook, "__self__", None) for hook in (*self.app.on_startup, *self.app.on_shutdown)}
        self.purgers = [owner for owner in owners if isinstance(owner, (StorePurger, PrivacyPurger))]
        unknown = owners - {None, self.boards, self.sender, *self.purgers}
        if unknown or len(self.purgers) != 2:
            raise AssertionError(f"create_app starts objects this reset does not know: {unknown}")
        self.stores = dict(self.app.stores._stores)  # noqa: SLF001 - the registry lists no names otherwise
        if any(type(store) not in (FileStore, MemoryStore) for store in self.stores.values()):
            raise AssertionError(f"stores this reset cannot empty: {self.stores}")
        self.data_made = sorted(path.relative_to(settings.data_dir) for path in _tree(settings.data_dir))
        """What building the application made in the (empty) data folder."""

    def reset(self) -> None:
        """The application as `create_app(settings, database=)` on a new `Database` leaves it, less the database's
        rows and the data folder's files (the fixtures'): objects renewed in the order `create_app` makes them,
        so the hooks are registered in the same order."""
        from web.app import PrivacyPurger

        settings, db = self.settings, self.db
        renew(db, settings.database_url, pooled=False)
        renew(self.boards, settings, db)
        for purger in self.purgers:
            if isinstance(purger, PrivacyPurger):
                renew(purger, db, settings)
            else:
                renew(purger)
        self._install(db, settings)
        renew(self.sender, db, settings.mail)
        db.add_commit_hook(self.sender.on_commit)
        renew(self.import_runs, db)
        state = self.app.state
        for key in list(state.dict()):
            del state[key]
        state.update({"db": db, "settings": settings, "boards": self.boards, "pdf_locks": {},
                      "mail_sender": self.sender, "collector": None, "import_runs": self.import_runs})
        self.app.stores._stores.clear()  # noqa: SLF001 - stores made on demand since are dropped, as a new app has none
        self.app.stores._stores.update({  # noqa: SLF001
            name: FileStore(store.path, create_directories=store.create_directories) if isinstance(store, FileStore)
            else MemoryStore() for name, store in self.stores.items()})

    def empty_data_folder(self) -> None:
        """The data folder as the application's build left it (a new test's: nothing but what that made)."""
        empty(self.settings.data_dir)
        for made in self.data_made:
            (self.settings.data_dir / made).mkdir(parents=True, exist_ok=True)


def empty(folder: Path) -> None:
    """`folder`, emptied (made if missing)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


def _tree(folder: Path) -> list[Path]:
    if any(path.is_file() for path in folder.rglob("*")):
        raise AssertionError(f"building the application wrote files in {folder}: the reset would lose them")
    return list(folder.rglob("*"))


def forget_cached_rows() -> None:
    """The process's decoded stage states (`tournament.stages`, kept for the next result write) forgotten."""
    stages._decoded_states.clear()  # noqa: SLF001
    stages._to_decode.clear()  # noqa: SLF001


class Apps:
    """This process's shared applications, by the settings they were built from (the `KEPT` last used)."""

    def __init__(self) -> None:
        self._apps: OrderedDict[Settings, SharedApp] = OrderedDict()

    def get(self, settings: Settings) -> SharedApp:
        """The application of `settings`, reset (or built), its data folder emptied, the cached rows forgotten."""
        forget_cached_rows()
        shared = self._apps.pop(settings, None)
        if shared is None:
            empty(settings.data_dir)
            shared = SharedApp(settings)
        else:
            shared.reset()
            shared.empty_data_folder()
        self._apps[settings] = shared
        while len(self._apps) > KEPT:
            self._apps.popitem(last=False)
        return shared

    def current(self, settings: Settings) -> SharedApp:
        """The application `get` last gave for `settings`."""
        return self._apps[settings]


SHARED_APPS = Apps()
"""This process's shared applications (here, not in tests/conftest.py: pytest imports that file as `conftest`, and
test modules import it again as `tests.conftest`)."""
