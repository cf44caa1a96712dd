"""What Litestar works out from each handler function, kept from one app to the next of a test process.

`create_app` cost 0.4-1.1 s of CPU, and the suite builds one per test that uses `app` or `client` (hundreds):
a third of the suite's CPU time. Most of it is Litestar reading each handler's signature again (resolving its
type hints) and building its msgspec signature model, for the same functions every time. Both results are
pure functions of their inputs (the function, the names its hints resolve in, the dependency names, the type
decoders, the DTO), so the test process keeps them, keyed by those inputs, and a new app reuses them.
Production builds one app per process and is unchanged. `install()` is called by tests/conftest.py;
tests/web/test_litestar_cache.py checks an app built with it describes itself exactly like one built without.
"""

import weakref
from functools import partial
from typing import Any

from litestar._signature.model import SignatureModel
from litestar.utils.signature import ParsedSignature

_from_fn = ParsedSignature.from_fn.__func__
_create = SignatureModel.create.__func__
_signatures: "weakref.WeakKeyDictionary[Any, dict[Any, Any]]" = weakref.WeakKeyDictionary()
_models: "weakref.WeakKeyDictionary[Any, dict[Any, Any]]" = weakref.WeakKeyDictionary()
"""Both by handler function, weakly: Litestar makes some handlers per app (each route's OPTIONS handler, the
OpenAPI routes), closures over the app. Held strongly, they kept every app the process built alive (32,000
objects each, 1.4 GB in a worker by the end of a run, so every full collection walked all of it); they never
hit the cache anyway."""


def _entries(cache: "weakref.WeakKeyDictionary[Any, dict[Any, Any]]", fn) -> dict[Any, Any]:
    entries = cache.get(fn)
    if entries is None:
        entries = cache[fn] = {}
    return entries


def _cached_from_fn(cls, fn, signature_namespace):
    try:
        entries = _entries(_signatures, fn)
        key = (cls, tuple(sorted((name, id(value)) for name, value in signature_namespace.items())))
        hit = entries.get(key)
    except TypeError:  # an unhashable or unreferenceable callable
        return _from_fn(cls, fn, signature_namespace)
    if hit is None:
        hit = entries[key] = _from_fn(cls, fn, signature_namespace)
        # The namespace's values are keyed by id: keep them alive so no other object takes their ids.
        entries[key, "namespace"] = dict(signature_namespace)
    return hit


def _identity(part) -> Any:
    """``part`` by identity, except a ``functools.partial`` (Litestar makes a new one per app): by what it holds."""
    if isinstance(part, partial):
        return (id(part.func), tuple(map(_identity, part.args)),
                tuple(sorted((name, _identity(value)) for name, value in part.keywords.items())))
    return id(part)


def _cached_create(cls, dependency_name_set, fn, parsed_signature, type_decoders, data_dto=None):
    try:
        entries = _entries(_models, fn)
        key = (cls, frozenset(dependency_name_set), id(parsed_signature),
               tuple(_identity(part) for decoder in type_decoders for part in decoder), data_dto)
        hit = entries.get(key)
    except TypeError:
        return _create(cls, dependency_name_set, fn, parsed_signature, type_decoders, data_dto)
    if hit is None:
        hit = entries[key] = _create(cls, dependency_name_set, fn, parsed_signature, type_decoders, data_dto)
        entries[key, "inputs"] = (parsed_signature, list(type_decoders))  # their ids stay theirs
    return hit


def install() -> None:
    ParsedSignature.from_fn = classmethod(_cached_from_fn)
    SignatureModel.create = classmethod(_cached_create)


def uninstall() -> None:
    ParsedSignature.from_fn = classmethod(_from_fn)
    SignatureModel.create = classmethod(_create)
