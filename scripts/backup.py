"""Back up the database: `python -m scripts.backup [--dir DIR] [--keep N] [--database-url URL]`.

SQLite through its online backup API (the app may keep running), PostgreSQL through pg_dump.
Defaults come from settings (BACKUP_DIR, BACKUP_KEEP, DATABASE_URL). Prints the file written.
Keep var/secret-keys.env (or your DATA_KEY) with the backups: without it, the stored platform
credentials and alert robot addresses cannot be read.
"""

from __future__ import annotations

import argparse
import sys

from qihang_app.config import get_settings
from qihang_app.services.backups import BackupError, backup


def main(argv: list[str] | None = None) -> int:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m scripts.backup", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default=settings.backup_dir)
    parser.add_argument("--keep", type=int, default=settings.backup_keep)
    parser.add_argument("--database-url", default=settings.database_url)
    args = parser.parse_args(argv)
    try:
        print(backup(args.database_url, args.dir, keep=args.keep))
    except BackupError as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
