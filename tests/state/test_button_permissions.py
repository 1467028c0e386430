"""On 商品 and 店铺商品 every action button is wrapped in `when_can("<its permission>", …)`: the
permission its handler requires, or, for a button that opens a dialog, the permission of what the
dialog does. Read from the source (ast), so a button added later without its gate fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.state.test_permissions import _name

ROOT = Path(__file__).resolve().parent.parent.parent
# file with buttons → the state module its handlers live in
FILES = {
    "components/products.py": "state/products.py",
    "components/shop_products.py": "state/shop_products.py",
    "components/sku_link_dialogs.py": "state/shop_products.py",
    "components/catalog_import.py": "state/catalog_import.py",
    "qihang_app/pages/products.py": "state/products.py",
    "qihang_app/pages/shop_products.py": "state/shop_products.py",
}
# dialogs opened by a view-only handler: the button shows to who may do what the dialog does
OPENERS = {
    "state/products.py": {"open_new": "product.edit"},
    "state/shop_products.py": {"open_link": "sku.link", "open_unlink": "sku.unlink"},
    "state/catalog_import.py": {"open": "product.import"},
}


def handler_permissions(state_file: str) -> dict[str, str]:
    """{handler: the permission it requires, or "view" for a view-only one}."""
    found = {}
    for node in ast.walk(ast.parse((ROOT / state_file).read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for d in node.decorator_list:
                if _name(d) == "requires" and isinstance(d, ast.Call):
                    found[node.name] = d.args[0].value
                elif _name(d) == "view_only":
                    found[node.name] = "view"
    return found | OPENERS.get(state_file, {})


def _handler(value: ast.expr) -> str:
    target = value.func if isinstance(value, ast.Call) else value
    return target.attr if isinstance(target, ast.Attribute) else ""


def ungated(source: str, perms: dict[str, str]) -> list[str]:
    """Buttons whose handler needs a permission (not just the page's) without its gate around."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    problems = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for kw in node.keywords:
            if kw.arg != "on_click":
                continue
            name = _handler(kw.value)
            need = perms.get(name, "")
            if not need or need == "view" or need.startswith("page."):
                continue
            up, gated = node, False
            while up in parents and not gated:
                up = parents[up]
                gated = (
                    isinstance(up, ast.Call)
                    and getattr(up.func, "id", "") == "when_can"
                    and isinstance(up.args[0], ast.Constant)
                    and up.args[0].value == need
                )
            if not gated:
                problems.append(f"line {node.lineno}: {name} needs when_can({need!r})")
    return problems


@pytest.mark.parametrize("path", sorted(FILES))
def test_every_action_button_is_gated_by_its_permission(path):
    perms = handler_permissions(FILES[path])
    assert ungated((ROOT / path).read_text(encoding="utf-8"), perms) == []


def test_the_check_finds_a_bare_button():
    source = (
        'x = rx.button("导出", on_click=S.export("csv"))\ny = when_can("product.edit", rx.button(on_click=S.export))'
    )
    assert ungated(source, {"export": "product.export"}) == [
        "line 1: export needs when_can('product.export')",
        "line 2: export needs when_can('product.export')",
    ]
