"""Changes an ERP makes through the inbound API are in the audit trail with its key as the actor
(name and public key id, never the secret) and the caller's address; /audit filters by actor type."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from qihang_app.models import AuditEntry, ErpOrderState
from qihang_app.services import audit
from tests.erp_support import connect_twin, linked_order, new_keys, post, signed

pytestmark = pytest.mark.timeout(60)


def test_shipment_and_cancel_result_name_the_key(oms):
    key, secret = new_keys()
    pair = oms.add_shop("meituan")
    conn_id = connect_twin(oms, key=key, secret=secret)
    order = linked_order(oms, pair, no="AUD-1")
    body = {"order_no": f"QH{order.id}", "carrier_code": "SF", "tracking_no": "SF424242"}
    assert post(f"{oms.api_url}/api/erp/v1/shipments", *signed(key, secret, body)).status_code == 200
    other = linked_order(oms, pair, no="AUD-2")
    with Session(oms.engine) as session:
        session.add(ErpOrderState(order_id=other.id, connection_id=conn_id, state="cancel_queued"))
        session.commit()
    body = {"order_no": f"QH{other.id}", "outcome": "cancelled"}
    assert post(f"{oms.api_url}/api/erp/v1/cancel-results", *signed(key, secret, body)).status_code == 200
    with Session(oms.engine) as session:
        rows = session.exec(
            select(AuditEntry).where(AuditEntry.actor == f"key:{conn_id}").order_by(AuditEntry.id)
        ).all()
        assert [(r.action, r.target_id, r.store_id, r.address) for r in rows] == [
            ("erp.api.ship", str(order.id), oms.store_id, "127.0.0.1"),
            ("erp.api.cancel_result", str(other.id), oms.store_id, "127.0.0.1"),
        ]
        assert all(key in r.actor_name and secret not in r.actor_name + (r.after or "") for r in rows)
        assert "SF424242" in rows[0].after
        by_key, _ = audit.search(session, actor=oms.admin, filters=audit.AuditFilter(actor_kind="key"))
        by_people, _ = audit.search(session, actor=oms.admin, filters=audit.AuditFilter(actor_kind="user"))
        by_ref, _ = audit.search(session, actor=oms.admin, filters=audit.AuditFilter(who=f"key:{conn_id}"))
    assert {r.id for r in by_key} == {r.id for r in rows} == {r.id for r in by_ref}
    assert by_people and all(r.actor.startswith("user:") for r in by_people)
