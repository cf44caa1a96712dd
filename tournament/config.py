"""Typed settings read from config.toml, overridden by XPO_<SECTION>_<KEY> environment variables."""

import os
import secrets
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "config.toml"


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message names the key."""


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    # Empty: absolute links are built from the request (web.links.site_url).
    public_url: str = ""
    https: bool = False
    debug: bool = False
    freeze_heap: bool = True
    # Full garbage collections only when the boards are quiet (web/collector.py).
    quiet_collections: bool = True
    # Comma-separated addresses or networks of the reverse proxies whose X-Forwarded-* headers are believed.
    trusted_proxies: str = ""


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = ""
    busy_timeout: int = 30
    echo: bool = False


@dataclass(frozen=True)
class PathSettings:
    data_dir: str = "var"


@dataclass(frozen=True)
class SecuritySettings:
    secret_key: str = ""
    session_hours: int = 12
    login_attempts_per_minute: int = 5
    """Failed logins on one account (from any address) before a wait; successful logins never count."""
    login_failures_per_address: int = 20
    """Failed logins from one client address (whatever the accounts) before a wait."""


@dataclass(frozen=True)
class PubSubSettings:
    backend: str = "memory"
    redis_url: str = "redis://127.0.0.1:6379/0"


@dataclass(frozen=True)
class BoardsSettings:
    """The live boards' websocket server (see docs/boards.md)."""

    host: str = "127.0.0.1"
    port: int = 0
    public_url: str = ""
    channel: str = "xpo:boards"
    heartbeat_seconds: int = 15
    max_replay: int = 500
    backlog_kib: int = 256
    resync_seconds: int = 30
    test_endpoints: bool = False


@dataclass(frozen=True)
class I18nSettings:
    locale: str = "fr"
    timezone: str = "Europe/Paris"


@dataclass(frozen=True)
class MailSettings:
    """Outgoing e-mail (see docs/notifications.md). `backend = "outbox"` keeps every mail in the outbox
    (read on /admin/courriels); `"smtp"` delivers them. The password comes from XPO_MAIL_PASSWORD."""

    backend: str = "outbox"
    host: str = "127.0.0.1"
    port: int = 25
    security: str = "none"
    """"none", "starttls" or "tls" (implicit TLS, usually port 465)."""
    user: str = ""
    password: str = ""
    sender: str = "X.PO Live <ne-pas-repondre@xpo.example>"
    timeout_seconds: int = 20
    max_attempts: int = 5
    retry_seconds: int = 60
    """First retry delay; doubled at each attempt."""
    lease_seconds: int = 300
    poll_seconds: int = 15
    per_recipient_per_hour: int = 20
    """More mails to one address in an hour are kept as limited (`outbox.STAFF_WORK_KINDS` never are)."""


@dataclass(frozen=True)
class BackupSettings:
    """`xpo backup` (see docs/operations.md): where archives go and how many are kept."""

    dir: str = ""
    """Empty: data_dir/backups. Relative paths are taken from where the command runs."""
    keep: int = 14
    """Archives kept in `dir` after each backup (the oldest are deleted); 0 keeps them all."""


@dataclass(frozen=True)
class PrivacySettings:
    """How long players' personal data and audit addresses are kept (see docs/operations.md)."""

    player_retention_days: int = 183
    """Days after the end of a player's last edition before they are erased (about 6 months)."""
    audit_address_days: int = 30
    """Days an audit entry keeps the client address (and any pseudonym) it was written with."""
    purge_hour: int = 3
    """The hour (Paris, 0 to 23) the running application purges every day; -1: never (`xpo privacy purge` still works)."""


@dataclass(frozen=True)
class Settings:
    """All settings. Build with `load_settings`; tests use `dataclasses.replace` for variants."""

    server: ServerSettings = field(default_factory=ServerSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    paths: PathSettings = field(default_factory=PathSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    pubsub: PubSubSettings = field(default_factory=PubSubSettings)
    i18n: I18nSettings = field(default_factory=I18nSettings)
    boards: BoardsSettings = field(default_factory=BoardsSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    backup: BackupSettings = field(default_factory=BackupSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)

    @property
    def data_dir(self) -> Path:
        path = Path(self.paths.data_dir)
        return path if path.is_absolute() else ROOT / path

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL; the embedded SQLite file when none is configured."""
        return self.database.url or f"sqlite+aiosqlite:///{self.data_dir / 'xpo.sqlite3'}"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _coerce(section: str, key: str, raw: Any, kind: type) -> Any:
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"[{section}] {key}: expected true or false, got {raw!r}")
    if kind is int:
        try:
            if isinstance(raw, (bool, float)):
                raise ValueError(raw)
            return int(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"[{section}] {key}: expected a whole number, got {raw!r}") from None
    return str(raw)


def load_settings(env: Mapping[str, str] | None = None, path: Path | None = None) -> Settings:
    """Defaults < the TOML file (config.toml or $XPO_CONFIG) < XPO_<SECTION>_<KEY> variables."""
    env = os.environ if env is None else env
    path = path or Path(env.get("XPO_CONFIG") or DEFAULT_CONFIG)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if env.get("XPO_CONFIG") and not path.exists():
        raise ConfigError(f"XPO_CONFIG names {path}, which does not exist")
    settings = Settings()
    unknown_sections = set(data) - {f.name for f in fields(Settings)}
    if unknown_sections:
        raise ConfigError(f"{path}: unknown section(s) {', '.join(sorted(unknown_sections))}")
    for section_field in fields(Settings):
        section = section_field.name
        current = getattr(settings, section)
        values: dict[str, Any] = {}
        file_section = data.get(section, {})
        for key_field in fields(current):
            key = key_field.name
            kind = type(getattr(current, key))
            env_name = f"XPO_{section.upper()}_{key.upper()}"
            if env_name in env:
                values[key] = _coerce(section, key, env[env_name], kind)
            elif key in file_section:
                values[key] = _coerce(section, key, file_section[key], kind)
        unknown = set(file_section) - {f.name for f in fields(current)}
        if unknown:
            raise ConfigError(f"[{section}]: unknown key(s) {', '.join(sorted(unknown))}")
        settings = replace(settings, **{section: replace(current, **values)})
    return settings


def session_secret(settings: Settings) -> bytes:
    """The session signing secret: from settings/env, else data_dir/secret.key, created on first run."""
    if settings.security.secret_key:
        try:
            secret = bytes.fromhex(settings.security.secret_key)
        except ValueError:
            secret = b""
        if len(secret) < 32:
            raise ConfigError("[security] secret_key: expected at least 32 bytes written in hexadecimal")
        return secret
    key_file = settings.data_dir / "secret.key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return bytes.fromhex(key_file.read_text().strip())
