"""The order drawer's delivery block: carrier, rider (tap to call), state, fee and tip, the ETA,
and the small map of store, rider and customer (domain.rider_map: no tile service)."""

from __future__ import annotations

from qihang_app.domain import carriers
from qihang_app.domain.money import format_money
from qihang_app.domain.rider_map import svg
from qihang_app.models import Order, Store
from qihang_app.services import deliveries
from state.orders import fmt_dt


def delivery_view(session, order_id: int) -> dict[str, str]:
    """{} when the order never had a ride of ours nor a rider from the platform."""
    order = session.get(Order, order_id)
    ride = deliveries.current(session, order_id=order_id)
    if ride is None and not order.rider_status:
        return {}
    store = session.get(Store, order.store_id)
    carrier = ride.carrier if ride else (order.delivery_carrier or carriers.PLATFORM)
    rides = deliveries.history(session, order_id=order_id)
    rider_at = (ride.lat, ride.lng) if ride and ride.lat is not None else None
    phone = (ride.rider_phone if ride else order.rider_phone) or ""
    return {
        "carrier": carriers.name(carrier, "zh"),
        "carrier_en": carriers.name(carrier, "en"),
        "status": ride.status if ride else (order.rider_status or ""),
        "rider": (ride.rider_name if ride else order.rider_name) or "",
        "phone": phone,
        "tel": phone.replace(" ", "") if phone.replace(" ", "").lstrip("+").isdigit() else "",
        "fee": format_money(sum(r.fee_fen for r in rides if r.status != "cancelled")),
        "tip": format_money(sum(r.tip_fen for r in rides if r.status != "cancelled")),
        "eta": fmt_dt(ride.eta_at) if ride and ride.eta_at and ride.status not in ("delivered", "cancelled") else "",
        "map": svg(
            (store.lat, store.lng) if store and store.lat is not None else None,
            (order.receiver_lat, order.receiver_lng) if order.receiver_lat is not None else None,
            rider_at,
        ),
    }
