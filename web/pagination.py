"""The one pagination of every list (pages and API): a page number or an offset, a bounded page size, the
total, and the links to the other pages.

Pages read ``?page=`` (`PageNumber`, from 1) and the API ``?offset=&limit=`` (`Offset`, `PageSize`); both go
through `Pagination`. A page size beyond `MAX_PAGE_SIZE`, a page number or offset beyond `MAX_OFFSET` is a
422 naming the parameter (`web.params` bounds), never a huge page.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, TypeAlias, TypeVar
from urllib.parse import urlencode

from litestar import Request
from litestar.datastructures import ResponseHeader
from litestar.params import QueryParameter
from litestar.response import Response

from tournament.festival.search import fold

T = TypeVar("T")

MAX_PAGE_SIZE = 200
"""The most rows one page or one API answer carries."""

MAX_OFFSET = 10_000_000
"""The furthest a list can be read into (far past any real list)."""

PageNumber: TypeAlias = Annotated[int, QueryParameter(ge=1, le=MAX_OFFSET)]
"""``?page=``, from 1; out of range → 422 naming it."""

PageParam: TypeAlias = Annotated[int, QueryParameter(name="page", ge=1, le=MAX_OFFSET)]
"""`PageNumber` for a handler whose own name ``page`` is taken (``number: PageParam = 1`` reads ``?page=``)."""

PageSize: TypeAlias = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)]
"""``?limit=``, 1 to `MAX_PAGE_SIZE`; out of range → 422 naming it."""

Offset: TypeAlias = Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)]
"""``?offset=``, from 0; out of range → 422 naming it."""

SearchText: TypeAlias = Annotated[str, QueryParameter(max_length=200)]
"""``?q=``: words sought in a list (case and accents ignored, `fold`), at most 200 characters."""

PAGE_SIZE = 50
"""Rows per page of every staff list page."""

LIST_HEADERS = [
    ResponseHeader(name="X-Total-Count", description="How many rows the whole list has (every page)",
                   documentation_only=True),
    ResponseHeader(name="Link", description='RFC 8288 links to the next and previous pages (rel="next", "prev")',
                   required=False, documentation_only=True),
]
"""The headers of every paginated API list, declared in the OpenAPI document (`response_headers=`)."""


def matching(rows: Sequence[T], q: str, text: Callable[[T], str]) -> list[T]:
    """The rows whose ``text`` holds every word of ``q``, case and accents ignored (all rows for an empty ``q``)."""
    words = fold(q).split()
    if not words:
        return list(rows)
    return [row for row in rows if all(word in fold(text(row)) for word in words)]


@dataclass(frozen=True)
class Pagination:
    """Where a page stands in a list of ``total`` rows: rows ``offset`` to ``offset + limit``."""

    offset: int
    limit: int
    total: int

    @classmethod
    def of(cls, page: int, size: int, total: int) -> "Pagination":
        """Page ``page`` (from 1) of ``size`` rows; a page past the end shows the last one."""
        pages = max(1, -(-total // size))
        return cls(offset=(min(max(page, 1), pages) - 1) * size, limit=size, total=total)

    @property
    def number(self) -> int:
        return self.offset // self.limit + 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def window(self, around: int = 2) -> list[int]:
        """The page numbers to link to: the first, the last, and ``around`` either side of this one."""
        near = range(max(1, self.number - around), min(self.pages, self.number + around) + 1)
        return sorted({1, self.pages, *near})

    def href(self, path: str, params: dict[str, str], number: int) -> str:
        """The link to page ``number`` keeping the other query parameters (``q``…)."""
        kept = {k: v for k, v in params.items() if k != "page" and v}
        if number > 1:
            kept["page"] = str(number)
        return path + ("?" + urlencode(kept) if kept else "")

    def link_header(self, path: str, params: dict[str, str]) -> str:
        """An RFC 8288 ``Link`` header (``next``, ``prev``) for the API's offset/limit pages."""
        kept = {k: v for k, v in params.items() if k not in ("offset", "limit") and v}
        links = []
        if self.offset + self.limit < self.total:
            links.append((self.offset + self.limit, "next"))
        if self.offset > 0:
            links.append((max(0, self.offset - self.limit), "prev"))
        return ", ".join(f'<{path}?{urlencode({**kept, "offset": o, "limit": self.limit})}>; rel="{rel}"'
                         for o, rel in links)


def page_of(rows: Sequence[T], page: int, q: str, text: Callable[[T], str], *, path: str,
            params: dict[str, object] | None = None, size: int = PAGE_SIZE) -> dict:
    """The template context of one page of a searchable list: ``rows``, ``total``, ``q``, and ``pagination``,
    ``page_path``, ``page_params`` for ``_pagination.html`` (page links keep ``q`` and the other ``params``)."""
    found = matching(rows, q, text)
    shown = Pagination.of(page, size, len(found))
    kept = {name: str(value) for name, value in (params or {}).items() if value not in (None, "")}
    return {"rows": found[shown.offset:shown.offset + shown.limit], "pagination": shown, "page_path": path,
            "page_params": {**kept, "q": q}, "q": q, "total": len(found)}


def api_page(request: Request, rows: Sequence[T], offset: int, limit: int, q: str = "",
             text: Callable[[T], str] | None = None) -> Response[list[T]]:
    """Rows ``offset`` to ``offset + limit`` of the (searched) list, with ``X-Total-Count`` and ``Link``."""
    found = matching(rows, q, text) if text is not None else list(rows)
    return api_slice(request, found[offset:offset + limit], Pagination(offset, limit, len(found)))


def api_slice(request: Request, rows: list[T], shown: Pagination) -> Response[list[T]]:
    """One page already read (by SQL ``OFFSET``/``LIMIT``) with the headers of `api_page`."""
    headers = {"X-Total-Count": str(shown.total)}
    link = shown.link_header(request.url.path, dict(request.query_params))
    if link:
        headers["Link"] = link
    return Response(rows, headers=headers)
