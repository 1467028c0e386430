"""First-run SECRET_KEY / DATA_KEY: generated once into an owner-only file, reused afterwards;
explicit environment values win; prod never uses the file and refuses the defaults."""

from __future__ import annotations

import stat

import pytest

from qihang_app import config
from qihang_app.config import DEV_DATA_KEY, DEV_SECRET_KEY, ConfigError, Settings, ensure_local_keys


@pytest.fixture
def keys_file(tmp_path, monkeypatch):
    path = tmp_path / "var" / "secret-keys.env"
    monkeypatch.setattr(config, "LOCAL_KEYS_FILE", path)
    for name in ("SECRET_KEY", "DATA_KEY", "APP_ENV"):
        monkeypatch.delenv(name, raising=False)
    return path


def _settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


def _keys(settings: Settings) -> tuple[str, str]:
    return settings.secret_key.get_secret_value(), settings.data_key.get_secret_value()


def test_first_run_creates_an_owner_only_file_with_random_keys(keys_file):
    assert _keys(_settings()) == (DEV_SECRET_KEY, DEV_DATA_KEY)  # before the first run
    assert ensure_local_keys(_settings()) is True
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600
    secret, data = _keys(_settings())
    assert DEV_SECRET_KEY != secret != data != DEV_DATA_KEY
    assert len(secret) >= 32 and len(data) >= 32
    assert secret in keys_file.read_text() and data in keys_file.read_text()


def test_second_run_reuses_the_same_keys(keys_file):
    assert ensure_local_keys(_settings()) is True
    first = _keys(_settings())
    assert ensure_local_keys(_settings()) is False  # nothing to say on later runs
    assert _keys(_settings()) == first
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600


def test_environment_values_win_over_the_file(keys_file, monkeypatch):
    ensure_local_keys(_settings())
    monkeypatch.setenv("DATA_KEY", "merchant-chosen-data-key")
    secret, data = _keys(_settings())
    assert data == "merchant-chosen-data-key"
    assert secret not in (DEV_SECRET_KEY, "") and secret in keys_file.read_text()


def test_no_file_when_the_environment_sets_both_keys(keys_file, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DATA_KEY", "d" * 40)
    assert ensure_local_keys(_settings()) is False
    assert not keys_file.exists()


def test_prod_neither_writes_nor_reads_the_file_and_refuses_defaults(keys_file, monkeypatch):
    monkeypatch.setenv("APP_ENV", "prod")
    assert ensure_local_keys(_settings()) is False
    assert not keys_file.exists()
    with pytest.raises(ConfigError, match="SECRET_KEY.*DATA_KEY"):
        _settings().check_for_production()

    monkeypatch.setenv("APP_ENV", "dev")
    ensure_local_keys(_settings())
    monkeypatch.setenv("APP_ENV", "prod")
    with pytest.raises(ConfigError, match="secret-keys.env"):  # the file exists: say so
        _settings().check_for_production()
    monkeypatch.setenv("SECRET_KEY", "")
    monkeypatch.setenv("DATA_KEY", "")
    with pytest.raises(ConfigError, match="empty"):
        _settings().check_for_production()
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DATA_KEY", "d" * 40)
    _settings().check_for_production()  # explicit keys: fine
