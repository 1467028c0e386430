"""The order drawer's 配送 block (state/delivery_view.py builds it)."""

import reflex as rx

from components.i18n import t
from components.rider_call import rider_status_label
from state.lang import LangState
from state.order_detail import OrderDetailState


def _legend(colour: str, key: str) -> rx.Component:
    return rx.hstack(
        rx.box(width="10px", height="10px", border_radius="50%", background=colour), rx.text(t(key), size="1")
    )


def delivery_section() -> rx.Component:
    d = OrderDetailState.detail_delivery
    return rx.cond(
        d.contains("carrier"),
        rx.vstack(
            rx.text(t("orders.delivery"), size="2", weight="bold"),
            rx.hstack(
                rx.icon("bike", size=16),
                rx.text(rx.cond(LangState.lang == "en", d["carrier_en"], d["carrier"]), weight="medium"),
                rx.cond(
                    d["tel"] != "", rx.link(d["rider"] + " " + d["phone"], href="tel:" + d["tel"]), rx.text(d["rider"])
                ),
                rx.badge(rider_status_label(d["status"])),
                wrap="wrap",
                align="center",
            ),
            rx.hstack(
                rx.text(t("orders.delivery.fee"), " ", d["fee"], size="2"),
                rx.text(t("orders.delivery.tip"), " ", d["tip"], size="2"),
                rx.cond(d["eta"] != "", rx.text(t("orders.delivery.eta"), " ", d["eta"], size="2")),
                spacing="4",
                wrap="wrap",
            ),
            rx.cond(
                d["map"] != "",
                rx.vstack(
                    rx.html(d["map"], width="100%", id="delivery-map"),
                    rx.hstack(
                        _legend("#3e63dd", "map.store"),
                        _legend("#f76b15", "map.rider"),
                        _legend("#30a46c", "map.customer"),
                        spacing="3",
                    ),
                    width="100%",
                    spacing="1",
                ),
            ),
            spacing="2",
            width="100%",
            id="detail-delivery",
        ),
    )
