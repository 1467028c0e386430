"""The rider line of a board card: carrier, rider, tap to call, state, minutes to the door, and
whether 呼叫骑手 is offered (the store delivers it, it is packed or being packed, no ride running)."""

from __future__ import annotations

from qihang_app.domain import carriers
from qihang_app.domain.board import Tab

RUNNING = ("awaiting_rider", "rider_accepted", "at_store", "delivering")
CALLABLE_TABS = (Tab.PICKING, Tab.AWAITING_RIDER, Tab.EXCEPTION, Tab.SCHEDULED)


def rider_fields(card) -> dict:
    status = card.rider_status or ""
    # Platform delivery (美团专送 …) is tracked from the platform's pushes; a rider sent off
    # before riders were recorded per ride is the store's own.
    carrier = card.delivery_carrier or (
        {"platform": carriers.PLATFORM, "self": carriers.OWN}.get(card.delivery_type, "") if status else ""
    )
    phone = (card.rider_phone or "").replace(" ", "").replace("-", "")
    running = status in RUNNING
    return {
        "rider_status": status,
        "rider_carrier": carriers.name(carrier, "zh") if carrier else "",
        "rider_carrier_en": carriers.name(carrier, "en") if carrier else "",
        "rider_name": card.rider_name or "",
        "rider_tel": phone if phone.lstrip("+").isdigit() else "",
        "eta_ms": int(card.rider_eta_at.timestamp() * 1000) if card.rider_eta_at and running else 0,
        "can_call": card.delivery_type == "self" and not running and card.tab in CALLABLE_TABS and not card.end_mark,
        # a carrier's ride before pickup: tip, or cancel and call another
        "can_manage": carrier not in ("", carriers.OWN, carriers.PLATFORM) and status in RUNNING[:3],
    }


def carrier_on_its_way(view) -> bool:
    """A carrier's ride runs (not the store's own rider): 自配送出发 / 已送达 are the carrier's."""
    return view.rider_status in RUNNING and view.rider_carrier not in ("", carriers.name(carriers.OWN, "zh"))
