"""The audit trail of the catalog, delivery settings and alerts: who changed what, with secrets
written as "changed" only — on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

import integrations.registry  # noqa: F401  (registers the carriers' profiles)
from qihang_app.models import AuditEntry
from qihang_app.services import alert_channels, auto_dispatch, carrier_accounts, catalog, catalog_import, own_riders
from qihang_app.services.scope import ScopeError
from tests.services.factories import build_world

SKUS = [{"sku_code": "T1-M", "color": "红色", "size": "M", "price_fen": 5900}]
DADA = {"app_key": "ak-1", "app_secret": "s3cret-value", "source_id": "73753", "shop_no": "11047059"}
ROBOT = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef"


@pytest.fixture
def world(session):
    return build_world(session)


def _entries(session, action_prefix: str) -> list[AuditEntry]:
    rows = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    return [r for r in rows if r.action.startswith(action_prefix)]


def test_product_create_edit_disable_export_are_recorded(session, world):
    view = catalog.save_product(session, actor=world.manager_a, product_id=None, code="T1", name="纯棉T恤", skus=SKUS)
    catalog.save_product(session, actor=world.manager_a, product_id=view.id, code="T1", name="T恤", skus=SKUS)
    catalog.save_product(session, actor=world.manager_a, product_id=view.id, code="T1", name="T恤", skus=SKUS)
    catalog.set_product_enabled(session, actor=world.manager_a, product_id=view.id, enabled=False)
    catalog_import.export_file(session, actor=world.manager_a, kind="csv")
    rows = _entries(session, "product.")
    assert [r.action for r in rows] == ["product.create", "product.update", "product.disable", "product.export"]
    assert rows[0].actor_name == world.manager_a.username and rows[1].target_id == str(view.id)
    assert json.loads(rows[1].before)["name"] == "纯棉T恤" and json.loads(rows[1].after)["name"] == "T恤"
    assert json.loads(rows[3].after) == {"kind": "csv", "rows": 1}


def test_staff_may_not_edit_or_import_products(session, world):
    with pytest.raises(ScopeError):
        catalog.save_product(session, actor=world.staff_a, product_id=None, code="T2", name="x", skus=SKUS)
    with pytest.raises(ScopeError):
        catalog_import.export_file(session, actor=world.staff_a, kind="csv")
    assert _entries(session, "product.") == []


def test_carrier_keys_are_recorded_as_changed_never_their_values(session, world):
    values = dict(actor=world.manager_a, store_id=world.store_a, carrier="dada")
    row = carrier_accounts.save_account(session, keys=dict(DADA), **values)
    carrier_accounts.save_account(
        session, keys={**DADA, "app_secret": "", "app_key": "ak-2"}, account_id=row.id, **values
    )
    carrier_accounts.delete_account(session, actor=world.manager_a, account_id=row.id)
    rows = _entries(session, "carrier_account.")
    assert [r.action for r in rows] == ["carrier_account.create", "carrier_account.update", "carrier_account.delete"]
    text = " ".join(f"{r.before} {r.after}" for r in rows)
    assert "s3cret-value" not in text and "ak-1" not in text and "ak-2" not in text
    changed = json.loads(rows[1].after)
    assert changed["credentials.app_key"] == "changed" and "credentials.app_secret" not in changed
    assert rows[0].store_id == world.store_a


def test_riders_and_dispatch_rules_are_recorded(session, world):
    rider = own_riders.save_rider(
        session, actor=world.manager_a, store_id=world.store_a, name="小王", phone="13800138000"
    )
    own_riders.new_link(session, actor=world.manager_a, rider_id=rider.id)
    auto_dispatch.save_rule(
        session, actor=world.manager_a, store_id=world.store_a, enabled=True, trigger="ready", strategy="cheapest"
    )
    actions = [r.action for r in _entries(session, "") if r.action.startswith(("rider.", "dispatch_rule."))]
    assert actions == ["rider.create", "rider.link", "dispatch_rule.update"]
    link = _entries(session, "rider.link")[0]
    assert json.loads(link.after) == {"link_secret": "changed"}
    with pytest.raises(ScopeError):
        own_riders.save_rider(session, actor=world.staff_a, store_id=world.store_a, name="小李", phone="13800138001")


def test_alert_channel_secret_and_url_are_recorded_as_changed(session, world):
    view = alert_channels.create_channel(
        session, actor=world.admin, name="值班群", kind="dingtalk", url=ROBOT, secret="SECabc123"
    )
    alert_channels.update_channel(session, actor=world.admin, channel_id=view.id, secret="SECother99")
    alert_channels.delete_channel(session, actor=world.admin, channel_id=view.id)
    rows = _entries(session, "alert_channel.")
    assert [r.action for r in rows] == ["alert_channel.create", "alert_channel.update", "alert_channel.delete"]
    text = " ".join(f"{r.before} {r.after}" for r in rows)
    assert "SECabc123" not in text and "SECother99" not in text and "0123456789abcdef" not in text
    assert json.loads(rows[1].after)["secret"] == "changed" and "url" not in json.loads(rows[1].after)


def test_a_ride_booked_tipped_and_cancelled_for_a_person_is_recorded(session, world):
    from qihang_app.services import deliveries

    values = dict(carrier="dada", order_ref="QH-1", carrier_order_id="d-1", fee_fen=800)
    ride = deliveries.record_booking(session, order_id=world.order_a, who=world.staff_a.ref, **values)
    deliveries.record_tip(session, delivery_id=ride.id, tip_fen=200, who=world.staff_a.ref)
    deliveries.mark_cancelled(session, delivery_id=ride.id, who=world.staff_a.ref, reason="换一家配送")
    deliveries.record_booking(session, order_id=world.order_a, who="auto-dispatch", **{**values, "order_ref": "QH-2"})
    rows = _entries(session, "ride.")
    assert [r.action for r in rows] == ["ride.book", "ride.tip", "ride.cancel"]  # the system's own move is not
    assert {r.actor_name for r in rows} == {world.staff_a.username} and rows[0].store_id == world.store_a
    assert json.loads(rows[1].after) == {"tip_fen": 200}
