"""The one pagination of every list (pages and API): a page number or an offset, a bounded page size, the
total, and the links to the other pages.

Pages read ``?page=`` (`PageNumber`, from 1) and the API ``?offset=&limit=`` (`Offset`, `PageSize`); both go
through `Pagination`. A page size beyond `MAX_PAGE_SIZE`, a page number or offset beyond `MAX_OFFSET` is a
422 naming the parameter (`web.params` bounds), never a huge page.
"""

from dataclasses import dataclass
from typing import Annotated, TypeAlias
from urllib.parse import urlencode

from litestar.params import QueryParameter

MAX_PAGE_SIZE = 200
"""The most rows one page or one API answer carries."""

MAX_OFFSET = 10_000_000
"""The furthest a list can be read into (far past any real list)."""

PageNumber: TypeAlias = Annotated[int, QueryParameter(ge=1, le=MAX_OFFSET)]
"""``?page=``, from 1; out of range → 422 naming it."""

PageSize: TypeAlias = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)]
"""``?limit=``, 1 to `MAX_PAGE_SIZE`; out of range → 422 naming it."""

Offset: TypeAlias = Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)]
"""``?offset=``, from 0; out of range → 422 naming it."""


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
