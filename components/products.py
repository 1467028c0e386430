"""Pieces of the 商品 page: filter bar and the product list (a table on a desk, cards on a phone)."""

import reflex as rx

from components.filters import all_select
from components.form_bits import WRAP
from components.i18n import t
from components.permission_gate import when_can
from qihang_app.domain.input_rules import LIMITS
from state.products import ProductsState

MONEY = {"font_variant_numeric": "tabular-nums", "white_space": "nowrap"}


def filter_bar() -> rx.Component:
    return rx.flex(
        rx.form(
            rx.hstack(
                rx.input(
                    rx.input.slot(rx.icon("search", size=16)),
                    name="q",
                    placeholder=t("catalog.search_placeholder"),
                    default_value=ProductsState.f_query,
                    size="2",
                    width="100%",
                    max_length=LIMITS["search"],
                    id="product-search",
                ),
                rx.button(t("common.search"), type="submit", size="2"),
                width="100%",
            ),
            on_submit=ProductsState.search,
            reset_on_submit=False,
            flex="1 1 260px",
        ),
        all_select(
            "catalog.all_categories",
            ProductsState.f_category,
            ProductsState.set_category,
            [rx.foreach(ProductsState.category_options, lambda c: rx.select.item(c, value=c))],
            "filter-category",
        ),
        all_select(
            "catalog.all_states",
            ProductsState.f_state,
            ProductsState.set_state_filter,
            [
                rx.select.item(t("catalog.state.enabled"), value="enabled"),
                rx.select.item(t("catalog.state.disabled"), value="disabled"),
            ],
            "filter-enabled",
        ),
        gap="8px",
        wrap="wrap",
        align="center",
        width="100%",
        margin_bottom="12px",
    )


def _state_badge(row: dict) -> rx.Component:
    return rx.cond(
        row["enabled"] == "1",
        rx.badge(t("catalog.state.enabled"), color_scheme="green", size="1"),
        rx.badge(t("catalog.state.disabled"), color_scheme="gray", size="1"),
    )


def _actions(row: dict) -> rx.Component:
    return when_can(
        "product.edit",
        rx.hstack(
            rx.button(
                rx.icon("pencil", size=14),
                t("common.edit"),
                size="2",
                variant="soft",
                on_click=ProductsState.open_edit(row["id"]),
                class_name="product-edit",
            ),
            rx.cond(
                row["enabled"] == "1",
                rx.button(
                    t("catalog.disable"),
                    size="2",
                    variant="ghost",
                    color_scheme="gray",
                    on_click=ProductsState.set_enabled(row["id"], False),
                ),
                rx.button(
                    t("catalog.enable"), size="2", variant="ghost", on_click=ProductsState.set_enabled(row["id"], True)
                ),
            ),
            spacing="2",
        ),
    )


def _table_row(row: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["code"], size="2", font_family="monospace")),
        rx.table.cell(
            rx.vstack(
                rx.text(row["name"], size="2", weight="medium"),
                rx.text(row["specs"], size="1", color_scheme="gray"),
                spacing="0",
            ),
            max_width="320px",
            style=WRAP,
        ),
        rx.table.cell(rx.text(row["category"], size="2")),
        rx.table.cell(rx.text(row["skus"], size="2", class_name="tabular")),
        rx.table.cell(rx.text(row["price"], size="2", style=MONEY), text_align="right"),
        rx.table.cell(rx.text(row["stock"], size="2", class_name="tabular product-stock"), text_align="right"),
        rx.table.cell(_state_badge(row)),
        rx.table.cell(_actions(row)),
        class_name="product-row",
    )


def products_table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell(t("catalog.col.code")),
                    rx.table.column_header_cell(t("catalog.col.name")),
                    rx.table.column_header_cell(t("catalog.col.category")),
                    rx.table.column_header_cell(t("catalog.col.skus")),
                    rx.table.column_header_cell(t("catalog.col.price"), text_align="right"),
                    rx.table.column_header_cell(t("stock.col.on_products"), text_align="right"),
                    rx.table.column_header_cell(t("catalog.col.state")),
                    rx.table.column_header_cell(""),
                )
            ),
            rx.table.body(rx.foreach(ProductsState.rows, _table_row)),
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
                rx.text(row["name"], weight="bold", size="3", style=WRAP),
                rx.spacer(),
                _state_badge(row),
                align="start",
                width="100%",
            ),
            rx.text(row["specs"], size="2", color_scheme="gray", style=WRAP),
            rx.hstack(
                rx.text(row["code"], size="1", font_family="monospace", color_scheme="gray"),
                rx.text(row["category"], size="1", color_scheme="gray"),
                rx.text(t("stock.col.on_products"), " ", row["stock"], size="1", color_scheme="gray"),
                rx.spacer(),
                rx.text(row["price"], weight="medium", style=MONEY),
                width="100%",
                align="center",
            ),
            _actions(row),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="product-card",
    )


def products_cards() -> rx.Component:
    return rx.vstack(rx.foreach(ProductsState.rows, _card), spacing="2", width="100%", display=["flex", "flex", "none"])


def empty_state() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("package", size=40, color=rx.color("gray", 8)),
            when_can(  # the hint names 新增 / 导入: only for who may do them
                "product.edit",
                rx.text(t("catalog.empty"), color_scheme="gray", text_align="center"),
                rx.text(t("catalog.empty_view"), color_scheme="gray", text_align="center"),
            ),
            align="center",
        ),
        padding="48px 16px",
        width="100%",
    )
