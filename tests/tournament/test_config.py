"""Configuration: defaults < config file < XPO_<SECTION>_<KEY> variables, refused values, the generated secret."""

import stat
from dataclasses import replace
from pathlib import Path

import pytest

from tournament.config import ConfigError, Settings, load_settings, session_secret

NO_FILE = Path("/nonexistent/config.toml")


def write_config(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_apply_without_a_file_or_variables():
    settings = load_settings(env={}, path=NO_FILE)
    assert settings.server.port == 8000
    assert settings.server.https is False
    assert settings.security.login_attempts_per_minute == 5
    assert settings.i18n.timezone == "Europe/Paris"
    assert settings.database_url == f"sqlite+aiosqlite:///{settings.data_dir / 'xpo.sqlite3'}"


def test_the_file_overrides_the_defaults(tmp_path):
    path = write_config(tmp_path, '[server]\nport = 9000\nhttps = true\n[paths]\ndata_dir = "/srv/xpo"\n')
    settings = load_settings(env={}, path=path)
    assert settings.server.port == 9000
    assert settings.server.https is True
    assert settings.data_dir == Path("/srv/xpo")
    assert settings.server.host == "127.0.0.1"  # untouched keys keep their default


def test_environment_variables_override_the_file(tmp_path):
    path = write_config(tmp_path, "[server]\nport = 9000\nhttps = true\n")
    env = {"XPO_SERVER_PORT": "18080", "XPO_SERVER_HTTPS": "false", "XPO_DATABASE_URL": "postgresql+asyncpg://db/xpo"}
    settings = load_settings(env=env, path=path)
    assert settings.server.port == 18080
    assert settings.server.https is False
    assert settings.database_url == "postgresql+asyncpg://db/xpo"
    assert settings.is_sqlite is False


def test_xpo_config_names_another_file(tmp_path):
    other = write_config(tmp_path, "[security]\nsession_hours = 4\n", name="festival.toml")
    settings = load_settings(env={"XPO_CONFIG": str(other)})
    assert settings.security.session_hours == 4


def test_xpo_config_naming_a_missing_file_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="XPO_CONFIG"):
        load_settings(env={"XPO_CONFIG": str(tmp_path / "missing.toml")})


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"XPO_SERVER_PORT": "huit mille"}, "port"),
        ({"XPO_SERVER_HTTPS": "peut-être"}, "https"),
        ({"XPO_SECURITY_LOGIN_ATTEMPTS_PER_MINUTE": "5.5"}, "login_attempts_per_minute"),
    ],
)
def test_a_bad_variable_is_refused_naming_its_key(env, key):
    with pytest.raises(ConfigError, match=rf"\] {key}:"):
        load_settings(env=env, path=NO_FILE)


def test_a_bad_file_value_is_refused_naming_its_key(tmp_path):
    path = write_config(tmp_path, '[database]\nbusy_timeout = "long"\n')
    with pytest.raises(ConfigError, match=r"\[database\] busy_timeout: expected a whole number, got 'long'"):
        load_settings(env={}, path=path)


def test_an_unknown_key_is_refused(tmp_path):
    path = write_config(tmp_path, "[server]\nprot = 9000\n")
    with pytest.raises(ConfigError, match=r"\[server\]: unknown key\(s\) prot"):
        load_settings(env={}, path=path)


def test_an_unknown_section_is_refused(tmp_path):
    path = write_config(tmp_path, "[serveur]\nport = 9000\n")
    with pytest.raises(ConfigError, match=r"unknown section\(s\) serveur"):
        load_settings(env={}, path=path)


def test_a_file_that_is_not_toml_is_refused(tmp_path):
    path = write_config(tmp_path, "[server\nport = 9000\n")
    with pytest.raises(ConfigError, match="config.toml"):
        load_settings(env={}, path=path)


def _with_data_dir(tmp_path: Path, secret_key: str = "") -> Settings:
    base = load_settings(env={}, path=NO_FILE)
    return replace(
        base,
        paths=replace(base.paths, data_dir=str(tmp_path / "data")),
        security=replace(base.security, secret_key=secret_key),
    )


def test_the_secret_key_is_generated_once_with_mode_0600_and_reused(tmp_path):
    settings = _with_data_dir(tmp_path)
    first = session_secret(settings)
    key_file = tmp_path / "data" / "secret.key"
    assert len(first) == 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text() == first.hex()
    assert session_secret(settings) == first


def test_a_configured_secret_key_wins_over_the_file(tmp_path):
    settings = _with_data_dir(tmp_path, secret_key="ab" * 32)
    assert session_secret(settings) == bytes.fromhex("ab" * 32)
    assert not (tmp_path / "data" / "secret.key").exists()


def test_a_secret_key_that_is_not_hex_is_refused_naming_its_key(tmp_path):
    with pytest.raises(ConfigError, match=r"\[security\] secret_key"):
        session_secret(_with_data_dir(tmp_path, secret_key="not hex at all"))
