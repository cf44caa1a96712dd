"""Bearer tokens for player links and screens: only a digest is stored, the link holds the secret."""

import hashlib
import secrets


def new_token() -> tuple[str, str]:
    """A fresh URL-safe token and the digest to store."""
    token = secrets.token_urlsafe(24)
    return token, digest(token)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
