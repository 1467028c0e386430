"""The rider line of a card: a carrier's ride, the platform's own riders (tracked only) and the
store's rider; 呼叫骑手 only where the store delivers and no ride is on its way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import integrations.registry  # noqa: F401  (carrier names)
from qihang_app.domain.board import Tab
from state.rider_view import carrier_on_its_way, rider_fields

ETA = datetime(2026, 11, 27, 12, 30, tzinfo=UTC)


def card(**changes):
    values = dict(
        rider_status="", delivery_carrier="", rider_name="", rider_phone="", rider_eta_at=None,
        delivery_type="self", tab=Tab.AWAITING_RIDER, end_mark="",
    )  # fmt: skip
    values.update(changes)
    return SimpleNamespace(**values)


def test_a_carrier_ride_on_its_way():
    fields = rider_fields(card(rider_status="rider_accepted", delivery_carrier="dada", rider_name="周杰",
                               rider_phone="130 7777 7868", rider_eta_at=ETA))  # fmt: skip
    assert (fields["rider_carrier"], fields["rider_carrier_en"], fields["rider_tel"]) == ("达达", "Dada", "13077777868")
    assert fields["eta_ms"] == int(ETA.timestamp() * 1000) and not fields["can_call"]
    assert carrier_on_its_way(SimpleNamespace(**fields))


def test_platform_riders_are_tracked_only():
    fields = rider_fields(
        card(delivery_type="platform", rider_status="delivering", rider_name="美团骑手", rider_phone="138****0000")
    )
    assert (fields["rider_carrier"], fields["rider_tel"], fields["can_call"]) == ("平台配送", "", False)


def test_call_a_rider_where_the_store_delivers():
    assert rider_fields(card())["can_call"]
    assert rider_fields(card(tab=Tab.PICKING))["can_call"]
    assert rider_fields(card(rider_status="cancelled", delivery_carrier="dada", tab=Tab.EXCEPTION))["can_call"]
    assert not rider_fields(card(tab=Tab.NEW))["can_call"]
    assert not rider_fields(card(end_mark="cancelled", tab=Tab.EXCEPTION))["can_call"]
    assert not rider_fields(card(delivery_type="platform"))["can_call"]
    own = rider_fields(card(rider_status="rider_accepted", delivery_carrier="own", rider_name="王师傅",
                            rider_eta_at=ETA - timedelta(minutes=1)))  # fmt: skip
    assert own["rider_carrier"] == "自有骑手" and not carrier_on_its_way(SimpleNamespace(**own))


def test_manage_a_carrier_ride_before_pickup_only():
    assert rider_fields(card(rider_status="at_store", delivery_carrier="dada"))["can_manage"]
    assert not rider_fields(card(rider_status="delivering", delivery_carrier="dada"))["can_manage"]
    assert not rider_fields(card(rider_status="rider_accepted", delivery_carrier="own"))["can_manage"]
    assert not rider_fields(card(rider_status="rider_accepted", delivery_type="platform"))["can_manage"]
