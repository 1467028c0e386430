"""Pieces of the 订单 page: filter bar, table (desk), cards (phone) and the detail drawer."""

import reflex as rx

from components.badges import platform_badge, status_badge
from components.i18n import t
from components.order_detail import detail_drawer  # noqa: F401  (the page imports it from here)
from qihang_app.domain.order_flow import STATUS_LABEL_EN, STATUS_LABEL_ZH
from qihang_app.domain.order_status import OrderStatus
from qihang_app.i18n import PLATFORM_LABEL
from state.lang import LangState
from state.manual_order import ManualOrderState
from state.order_detail import OrderDetailState
from state.orders import OrdersState

MONEY = {"font_variant_numeric": "tabular-nums", "white_space": "nowrap"}


def _select(all_key: str, value, on_change, items: list, id_: str) -> rx.Component:
    return rx.box(
        rx.select.root(
            rx.select.trigger(width="100%", id=id_),
            rx.select.content(rx.select.item(t(all_key), value="all"), *items),
            value=rx.cond(value == "", "all", value),
            on_change=on_change,
            size="2",
        ),
        flex=["1 1 40%", "1 1 40%", "0 0 140px"],
    )


def filter_bar() -> rx.Component:
    store_items = [rx.foreach(OrdersState.store_options, lambda s: rx.select.item(s["name"], value=s["id"]))]
    shop_items = [rx.foreach(OrdersState.shop_options, lambda s: rx.select.item(s["name"], value=s["id"]))]
    platform_items = [rx.select.item(rx.cond(LangState.lang == "en", en, zh), value=code) for code, (zh, en) in PLATFORM_LABEL.items()]
    status_items = [
        rx.select.item(rx.cond(LangState.lang == "en", STATUS_LABEL_EN[s], STATUS_LABEL_ZH[s]), value=s.value) for s in OrderStatus
    ]
    return rx.flex(
        rx.form(
            rx.hstack(
                rx.input(
                    rx.input.slot(rx.icon("search", size=16)),
                    name="q",
                    placeholder=t("orders.search_placeholder"),
                    default_value=OrdersState.f_query,
                    key=OrdersState.f_query,
                    size="2",
                    width="100%",
                    id="order-search",
                ),
                rx.button(t("common.search"), type="submit", size="2"),
                width="100%",
            ),
            on_submit=OrdersState.search,
            reset_on_submit=False,
            flex="1 1 260px",
        ),
        _select("orders.all_stores", OrdersState.f_store, OrdersState.set_store, store_items, "filter-store"),
        _select("orders.all_shops", OrdersState.f_shop, OrdersState.set_shop, shop_items, "filter-shop"),
        _select("orders.all_platforms", OrdersState.f_platform, OrdersState.set_platform, platform_items, "filter-platform"),
        _select("orders.all_statuses", OrdersState.f_status, OrdersState.set_status, status_items, "filter-status"),
        rx.vstack(
            rx.hstack(
                rx.input(type="date", value=OrdersState.f_from, on_change=OrdersState.set_from, size="2", aria_label="from", id="filter-from"),
                rx.text("–", color_scheme="gray"),
                rx.input(type="date", value=OrdersState.f_to, on_change=OrdersState.set_to, size="2", aria_label="to", id="filter-to"),
                align="center",
                spacing="1",
            ),
            rx.cond(OrdersState.range_swapped, rx.text(t("orders.range_swapped"), size="1", color=rx.color("amber", 11), id="range-swapped")),
            spacing="1",
        ),
        rx.button(rx.icon("rotate-ccw", size=16), t("common.reset"), variant="ghost", size="2", on_click=OrdersState.reset_filters),
        gap="8px",
        wrap="wrap",
        align="center",
        width="100%",
        margin_bottom="12px",
    )


def _table_row(row: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.hstack(platform_badge(row["platform"]), rx.text(row["seq"], weight="bold"), align="center", spacing="2"),
                rx.text(row["no"], size="1", color_scheme="gray", font_family="monospace"),
                spacing="1",
            )
        ),
        rx.table.cell(rx.vstack(rx.text(row["shop"], size="2"), rx.text(row["store"], size="1", color_scheme="gray"), spacing="0")),
        rx.table.cell(rx.text(row["items"], size="2", max_width="280px")),
        rx.table.cell(rx.vstack(rx.text(row["receiver"], size="2"), rx.text(row["phone"], size="1", color_scheme="gray"), spacing="0")),
        rx.table.cell(rx.text(row["paid"], weight="medium", style=MONEY), text_align="right"),
        rx.table.cell(status_badge(row["status"])),
        rx.table.cell(rx.text(row["placed"], size="2", style=MONEY)),
        on_click=OrderDetailState.open_detail(row["id"]),
        cursor="pointer",
        _hover={"background": rx.color("accent", 2)},
        class_name="order-row",
    )


def orders_table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell(t("orders.col.no")),
                    rx.table.column_header_cell(t("orders.col.shop")),
                    rx.table.column_header_cell(t("orders.col.items")),
                    rx.table.column_header_cell(t("orders.col.receiver")),
                    rx.table.column_header_cell(t("orders.col.amount"), text_align="right"),
                    rx.table.column_header_cell(t("orders.col.status")),
                    rx.table.column_header_cell(t("orders.col.placed")),
                )
            ),
            rx.table.body(rx.foreach(OrdersState.rows, _table_row)),
            variant="surface",
            width="100%",
        ),
        display=["none", "none", "block"],
        width="100%",
    )


def _card(row: dict) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                platform_badge(row["platform"]),
                rx.text(row["seq"], weight="bold", size="5"),
                rx.spacer(),
                status_badge(row["status"]),
                align="center",
                width="100%",
            ),
            rx.text(row["items"], size="2"),
            rx.hstack(
                rx.text(row["receiver"] + " " + row["phone"], size="2", color_scheme="gray"),
                rx.spacer(),
                rx.text(row["paid"], weight="bold", style=MONEY),
                width="100%",
            ),
            rx.hstack(
                rx.text(row["shop"], size="1", color_scheme="gray"),
                rx.spacer(),
                rx.text(row["placed"], size="1", color_scheme="gray"),
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        on_click=OrderDetailState.open_detail(row["id"]),
        width="100%",
        class_name="order-card",
    )


def orders_cards() -> rx.Component:
    return rx.vstack(rx.foreach(OrdersState.rows, _card), spacing="2", width="100%", display=["flex", "flex", "none"])


def empty_state() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("inbox", size=40, color=rx.color("gray", 8)),
            rx.text(t("orders.empty"), color_scheme="gray", text_align="center"),
            align="center",
        ),
        padding="48px 16px",
        width="100%",
    )


# -- 手工建单 ----------------------------------------------------------------------------------------


def _manual_field(label_key: str, name: str, **props) -> rx.Component:
    return rx.vstack(
        rx.text(t(label_key), size="2", weight="medium"),
        rx.input(name=name, width="100%", size="2", **props),
        spacing="1",
        width="100%",
    )


def _manual_line(line: dict) -> rx.Component:
    key = line["key"]
    return rx.hstack(
        rx.input(name="name_" + key, placeholder=t("manual.line_name"), flex="3 1 140px", size="2", class_name="manual-line-name"),
        rx.input(name="qty_" + key, default_value="1", type="number", min="1", step="1", placeholder=t("manual.line_qty"),
                 flex="0 0 64px", size="2", class_name="manual-line-qty"),
        rx.input(name="price_" + key, placeholder=t("manual.line_price"), input_mode="decimal", flex="1 1 90px", size="2",
                 class_name="manual-line-price"),
        rx.input(name="code_" + key, placeholder=t("manual.line_code"), flex="1 1 90px", size="2", display=["none", "flex"]),
        rx.icon_button(rx.icon("x", size=14), variant="ghost", color_scheme="gray", type="button", aria_label="remove",
                       on_click=ManualOrderState.remove_manual_line(key)),
        width="100%",
        spacing="2",
        align="center",
        key=key,
    )


def manual_order_button() -> rx.Component:
    return rx.button(rx.icon("plus", size=16), t("manual.add"), on_click=ManualOrderState.open_manual, id="manual-order")


def manual_order_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("manual.title")),
            rx.form(
                rx.vstack(
                    rx.text(t("manual.store"), size="2", weight="medium"),
                    rx.select.root(
                        rx.select.trigger(width="100%", id="manual-store"),
                        rx.select.content(rx.foreach(OrdersState.store_options, lambda s: rx.select.item(s["name"], value=s["id"]))),
                        value=ManualOrderState.manual_store,
                        on_change=ManualOrderState.set_manual_store,
                        size="2",
                    ),
                    rx.flex(
                        _manual_field("manual.receiver_name", "receiver_name", id="manual-receiver"),
                        _manual_field("manual.receiver_phone", "receiver_phone", type="tel", id="manual-phone"),
                        gap="12px",
                        direction=rx.breakpoints(initial="column", sm="row"),
                        width="100%",
                    ),
                    _manual_field("manual.receiver_address", "receiver_address", id="manual-address"),
                    rx.hstack(
                        rx.text(t("manual.lines"), size="2", weight="bold"),
                        rx.spacer(),
                        rx.button(rx.icon("plus", size=14), t("manual.add_line"), size="1", variant="soft", type="button",
                                  on_click=ManualOrderState.add_manual_line, id="manual-add-line"),
                        width="100%",
                        align="center",
                    ),
                    rx.foreach(ManualOrderState.manual_lines, _manual_line),
                    rx.flex(
                        _manual_field("manual.freight", "freight", input_mode="decimal", placeholder="0.00"),
                        _manual_field("manual.discount", "discount", input_mode="decimal", placeholder="0.00"),
                        gap="12px",
                        width="100%",
                    ),
                    _manual_field("manual.memo", "memo"),
                    rx.cond(ManualOrderState.manual_error != "",
                            rx.callout(ManualOrderState.manual_error, color_scheme="red", icon="triangle-alert", size="1", width="100%")),
                    rx.hstack(
                        rx.dialog.close(rx.button(t("common.cancel"), variant="soft", color_scheme="gray", type="button")),
                        rx.button(t("common.save"), type="submit", id="manual-save"),
                        justify="end",
                        width="100%",
                        spacing="3",
                    ),
                    spacing="3",
                ),
                on_submit=ManualOrderState.submit_manual,
                reset_on_submit=True,
            ),
            max_width="620px",
        ),
        open=ManualOrderState.manual_open,
        on_open_change=ManualOrderState.set_manual_open,
    )
