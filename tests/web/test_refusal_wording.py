"""Every refusal code raised anywhere has French words in its own domain.

The codes are read from the source (`ast`): each `SomeError("code", …)` of a `Refusal` subclass, each
`errors={"field": "code"}` it is given, and each `errors[field] = "code"` a service or a form reader
records; the domain is the refusal class's, or the module's for the recorded ones.
"""

import ast
import importlib
import pkgutil
from pathlib import Path

from babel.messages.pofile import read_po

import tournament
import web
from tournament.refusals import Refusal
from web import app as _app  # noqa: F401 - registers every domain's words
from web.messages import COMMON, wording

ROOT = Path(__file__).resolve().parents[2]
FRENCH = ROOT / "web" / "locale" / "fr" / "LC_MESSAGES" / "messages.po"
MODULE_DOMAINS = [
    ("tournament/festival/", "festival"), ("web/festival/", "festival"),
    ("tournament/accounts.py", "accounts"), ("web/accounts/", "accounts"),
    ("tournament/libraries.py", "libraries"), ("web/network/libraries", "libraries"),
    ("tournament/players.py", "players"), ("web/network/players", "players"),
    ("tournament/screens.py", "screens"), ("web/boards/screens", "screens"),
    ("tournament/notification_preferences.py", "notification_preferences"),
    ("tournament/", "tournament"), ("web/tournament/", "tournament"),
]


def _refusal_classes() -> dict[str, type[Refusal]]:
    for package in (tournament, web):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            importlib.import_module(info.name)
    found, todo = {}, [Refusal]
    while todo:
        cls = todo.pop()
        found[cls.__name__] = cls
        todo.extend(cls.__subclasses__())
    return found


def _module_domain(path: Path) -> str:
    text = path.relative_to(ROOT).as_posix()
    return next((domain for prefix, domain in MODULE_DOMAINS if text.startswith(prefix)), "common")


def _name(node: ast.AST) -> str:
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


def raised_codes() -> set[tuple[str, str, str]]:
    """(domain, code, where) for every refusal code written in the source."""
    classes = _refusal_classes()
    codes = set()
    for path in [*(ROOT / "tournament").rglob("*.py"), *(ROOT / "web").rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call):
                cls = classes.get(_name(node.func)) or (
                    classes.get(_name(node.func.value)) if isinstance(node.func, ast.Attribute) else None)
                if cls is None:
                    continue
                # The code is the first argument (a dict of field codes for `about_fields`), the field codes the third.
                arguments = [*node.args[:1], *node.args[2:3], *(k.value for k in node.keywords if k.arg in ("code", "errors"))]
                for argument in arguments:
                    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                        codes.add((cls.domain, argument.value, where))
                    elif isinstance(argument, ast.Dict):
                        codes.update((cls.domain, v.value, where) for v in argument.values
                                     if isinstance(v, ast.Constant) and isinstance(v.value, str))
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                for target in node.targets:
                    if isinstance(target, ast.Subscript) and _name(target.value) == "errors":
                        codes.add((_module_domain(path), node.value.value, where))
    return codes


def test_the_scan_finds_the_codes_of_every_domain():
    domains = {domain for domain, _, _ in raised_codes()}
    assert {"tournament", "festival", "accounts", "libraries", "players", "screens"} <= domains


def test_every_code_raised_has_french_words_in_its_domain():
    with FRENCH.open("rb") as handle:
        french = {m.id: m.string for m in read_po(handle) if m.id}
    missing = sorted(
        f"{where}: {domain}/{code}"
        for domain, code, where in raised_codes()
        if not (wording(domain, code) and french.get(wording(domain, code)))
    )
    assert not missing, "codes without French words (web/messages.py `word`, then `make catalog`):\n" + "\n".join(missing)


def test_a_code_two_domains_share_keeps_each_domains_words():
    assert wording("tournament", "session_closed") != wording("festival", "session_closed")
    assert "session_closed" not in COMMON
