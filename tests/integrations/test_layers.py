"""integrations may import qihang_app.domain, never the database, services, Reflex or state;
the normalised types in the domain stay standard-library only."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = (
    "qihang_app.services",
    "qihang_app.models",
    "qihang_app.db",
    "qihang_app.api",
    "qihang_app.pages",
    "qihang_app.qihang_app",
    "state",
    "components",
    "workers",
    "reflex",
    "sqlmodel",
    "sqlalchemy",
    "redis",
    "arq",
)


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_integrations_import_only_allowed_layers():
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / "integrations").rglob("*.py")
        for name in imported_modules(path)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)
    ]
    assert offenders == []


def test_platform_order_types_are_stdlib_only():
    path = ROOT / "qihang_app" / "domain" / "platform_order.py"
    for name in imported_modules(path):
        top = name.split(".")[0]
        assert top in sys.stdlib_module_names or name.startswith("qihang_app.domain") or name == "__future__", name
