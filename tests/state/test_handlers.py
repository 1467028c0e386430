"""Static checks of the Reflex states (state/): they are flat, and no event handler blocks the
event loop with a database or Redis call (one blocking call there stalls every open tab of the
backend process, the live boards included)."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

STATE = Path(__file__).resolve().parent.parent.parent / "state"
OFFLOOP = "offloop.py"  # the one module allowed to open sessions: it runs them in a thread
BLOCKING_NAMES = {"session_scope", "read_scope", "Session", "get_engine", "publish_sync"}
# service modules whose functions never do I/O (exceptions, pure scope checks, the feed's async API)
PURE_SERVICES = {"errors", "scope", "board_feed"}


def _modules() -> list[Path]:
    return sorted(p for p in STATE.glob("*.py") if p.name != "__init__.py")


def _service_aliases(tree: ast.Module) -> set[str]:
    """Names bound to qihang_app.services modules in this file (`from qihang_app.services import x as y`)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "qihang_app.services":
            names.update(a.asname or a.name for a in node.names if a.name not in PURE_SERVICES)
    return names


def _direct_calls(fn: ast.AsyncFunctionDef):
    """Calls made by the coroutine itself: not inside a lambda or nested function, which is
    what the coroutine hands to a thread."""
    stack = list(fn.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if isinstance(node, ast.Call):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _blocking(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    services = _service_aliases(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in BLOCKING_NAMES and path.name != OFFLOOP:
            found.append(f"{path.name}:{node.lineno} uses {node.id}")
        if isinstance(node, ast.AsyncFunctionDef):
            for call in _direct_calls(node):
                f = call.func
                if (
                    isinstance(f, ast.Attribute)
                    and isinstance(f.value, ast.Name)
                    and f.value.id in services
                    and not _is_coroutine(tree, f.value.id, f.attr)
                ):
                    found.append(f"{path.name}:{call.lineno} calls {f.value.id}.{f.attr} on the event loop")
        if isinstance(node, ast.FunctionDef) and any(_is_event(d) for d in node.decorator_list):
            for call in ast.walk(node):
                f = getattr(call, "func", None)
                if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in services:
                    found.append(f"{path.name}:{call.lineno} sync handler {node.name} calls {f.value.id}.{f.attr}")
    return found


def _is_coroutine(tree: ast.Module, alias: str, attr: str) -> bool:
    """A service that is itself a coroutine does its blocking part off the loop (awaited)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "qihang_app.services":
            for a in node.names:
                if (a.asname or a.name) == alias:
                    module = importlib.import_module(f"qihang_app.services.{a.name}")
                    return inspect.iscoroutinefunction(getattr(module, attr, None))
    return False


def _is_event(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr == "event"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_no_handler_blocks_the_event_loop(path):
    assert _blocking(path) == []


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_states_are_flat(path):
    """Every state inherits rx.State itself and reaches the user through AuthState."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(ast.unparse(b).endswith("State") for b in node.bases):
            assert [ast.unparse(b) for b in node.bases] == ["rx.State"], node.name


def test_the_checker_catches_a_blocking_handler(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from qihang_app.services import orders as order_service\n"
        "from qihang_app.db import session_scope\n"
        "class S(rx.State):\n"
        "    @rx.event\n"
        "    async def load(self):\n"
        "        with session_scope() as s:\n"
        "            order_service.list_orders(s)\n"
        "        await in_session(lambda s: order_service.list_orders(s))\n"
        "    @rx.event\n"
        "    def sync(self):\n"
        "        order_service.list_orders(None)\n"
    )
    found = _blocking(bad)
    assert sorted(f.split(" ")[0] for f in found) == ["bad.py:11", "bad.py:6", "bad.py:7"]  # not line 8
