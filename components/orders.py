"""Pieces of the 订单 page: filter bar, table (desk), cards (phone) and the detail drawer."""

import reflex as rx

from components.badges import platform_badge, status_badge
from components.erp_badges import erp_badge
from components.filters import all_select
from components.form_bits import WRAP, field_error
from components.i18n import t
from components.order_detail import detail_drawer  # noqa: F401  (the page imports it from here)
from qihang_app.domain.input_rules import LIMITS
from qihang_app.domain.order_flow import STATUS_LABEL_EN, STATUS_LABEL_ZH
from qihang_app.domain.order_status import OrderStatus
from qihang_app.i18n import PLATFORM_LABEL
from state.lang import LangState
from state.order_detail import OrderDetailState
from state.order_search import OrderSearchState
from state.orders import OrdersState

MONEY = {"font_variant_numeric": "tabular-nums", "white_space": "nowrap"}


def _select(all_key: str, value, on_change, items: list, id_: str) -> rx.Component:
    return all_select(all_key, value, on_change, items, id_, flex=["1 1 40%", "1 1 40%", "0 0 140px"])


def filter_bar() -> rx.Component:
    store_items = [rx.foreach(OrdersState.store_options, lambda s: rx.select.item(s["name"], value=s["id"]))]
    shop_items = [rx.foreach(OrdersState.shop_options, lambda s: rx.select.item(s["name"], value=s["id"]))]
    platform_items = [
        rx.select.item(rx.cond(LangState.lang == "en", en, zh), value=code) for code, (zh, en) in PLATFORM_LABEL.items()
    ]
    status_items = [
        rx.select.item(rx.cond(LangState.lang == "en", STATUS_LABEL_EN[s], STATUS_LABEL_ZH[s]), value=s.value)
        for s in OrderStatus
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
                    max_length=LIMITS["search"],
                    id="order-search",
                ),
                rx.button(t("common.search"), type="submit", size="2"),
                width="100%",
            ),
            field_error(OrderSearchState.error),
            on_submit=OrderSearchState.search,
            reset_on_submit=False,
            flex="1 1 260px",
        ),
        _select("orders.all_stores", OrdersState.f_store, OrdersState.set_store, store_items, "filter-store"),
        _select("orders.all_shops", OrdersState.f_shop, OrdersState.set_shop, shop_items, "filter-shop"),
        _select(
            "orders.all_platforms", OrdersState.f_platform, OrdersState.set_platform, platform_items, "filter-platform"
        ),
        _select("orders.all_statuses", OrdersState.f_status, OrdersState.set_status, status_items, "filter-status"),
        rx.vstack(
            rx.hstack(
                rx.input(
                    type="date",
                    value=OrdersState.f_from,
                    on_change=OrdersState.set_from,
                    size="2",
                    aria_label="from",
                    id="filter-from",
                ),
                rx.text("–", color_scheme="gray"),
                rx.input(
                    type="date",
                    value=OrdersState.f_to,
                    on_change=OrdersState.set_to,
                    size="2",
                    aria_label="to",
                    id="filter-to",
                ),
                align="center",
                spacing="1",
            ),
            rx.cond(
                OrdersState.range_swapped,
                rx.text(t("orders.range_swapped"), size="1", color=rx.color("amber", 11), id="range-swapped"),
            ),
            spacing="1",
        ),
        rx.button(
            rx.icon("rotate-ccw", size=16),
            t("common.reset"),
            variant="ghost",
            size="2",
            on_click=OrdersState.reset_filters,
        ),
        gap="8px",
        wrap="wrap",
        align="center",
        width="100%",
        margin_bottom="12px",
    )


def _pick(row: dict) -> rx.Component:
    """The tick for 推送到 ERP; a click on it does not open the drawer."""
    return rx.box(
        rx.checkbox(
            checked=OrdersState.selected.contains(row["id"]),
            on_change=lambda checked: OrdersState.toggle_selected(row["id"], checked),
            size="3",
            class_name="order-pick",
        ),
        on_click=rx.stop_propagation,
        padding="4px",
    )


def push_selected_button() -> rx.Component:
    return rx.cond(
        OrdersState.selected.length() > 0,
        rx.button(
            rx.icon("send", size=16),
            t("erp.ui.push_selected"),
            " (",
            OrdersState.selected.length().to_string(),
            ")",
            on_click=OrdersState.push_selected,
            size="3",
            id="push-selected",
        ),
    )


def _table_row(row: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(_pick(row)),
        rx.table.cell(
            rx.vstack(
                rx.hstack(
                    platform_badge(row["platform"]), rx.text(row["seq"], weight="bold"), align="center", spacing="2"
                ),
                rx.text(row["no"], size="1", color_scheme="gray", font_family="monospace"),
                spacing="1",
            )
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(row["shop"], size="2"), rx.text(row["store"], size="1", color_scheme="gray"), spacing="0"
            ),
            max_width="180px",
            style=WRAP,
        ),
        rx.table.cell(rx.text(row["items"], size="2", max_width="280px", style=WRAP)),
        rx.table.cell(
            rx.vstack(
                rx.text(row["receiver"], size="2"), rx.text(row["phone"], size="1", color_scheme="gray"), spacing="0"
            ),
            max_width="160px",
            style=WRAP,
        ),
        rx.table.cell(rx.text(row["paid"], weight="medium", style=MONEY), text_align="right"),
        rx.table.cell(status_badge(row["status"])),
        rx.table.cell(erp_badge(row["erp"])),
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
                    rx.table.column_header_cell(""),
                    rx.table.column_header_cell(t("orders.col.no")),
                    rx.table.column_header_cell(t("orders.col.shop")),
                    rx.table.column_header_cell(t("orders.col.items")),
                    rx.table.column_header_cell(t("orders.col.receiver")),
                    rx.table.column_header_cell(t("orders.col.amount"), text_align="right"),
                    rx.table.column_header_cell(t("orders.col.status")),
                    rx.table.column_header_cell(t("orders.col.erp")),
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
                _pick(row),  # a phone ticks orders too (打印面单, 推送到 ERP)
                platform_badge(row["platform"]),
                rx.text(row["seq"], weight="bold", size="5"),
                rx.spacer(),
                erp_badge(row["erp"]),
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
