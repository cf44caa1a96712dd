"""PDF documents kept on disk by content: the same HTML and stylesheet always give the same PDF.

WeasyPrint takes seconds to typeset the festival programme, while rendering its HTML takes
milliseconds. So each request renders the HTML and hashes it; a PDF already made from that HTML is
served from disk, and only a changed programme is typeset again. Nothing has to be invalidated:
a change to the data changes the HTML, hence the key. One lock per process and document makes a
crowd of requests after a change wait for one typesetting instead of starting one each.
"""

import asyncio
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import anyio


def content_key(*parts: str | bytes) -> str:
    """A short hash of everything the document is made from."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()[:20]


async def cached_pdf(
    directory: Path, name: str, key: str, build: Callable[[], bytes], locks: dict[str, asyncio.Lock]
) -> bytes:
    """The PDF `name` for `key`: read from `directory`, or built (in a worker thread) and stored.

    Older files of the same `name` are removed once the new one is written (atomically, so another
    process never reads half a file).
    """
    path = directory / f"{name}-{key}.pdf"
    lock = locks.setdefault(name, asyncio.Lock())
    async with lock:
        if path.is_file():
            return path.read_bytes()
        content = await anyio.to_thread.run_sync(build)
        directory.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(content)
        os.replace(partial, path)
        for older in directory.glob(f"{name}-*.pdf"):
            if older != path:
                older.unlink(missing_ok=True)
        return content
