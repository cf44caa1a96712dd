"""Fiche pictures: checked by size and content (not by the name the browser sent), stored under data_dir."""

import secrets
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.audit import Actor, audit
from tournament.db import utcnow
from tournament.festival.errors import FestivalError
from tournament.festival.fiches import EventFiche, check_editable, load_fiche

MAX_PICTURE_BYTES = 5 * 1024 * 1024
NAME_PATTERN = r"fiche-\d+-[A-Za-z0-9_-]+\.(jpg|png|webp)"


def picture_dir(data_dir: Path) -> Path:
    return data_dir / "festival" / "pictures"


def sniff_type(content: bytes) -> str | None:
    """The file extension the bytes really are (JPEG, PNG or WebP), else None."""
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "webp"
    return None


async def set_picture(
    session: AsyncSession, *, fiche_id: int, content: bytes, credit: str, actor: Actor, data_dir: Path
) -> tuple[EventFiche, str]:
    """Store a new picture for a fiche with its credit; writes the file, the fiche and an audit entry.

    Returns the fiche and the name of the file it replaces (empty if none), which the caller
    removes with `discard_picture` once the transaction is committed.
    """
    fiche = await load_fiche(session, fiche_id, for_update=True)
    check_editable(actor, fiche)
    errors: dict[str, str] = {}
    kind = sniff_type(content)
    if not content:
        errors["picture"] = "required"
    elif len(content) > MAX_PICTURE_BYTES:
        errors["picture"] = "picture_too_large"
    elif kind is None:
        errors["picture"] = "picture_type"
    if not credit.strip():
        errors["picture_credit"] = "required"
    elif len(credit) > 200:
        errors["picture_credit"] = "too_long"
    if errors:
        raise FestivalError("invalid", errors=errors)
    folder = picture_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"fiche-{fiche.id}-{secrets.token_urlsafe(8)}.{kind}"
    (folder / name).write_bytes(content)
    old = fiche.picture
    fiche.picture, fiche.picture_credit, fiche.updated_at = name, credit.strip(), utcnow()
    session.add(fiche)
    audit(session, actor, "fiche.picture", f"fiche:{fiche.id}", picture=name, credit=fiche.picture_credit)
    return fiche, old


def discard_picture(data_dir: Path, name: str) -> None:
    """Remove a replaced picture file (after the change that replaced it is committed)."""
    if name:
        (picture_dir(data_dir) / name).unlink(missing_ok=True)
