"""Create the first admin if no user exists (dev: random password printed once; prod: ADMIN_PASSWORD)."""

from __future__ import annotations

from qihang_app.config import get_settings
from qihang_app.db import session_scope
from qihang_app.services import auth


def main() -> None:
    settings = get_settings()
    with session_scope() as session:
        password = auth.bootstrap_admin(session, settings=settings)
    if password:
        print(f"created admin '{settings.admin_username}' with password: {password}")


if __name__ == "__main__":
    main()
