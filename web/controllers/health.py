"""Liveness and readiness for supervisors and the proxy."""

from litestar import get
from litestar.exceptions import HTTPException

from web.deps import DB


@get("/healthz", tags=["system"], summary="Health check (database included)")
async def healthz(db: DB) -> dict[str, str]:
    try:
        await db.ping()
    except Exception:  # noqa: BLE001 - any database failure means "not ready"
        raise HTTPException(status_code=503, detail="database unavailable") from None
    return {"status": "ok"}


ROUTES = [healthz]
