"""Helpers for the ERP adapter tests: a fresh twin account per test, and orders in our shape."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import httpx

from integrations.erp_base import ErpConnection
from integrations.erp_contract import ErpOrder


def unique(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(4).upper()}"


def new_connection(
    control: httpx.Client, erp: str, base_url: str, identity: str, keys: dict[str, str]
) -> ErpConnection:
    """Issue `keys` as a new account of the ERP's twin (its own rate windows) and connect to it."""
    response = control.post(f"/erp/{erp}/accounts", json={"id": keys[identity], "keys": keys})
    assert response.status_code == 200, response.text
    return ErpConnection(erp=erp, base_url=base_url, keys=keys)


def twin_view(control: httpx.Client, erp: str) -> dict:
    response = control.get(f"/erp/{erp}")
    assert response.status_code == 200, response.text
    return response.json()


def documents(control: httpx.Client, erp: str, key: str, kind: str = "order") -> list[dict]:
    return [d for d in twin_view(control, erp)["documents"] if d["key"] == key and d["kind"] == kind]


def set_twin(control: httpx.Client, erp: str, **settings) -> dict:
    response = control.post(f"/erp/{erp}/settings", json=settings)
    assert response.status_code == 200, response.text
    return response.json()


def order(order_no: str | None = None, *, paid: bool = True, lines: int = 2) -> ErpOrder:
    created = datetime(2026, 11, 27, 2, 30, tzinfo=UTC)
    rows = [
        {"line_no": str(n), "sku": f"SKU-{n:03d}", "name": f"商品{n} 🍵", "quantity": n, "price_fen": 1990 + n, "amount_fen": (1990 + n) * n}
        for n in range(1, lines + 1)
    ]  # fmt: skip
    goods = sum(r["amount_fen"] for r in rows)
    return ErpOrder(
        order_no=order_no or unique("QH"),
        created_at=created,
        paid_at=created + timedelta(minutes=1) if paid else None,
        customer_code="MT-BUYER-001",
        buyer_name="张三",
        receiver_name="张三",
        receiver_phone="13800138000",
        province="上海",
        city="上海市",
        district="静安区",
        address="南京西路 1 号",
        lines=rows,
        total_fen=goods + 500,
        freight_fen=500,
        paid_fen=goods + 500,
        buyer_note="少放辣",
        seller_note="",
    )
