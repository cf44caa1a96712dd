"""Who may call a group of handlers, said once: `Audience` gives route decorators sharing guards.

A module's handlers form one `Router` (its OpenAPI tags set once); within it, each audience
(`public`, staff, librarians…) decorates its handlers. One Router per audience is not possible
where a public GET and a staff POST share a path: Litestar 2 gives each Router's path its own
OPTIONS handler, and two of them on one path collide.
"""

from collections.abc import Callable
from typing import Any

from litestar import delete, get, patch, post, put
from litestar.types import Guard


class Audience:
    """Route decorators (`get`, `post`, `put`, `patch`, `delete`) that all carry the same guards."""

    def __init__(self, *guards: Guard) -> None:
        self.guards = list(guards)

    def _route(self, decorator: Callable[..., Any], path: str, **options: Any) -> Any:
        return decorator(path, guards=[*self.guards, *options.pop("guards", [])], **options)

    def get(self, path: str, **options: Any) -> Any:
        return self._route(get, path, **options)

    def post(self, path: str, **options: Any) -> Any:
        return self._route(post, path, **options)

    def put(self, path: str, **options: Any) -> Any:
        return self._route(put, path, **options)

    def patch(self, path: str, **options: Any) -> Any:
        return self._route(patch, path, **options)

    def delete(self, path: str, **options: Any) -> Any:
        return self._route(delete, path, **options)


public = Audience()
"""Anyone (pages then decide what to show with the policies)."""
