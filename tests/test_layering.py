"""Imports go one way: `brackets` ← `tournament` ← `web`, and no controller imports another.

Read from the source with `ast`, so a new module is checked the day it is written.
"""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUTE_DECORATORS = {"get", "post", "put", "patch", "delete", "route", "websocket"}


def _modules(package: str) -> dict[str, ast.Module]:
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        found[name] = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return found


def _imports(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _is_controller(tree: ast.Module) -> bool:
    """A module that declares route handlers (`@get(…)`, `@post(…)`…); a package's `__init__` that only
    gathers its modules' routers is not one."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
                if name in ROUTE_DECORATORS:
                    return True
    return False


def test_the_engine_imports_only_the_standard_library_and_itself():
    allowed = set(sys.stdlib_module_names) | {"brackets"}
    for name, tree in _modules("brackets").items():
        outside = {imported for imported in _imports(tree) if imported.split(".")[0] not in allowed}
        assert not outside, f"{name} imports {sorted(outside)}"


def test_the_domain_never_imports_the_web_layer_nor_litestar():
    for name, tree in _modules("tournament").items():
        web = {imported for imported in _imports(tree) if imported.split(".")[0] in ("web", "litestar")}
        assert not web, f"{name} imports {sorted(web)}"


def test_no_controller_imports_another_controller():
    modules = _modules("web")
    controllers = {name for name, tree in modules.items() if _is_controller(tree)}
    assert len(controllers) > 10  # the check sees the route modules
    for name in controllers:
        if ast.get_docstring(modules[name]) is None:
            raise AssertionError(f"{name}: a controller says what it serves in its docstring")
        others = {imported for imported in _imports(modules[name]) if imported in controllers and imported != name}
        assert not others, f"{name} imports the controllers {sorted(others)}: move what they share to a schemas or views module"


def test_the_check_sees_a_controller_importing_another():
    """The rule above can fail: a module with a route that imports another route module is caught."""
    one = ast.parse("from litestar import get\n@get('/a')\nasync def a() -> None: ...\n")
    two = ast.parse("from web.one import a\nfrom litestar import post\n@post('/b')\nasync def b() -> None: ...\n")
    assert _is_controller(one) and _is_controller(two)
    assert "web.one" in _imports(two)
