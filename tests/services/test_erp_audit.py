"""The ERP link's changes made by people are in the audit trail (keys only as "changed"), and a role
without the permission is refused before anything moves — on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import select

from qihang_app.models import AuditEntry
from qihang_app.services import erp_manual
from qihang_app.services.scope import ScopeError

from .test_erp_push import _conn, _order


def _actions(session) -> list[AuditEntry]:
    return [r for r in session.exec(select(AuditEntry).order_by(AuditEntry.id)).all() if r.action.startswith("erp.")]


def test_connection_push_and_typed_shipment_are_recorded(session, world):
    _conn(session, world)
    order = _order(session, world, linked=True)
    erp_manual.push_orders(session, actor=world.admin, order_ids=[order.id])
    erp_manual.enter_shipment(
        session, actor=world.admin, order_id=order.id, carrier_code="SF", tracking_no="SF1234567890"
    )
    session.commit()
    rows = _actions(session)
    assert [r.action for r in rows] == ["erp.connection.create", "erp.push", "erp.ship"]
    assert rows[1].target_id == rows[2].target_id == str(order.id)
    assert "changed" in rows[0].after and "s3cret" not in rows[0].after
    assert "SF1234567890" in rows[2].after


def test_staff_may_not_push_or_type_a_shipment(session, world):
    order = _order(session, world, linked=True)
    with pytest.raises(ScopeError):
        erp_manual.push_orders(session, actor=world.staff_a, order_ids=[order.id])
    with pytest.raises(ScopeError):
        erp_manual.enter_shipment(session, actor=world.staff_a, order_id=order.id, carrier_code="SF", tracking_no="X1")
    assert _actions(session) == []
