"""qihang_app.domain must import only the standard library and itself.

The domain layer is shared by the web app, workers and integrations; a stray import of the
ORM, Reflex or an HTTP client would drag those into every caller and into fast unit tests.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

DOMAIN_PACKAGE = "qihang_app.domain"
DOMAIN_DIR = Path(__file__).resolve().parents[2] / "qihang_app" / "domain"
_DYNAMIC_IMPORTERS = {"__import__", "import_module"}


def _allowed(module: str) -> bool:
    if module == DOMAIN_PACKAGE or module.startswith(DOMAIN_PACKAGE + "."):
        return True
    return module.split(".")[0] in sys.stdlib_module_names


def _resolve_relative(module: str | None, level: int, package: str) -> str:
    """Absolute name of `from <level dots><module> import ...` inside `package`."""
    parts = package.split(".")
    if level - 1 >= len(parts):
        return "." * level + (module or "")  # climbs above the top: never allowed
    base = parts[: len(parts) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def find_bad_imports(source: str, module_name: str, *, is_package: bool = False) -> list[str]:
    """Imports of `source` (the module `module_name`) that are neither stdlib nor domain."""
    package = module_name if is_package else module_name.rpartition(".")[0]
    bad: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                names = [_resolve_relative(node.module, node.level, package)]
            else:
                names = [node.module or ""]
            # `from qihang_app import domain` names the package qihang_app, which is not pure.
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in _DYNAMIC_IMPORTERS:
                bad.append(f"line {node.lineno}: dynamic import via {name}()")
            continue
        else:
            continue
        bad.extend(f"line {node.lineno}: {name}" for name in names if not _allowed(name))
    return bad


def _domain_files() -> list[Path]:
    return sorted(DOMAIN_DIR.rglob("*.py"))


def test_domain_imports_only_stdlib_and_itself():
    files = _domain_files()
    assert len(files) >= 6, f"expected the domain modules under {DOMAIN_DIR}, found {files}"
    problems = []
    for path in files:
        rel = path.relative_to(DOMAIN_DIR.parents[1])
        parts = list(rel.with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        module = ".".join(parts[:-1] if is_package else parts)
        for bad in find_bad_imports(path.read_text(encoding="utf-8"), module, is_package=is_package):
            problems.append(f"{rel}: {bad}")
    assert not problems, "non-stdlib imports in the pure domain layer:\n" + "\n".join(problems)


# --- the checker itself must catch bad imports ------------------------------------------------


@pytest.mark.parametrize(
    ("source", "offender"),
    [
        ("import sqlalchemy", "sqlalchemy"),
        ("import json, httpx", "httpx"),
        ("import reflex as rx", "reflex"),
        ("from pydantic import BaseModel", "pydantic"),
        ("from sqlmodel.main import SQLModel", "sqlmodel.main"),
        ("from qihang_app.models import Order", "qihang_app.models"),
        ("import qihang_app.config", "qihang_app.config"),
        ("from qihang_app import domain", "qihang_app"),
        ("from .. import models", "qihang_app"),
        ("from ..services.orders import x", "qihang_app.services.orders"),
        ("from ..... import x", "....."),
        ("def f():\n    import redis\n", "redis"),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from arq import X\n", "arq"),
        ("import importlib\nimportlib.import_module('reflex')", "import_module"),
        ("__import__('httpx')", "__import__"),
    ],
)
def test_checker_flags_bad_imports(source, offender):
    bad = find_bad_imports(source, "qihang_app.domain.example")
    assert bad and any(offender in line for line in bad), bad


@pytest.mark.parametrize(
    "source",
    [
        "from __future__ import annotations",
        "import json\nimport os.path\nfrom decimal import Decimal\nfrom zoneinfo import ZoneInfo",
        "from qihang_app.domain.errors import DomainError",
        "import qihang_app.domain.money",
        "from qihang_app.domain import money",
        "from . import money",
        "from .errors import DomainError",
    ],
)
def test_checker_accepts_good_imports(source):
    assert find_bad_imports(source, "qihang_app.domain.example") == []


def test_checker_resolves_relative_imports_from_a_package_init():
    assert find_bad_imports("from . import money", "qihang_app.domain", is_package=True) == []
    assert find_bad_imports("from .. import x", "qihang_app.domain", is_package=True) == ["line 1: qihang_app"]


def test_failure_names_file_and_module(tmp_path, monkeypatch):
    """Run the real test against a fake domain tree with one bad file."""
    fake = tmp_path / "qihang_app" / "domain"
    fake.mkdir(parents=True)
    for name in ("__init__", "a", "b", "c", "d"):
        (fake / f"{name}.py").write_text("import json\n")
    (fake / "leaky.py").write_text("import json\nfrom sqlmodel import Field\n")
    monkeypatch.setattr(sys.modules[__name__], "DOMAIN_DIR", fake)
    with pytest.raises(AssertionError) as info:
        test_domain_imports_only_stdlib_and_itself()
    assert "qihang_app/domain/leaky.py: line 2: sqlmodel" in str(info.value)
