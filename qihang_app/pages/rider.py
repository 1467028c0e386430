"""骑手页: what the store's own rider opens on a phone from the secret link (no login)."""

import reflex as rx

from components.i18n import t
from components.rider_call import rider_status_label
from state.rider_page import RiderPageState as R


def _ride(ride: dict) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(ride["no"], size="6"),
                rx.spacer(),
                rx.badge(rider_status_label(ride["status"]), size="2"),
                width="100%",
                align="center",
            ),
            rx.text(ride["address"], size="4", weight="medium"),
            rx.hstack(
                rx.text(ride["receiver"]),
                rx.link(ride["phone"], href="tel:" + ride["tel"]),
                spacing="3",
            ),
            rx.match(
                ride["next"],
                (
                    "at_store",
                    rx.button(t("riders.at_store"), size="4", width="100%", on_click=R.step(ride["id"], "at_store")),
                ),
                (
                    "picked_up",
                    rx.button(
                        t("riders.picked_up"),
                        size="4",
                        width="100%",
                        color_scheme="cyan",
                        on_click=R.step(ride["id"], "picked_up"),
                    ),
                ),
                (
                    "delivered",
                    rx.button(
                        t("riders.delivered"),
                        size="4",
                        width="100%",
                        color_scheme="green",
                        on_click=R.step(ride["id"], "delivered"),
                    ),
                ),
                rx.fragment(),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        class_name="rider-ride",
    )


def rider_page() -> rx.Component:
    return rx.container(
        rx.vstack(
            rx.heading(t("riders.page_title"), " ", R.rider, size="5"),
            rx.cond(R.problem != "", rx.callout(R.problem, color_scheme="red", width="100%")),
            rx.cond(
                (R.rides.length() == 0) & (R.problem == ""),
                rx.text(t("riders.none"), color_scheme="gray"),
            ),
            rx.foreach(R.rides, _ride),
            spacing="4",
            width="100%",
            padding_y="16px",
        ),
        size="1",
    )
