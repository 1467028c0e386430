"""The direction of imports from the architecture: components → state → services → domain;
workers → services and integrations; integrations → domain only; api → services."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# layer folder → imports it must never make (module prefixes)
FORBIDDEN = {
    "components": [
        "qihang_app.services",
        "qihang_app.db",
        "qihang_app.models",
        "integrations",
        "workers",
        "sqlmodel",
        "sqlalchemy",
        "httpx",
    ],
    "state": ["integrations", "workers", "httpx"],
    "qihang_app/services": ["reflex", "state", "components", "qihang_app.pages", "workers"],
    "qihang_app/models": ["reflex", "state", "components", "qihang_app.services", "integrations", "workers"],
    "integrations": [
        "qihang_app.services",
        "qihang_app.db",
        "qihang_app.models",
        "state",
        "components",
        "reflex",
        "workers",
        "sqlmodel",
        "sqlalchemy",
    ],
    "qihang_app/api": ["state", "components", "reflex"],
    "workers": ["state", "components", "reflex", "qihang_app.pages"],
}


def imported_modules(source: str) -> set[str]:
    mods: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            mods.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            mods.add(node.module)
    return mods


def violations(folder: str, banned: list[str]) -> list[str]:
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for mod in imported_modules(path.read_text(encoding="utf-8")):
            if any(mod == b or mod.startswith(b + ".") for b in banned):
                found.append(f"{path.relative_to(ROOT)} imports {mod}")
    return found


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_layer_imports(folder):
    assert violations(folder, FORBIDDEN[folder]) == []


def test_checker_catches_a_bad_import(tmp_path, monkeypatch):
    assert "integrations.meituan" in imported_modules("from integrations.meituan import client\n")
    assert imported_modules("from . import x\n") == set()
