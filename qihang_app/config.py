"""One settings object for the app, the workers, the sandbox and the scripts.

Values come from the environment (prefix-free names such as DATABASE_URL) or a `.env` file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var"

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
    login_max_failures: int = 5
    login_lock_minutes: int = 15

    admin_username: str = "admin"
    admin_password: SecretStr | None = Field(default=None)  # required in prod for the first run

    heartbeat_seconds: int = 10
    # Successfully processed inbox rows are deleted after this many days (failed and rejected
    # rows are kept: they are evidence and can be replayed).
    inbox_retention_days: int = Field(default=30, ge=1)

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
            raise ConfigError("refusing to start in prod: " + "; ".join(problems))


@lru_cache
def get_settings() -> Settings:
    return Settings()
