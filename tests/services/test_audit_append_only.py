"""No code path changes or removes an audit entry: nothing outside the migration names audit_log
or AuditEntry in an UPDATE, DELETE or TRUNCATE, or sets a field of a loaded entry."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
CODE_DIRS = ("qihang_app", "state", "workers", "components", "scripts", "integrations")
WRITES = re.compile(
    r"(sa\.|sqlalchemy\.)?(update|delete)\(\s*(AuditEntry|audit_log)"
    r"|(UPDATE|DELETE\s+FROM|TRUNCATE)\s+(TABLE\s+)?audit_log"
    r"|(AuditEntry|audit_log)\b[^\n]*\.(update|delete)\("
    r"|session\.delete\(\s*(entry|audit_entry|row_of_audit)\b",
    re.IGNORECASE,
)
# the triggers that refuse those statements say so in their own text
ALLOWED = {"qihang_app/models/audit.py"}


def offending_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if WRITES.search(line)]


def test_no_update_or_delete_path_in_the_code():
    found = []
    for folder in CODE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if rel in ALLOWED:
                continue
            found += [f"{rel}: {line}" for line in offending_lines(path.read_text(encoding="utf-8"))]
    assert found == []


def test_the_scan_catches_the_usual_ways():
    for bad in (
        "session.execute(sa.update(AuditEntry).values(actor='x'))",
        "session.execute(sa.delete(AuditEntry).where(AuditEntry.id == 1))",
        'conn.execute(sa.text("DELETE FROM audit_log"))',
        'op.execute("TRUNCATE TABLE audit_log")',
        "AuditEntry.__table__.delete()",
        "session.delete(entry)",
    ):
        assert offending_lines(bad), bad
    assert offending_lines("session.add(AuditEntry(action='x'))") == []
