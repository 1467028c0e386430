"""One settings object for the app, the workers, the sandbox and the scripts.

Values come from the environment (prefix-free names such as DATABASE_URL) or a `.env` file.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
# Local data: the SQLite database, the embedded Redis, generated keys, logs.
VAR_DIR = Path(os.environ.get("VAR_DIR") or ROOT / "var")
# SECRET_KEY and DATA_KEY generated on the first run (owner-only file), used outside prod
# whenever the environment (or .env) does not set them.
LOCAL_KEYS_FILE = VAR_DIR / "secret-keys.env"
_KEY_NAMES = {"secret_key": "SECRET_KEY", "data_key": "DATA_KEY"}

# Dev-only fallbacks. Prod refuses to start while either key equals one of these or is empty.
DEV_SECRET_KEY = "dev-insecure-secret-key-change-me"
DEV_DATA_KEY = "dev-insecure-data-key-change-me"


class ConfigError(RuntimeError):
    """Settings that must not be used in this environment."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    app_env: Literal["dev", "prod", "test"] = "dev"
    database_url: str = f"sqlite:///{VAR_DIR / 'qihang.db'}"
    redis_url: str = "redis://127.0.0.1:6379/0"
    secret_key: SecretStr = SecretStr(DEV_SECRET_KEY)
    # Key for encrypting platform credentials at rest (any string; a Fernet key is derived from it).
    data_key: SecretStr = SecretStr(DEV_DATA_KEY)

    app_port: int = 3000
    sandbox_port: int = 8700
    public_url: str = ""  # set when the app is reached by a host other than localhost
    # Where Reflex keeps each browser tab's state: "memory" for one app process (the default:
    # a board's state never leaves the process), "redis" when several app processes share users.
    ui_state: Literal["memory", "redis"] = "memory"

    session_hours: int = 12
    # Login throttling (services/auth.py): free failures per account and per client address,
    # then each further attempt waits 1, 2, 4 … s up to the maximum; counts are forgotten after
    # a quiet spell without failures.
    login_free_failures: int = Field(default=3, ge=1)
    login_address_free_failures: int = Field(default=50, ge=1)
    login_max_delay_seconds: int = Field(default=300, ge=1)
    login_forget_minutes: int = Field(default=60, ge=1)

    admin_username: str = "admin"
    admin_password: SecretStr | None = Field(default=None)  # required in prod for the first run

    heartbeat_seconds: int = 10
    # GET /metrics: with a token, scrapers send "Authorization: Bearer <token>"; without one only
    # internal addresses (loopback, private networks) may read it.
    metrics_token: SecretStr = SecretStr("")
    # Backups (python -m scripts.backup, and the workers' daily cron): where, and how many to keep.
    backup_dir: str = str(VAR_DIR / "backups")
    backup_keep: int = Field(default=14, ge=1)
    # Successfully processed inbox rows are deleted after this many days (failed and rejected
    # rows are kept: they are evidence and can be replayed).
    inbox_retention_days: int = Field(default=30, ge=1)
    # 门店与店铺 warns this many days before a shop's OAuth token (access or refresh) lapses.
    token_warn_days: int = Field(default=7, ge=0)

    @model_validator(mode="after")
    def _use_local_keys(self) -> Settings:
        """Keys not set explicitly come from the first run's generated file (never in prod)."""
        if self.app_env == "prod":
            return self
        missing = [name for name in _KEY_NAMES if name not in self.model_fields_set]
        stored = read_local_keys() if missing else {}
        for name in missing:
            if stored.get(_KEY_NAMES[name]):
                setattr(self, name, SecretStr(stored[_KEY_NAMES[name]]))
        return self

    def check_for_production(self) -> None:
        """Raise ConfigError naming every unsafe key when running in prod."""
        if self.app_env != "prod":
            return
        problems = []
        if self.secret_key.get_secret_value() in ("", DEV_SECRET_KEY):
            problems.append("SECRET_KEY is empty or the development default")
        if self.data_key.get_secret_value() in ("", DEV_DATA_KEY):
            problems.append("DATA_KEY is empty or the development default")
        if len(self.secret_key.get_secret_value()) < 32:
            problems.append("SECRET_KEY is shorter than 32 characters")
        if problems:
            hint = ""
            if LOCAL_KEYS_FILE.exists():
                hint = (
                    f" (prod does not read {LOCAL_KEYS_FILE.name}: to keep reading credentials "
                    "stored in development, set its values in the environment)"
                )
            raise ConfigError("refusing to start in prod: " + "; ".join(problems) + hint)


def read_local_keys(path: Path | None = None) -> dict[str, str]:
    """KEY=value lines of the generated keys file ({} when there is none)."""
    path = path or LOCAL_KEYS_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def ensure_local_keys(settings: Settings, path: Path | None = None) -> bool:
    """First run outside prod: write random SECRET_KEY and DATA_KEY to an owner-only file.

    Returns True when the file was created now. Nothing is written in prod, nor when the
    environment sets both keys, nor when the file exists already.
    """
    path = path or LOCAL_KEYS_FILE
    if settings.app_env == "prod" or path.exists():
        return False
    if all(name in settings.model_fields_set for name in _KEY_NAMES):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    body = (
        "# Generated on the first run. Keep it with the database backups: without DATA_KEY\n"
        "# the stored platform credentials cannot be decrypted. Environment values win.\n"
        + "".join(f"{env}={secrets.token_urlsafe(32)}\n" for env in _KEY_NAMES.values())
    )
    try:  # O_EXCL: two first runs at once cannot both write; 0600 from the first byte
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(body)
    return True


@lru_cache
def get_settings() -> Settings:
    return Settings()
