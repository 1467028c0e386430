"""Every event handler of every state declares its permission (`@requires("...")`), or that it
only changes the tab's view (`@view_only`, and then it is a plain function: it cannot await a
service), or that it is open to anyone (`@public`). A handler added without one fails here, so a
page merged later cannot skip the check."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
import reflex as rx

from qihang_app.domain.permissions import KEYS
from state.marks import PERMISSION_ATTR, PUBLIC, VIEW_ONLY

STATE = Path(__file__).resolve().parent.parent.parent / "state"
DECLARATIONS = {"requires", "view_only", "public"}
PUBLIC_HANDLERS = {"require_login", "go_home", "logout", "submit", "redirect_if_logged_in"}  # log in / out
# the rider's phone page (/rider?k=): no account; the secret link is checked by own_riders
PUBLIC_BY_FILE = {"rider_page.py": {"load", "step"}}
REFLEX_BUILT_IN = {"setvar"}  # Reflex's own setter of a declared var (no data)


def _modules() -> list[Path]:
    return sorted(p for p in STATE.glob("*.py") if p.name != "__init__.py")


def _name(decorator: ast.expr) -> str:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")


def undeclared(source: str, filename: str = "x.py") -> list[str]:
    """Handlers (decorated @rx.event) in `source` without a declaration, or with a wrong one."""
    problems = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        names = [_name(d) for d in node.decorator_list]
        if "event" not in names:
            continue
        declared = [n for n in names if n in DECLARATIONS]
        where = f"{filename}:{node.lineno} {node.name}"
        if not declared:
            problems.append(f"{where} declares no permission")
        elif "view_only" in declared and isinstance(node, ast.AsyncFunctionDef):
            problems.append(f"{where} is view_only but async (it could reach data)")
        elif "public" in declared and node.name not in PUBLIC_HANDLERS | PUBLIC_BY_FILE.get(filename, set()):
            problems.append(f"{where} is public: only log in / out may be")
        elif names.index("event") > names.index(declared[0]):
            problems.append(f"{where} has @rx.event inside: it must be the outer decorator")
    return problems


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_every_handler_declares_a_permission(path):
    assert undeclared(path.read_text(encoding="utf-8"), path.name) == []


def _states() -> list[type[rx.State]]:
    for path in _modules():
        importlib.import_module(f"state.{path.stem}")
    found, todo = [], list(rx.State.get_substates())
    while todo:
        cls = todo.pop()
        todo.extend(cls.get_substates())
        if cls.__module__.startswith("state."):
            found.append(cls)
    return found


def test_every_registered_handler_carries_a_known_declaration():
    """The same rule on the handlers Reflex actually registered (whatever decorators produced them)."""
    states = _states()
    assert len(states) >= 10
    seen = 0
    for cls in states:
        for name, handler in cls.event_handlers.items():
            if name in REFLEX_BUILT_IN:
                continue
            declared = getattr(handler.fn, PERMISSION_ATTR, None)
            assert declared in KEYS | {VIEW_ONLY, PUBLIC}, f"{cls.__name__}.{name}: {declared!r}"
            seen += 1
    assert seen >= 70


def test_the_checker_catches_an_undeclared_handler():
    source = (
        "class S(rx.State):\n"
        "    @rx.event\n"
        "    async def load(self): ...\n"
        "    @rx.event\n"
        "    @requires('page.orders')\n"
        "    async def fine(self): ...\n"
        "    @rx.event\n"
        "    @view_only\n"
        "    async def sneaky(self): ...\n"
        "    @rx.event\n"
        "    @public\n"
        "    async def delete_everything(self): ...\n"
        "    @requires('page.orders')\n"
        "    @rx.event\n"
        "    async def inside_out(self): ...\n"
        "    def helper(self): ...\n"
    )
    found = undeclared(source)
    assert [f.split(" ")[1] for f in found] == ["load", "sneaky", "delete_everything", "inside_out"]


def test_an_unknown_permission_fails_at_import():
    from state.permissions import requires

    with pytest.raises(ValueError, match="domain/permissions.py"):
        requires("order.teleport")
