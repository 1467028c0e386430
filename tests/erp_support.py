"""Helpers for the ERP link tests: a connection to the sandbox's QiHang ERP twin, orders whose
lines are linked to ERP SKUs, signed calls to our inbound API, and the twin's control."""

from __future__ import annotations

import json
import secrets
import time

import httpx
from sqlmodel import Session, select

from integrations.qihang_erp import sign
from integrations.qihang_erp.twin import CONTROL, PUSH_PATH
from qihang_app.models import ErpSku, Order, OrderLine
from qihang_app.services import erp_connections
from tests.services.factories import platform_order


def new_keys() -> tuple[str, str]:
    return f"k-{secrets.token_hex(4)}", secrets.token_hex(16)


def connect_twin(oms, *, key: str, secret: str, **options) -> int:
    """An ERP connection of the test store to the twin, and the twin told about the keys."""
    oms.sandbox.control.post(CONTROL.removeprefix("/_control"), json={"keys": {key: secret}})
    with Session(oms.engine) as session:
        view = erp_connections.create_connection(
            session,
            actor=oms.admin,
            name="自研 ERP",
            erp="qihang",
            base_url=oms.sandbox.url + PUSH_PATH,
            keys={"key": key, "secret": secret},
            store_id=oms.store_id,
            **options,
        )
        session.commit()
        return view.id


def twin(oms, **settings) -> dict:
    path = CONTROL.removeprefix("/_control")
    response = oms.sandbox.control.post(path, json=settings) if settings else oms.sandbox.control.get(path)
    assert response.status_code == 200, response.text
    return response.json()


def twin_reset(oms) -> None:
    oms.sandbox.control.delete(CONTROL.removeprefix("/_control"))


def twin_truth(oms) -> dict:
    return oms.sandbox.control.get(CONTROL.removeprefix("/_control") + "/deliveries").json()


def linked_order(oms, pair, *, no: str, status: str = "to_ship", sku: str = "SKU-A", **kw) -> Order:
    with Session(oms.engine, expire_on_commit=False) as session:
        erp_sku = session.exec(select(ErpSku).where(ErpSku.code == sku)).first()
        if erp_sku is None:
            erp_sku = ErpSku(code=sku, name="测试商品")
            session.add(erp_sku)
            session.flush()
        order = platform_order(
            session, shop_id=pair.shop_id, store_id=pair.store_id, no=no, status=status, platform=pair.platform, **kw
        )
        for line in session.exec(select(OrderLine).where(OrderLine.order_id == order.id)):
            line.erp_sku_id = erp_sku.id
            session.add(line)
        session.commit()
        return order


def signed(key: str, secret: str, payload, *, at: float | None = None) -> tuple[bytes, dict[str, str]]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
    return body, sign.signed_headers(key, secret, body, now=at if at is not None else time.time())


def post(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(url, content=body, headers=headers, timeout=10, trust_env=False)
