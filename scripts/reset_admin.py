"""Set a new random password for the admin user and print it (for a lost first-run password)."""

from __future__ import annotations

import secrets

from sqlmodel import select

from qihang_app.config import get_settings
from qihang_app.db import session_scope
from qihang_app.models import User
from qihang_app.services.crypto import hash_password


def main() -> None:
    settings = get_settings()
    password = secrets.token_urlsafe(12)
    with session_scope() as session:
        user = session.exec(select(User).where(User.username == settings.admin_username.lower())).first()
        if user is None:
            raise SystemExit(f"no user named {settings.admin_username}")
        user.password_hash = hash_password(password)
        user.enabled = True
        session.add(user)
    print(f"new password for '{settings.admin_username}': {password}")


if __name__ == "__main__":
    main()
