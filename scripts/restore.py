"""Restore a backup into an EMPTY database: `python -m scripts.restore FILE [--database-url URL]`.

Create the new database first (PostgreSQL: `createdb qihang_restored`; SQLite: a path that does
not exist yet), restore, then point DATABASE_URL at it. A database holding any table is refused.
"""

from __future__ import annotations

import argparse
import sys

from qihang_app.config import get_settings
from qihang_app.services.backups import BackupError, restore


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.restore", description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--database-url", default=None, help="default: DATABASE_URL")
    args = parser.parse_args(argv)
    try:
        restore(args.file, args.database_url or get_settings().database_url)
    except BackupError as exc:
        print(f"restore failed: {exc}", file=sys.stderr)
        return 1
    print(f"restored {args.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
