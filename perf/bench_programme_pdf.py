"""Typeset the demo's printed programme and report its size and time (docs/BENCHMARKS.md).

Usage: XPO_PATHS_DATA_DIR=DIR xpo demo, then XPO_PATHS_DATA_DIR=DIR XPO_DATABASE_URL=sqlite+aiosqlite:///DIR/demo.sqlite3
python perf/bench_programme_pdf.py. Each run empties the PDF cache first, so the time is a full typesetting.
"""

import shutil
import sys
import time

from litestar.testing import TestClient

from tournament.config import load_settings
from web.app import create_app


def main() -> int:
    settings = load_settings()
    shutil.rmtree(settings.data_dir / "cache", ignore_errors=True)
    with TestClient(create_app(settings)) as client:
        for url in ("/programme/programme.pdf", "/programme/programme.pdf?commune=vernon"):
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.status_code
            print(f"{url}: {len(response.content) / 1024:.0f} KB in {elapsed:.2f} s (first request, cold cache)")
            started = time.perf_counter()
            again = client.get(url, headers={"if-none-match": response.headers["etag"]})
            print(f"  again with If-None-Match: {again.status_code} in {time.perf_counter() - started:.3f} s")
        path = settings.data_dir / "bench-programme.pdf"
        path.write_bytes(client.get("/programme/programme.pdf").content)
        print(f"written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
