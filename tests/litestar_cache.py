"""What Litestar works out from each handler function, kept from one app to the next of a test process.

`create_app` cost 0.4-1.1 s of CPU, and the suite builds one per test that uses `app` or `client` (hundreds):
a third of the suite's CPU time. Most of it is Litestar reading each handler's signature again (resolving its
type hints) and building its msgspec signature model, for the same functions every time. Both results are
pure functions of their inputs (the function, the names its hints resolve in, the dependency names, the type
decoders, the DTO), so the test process keeps them, keyed by those inputs, and a new app reuses them.
Production builds one app per process and is unchanged. `install()` is called by tests/conftest.py;
tests/web/test_litestar_cache.py checks an app built with it describes itself exactly like one built without.
"""

from functools import partial
from typing import Any

from litestar._signature.model import SignatureModel
from litestar.utils.signature import ParsedSignature

_from_fn = ParsedSignature.from_fn.__func__
_create = SignatureModel.create.__func__
_signatures: dict[Any, ParsedSignature] = {}
_models: dict[Any, Any] = {}


def _cached_from_fn(cls, fn, signature_namespace):
    try:
        key = (cls, fn, tuple(sorted((name, id(value)) for name, value in signature_namespace.items())))
        hit = _signatures.get(key)
    except TypeError:  # an unhashable callable
        return _from_fn(cls, fn, signature_namespace)
    if hit is None:
        hit = _signatures[key] = _from_fn(cls, fn, signature_namespace)
        # The namespace's values are keyed by id: keep them alive so no other object takes their ids.
        _signatures[key, "namespace"] = dict(signature_namespace)
    return hit


def _identity(part) -> Any:
    """``part`` by identity, except a ``functools.partial`` (Litestar makes a new one per app): by what it holds."""
    if isinstance(part, partial):
        return (id(part.func), tuple(map(_identity, part.args)),
                tuple(sorted((name, _identity(value)) for name, value in part.keywords.items())))
    return id(part)


def _cached_create(cls, dependency_name_set, fn, parsed_signature, type_decoders, data_dto=None):
    try:
        key = (cls, frozenset(dependency_name_set), fn, id(parsed_signature),
               tuple(_identity(part) for decoder in type_decoders for part in decoder), data_dto)
        hit = _models.get(key)
    except TypeError:
        return _create(cls, dependency_name_set, fn, parsed_signature, type_decoders, data_dto)
    if hit is None:
        hit = _models[key] = _create(cls, dependency_name_set, fn, parsed_signature, type_decoders, data_dto)
        _models[key, "inputs"] = (parsed_signature, list(type_decoders))  # their ids stay theirs
    return hit


def install() -> None:
    ParsedSignature.from_fn = classmethod(_cached_from_fn)
    SignatureModel.create = classmethod(_cached_create)


def uninstall() -> None:
    ParsedSignature.from_fn = classmethod(_from_fn)
    SignatureModel.create = classmethod(_create)
