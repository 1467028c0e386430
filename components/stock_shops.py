"""库存 page: the 店铺库存设置 dialog (one small form per shop)."""

import reflex as rx

from components.form_bits import field_error
from components.i18n import platform_label, t
from qihang_app.domain.input_rules import LIMITS
from state.auth import AuthState
from state.stock import StockState
from state.stock_shops import STORE_SHELF, StockShopsState, WarehouseState


def _shop_form(shop) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.hstack(
                rx.badge(platform_label(shop["platform"])),
                rx.text(shop["name"], weight="bold"),
                align="center",
                wrap="wrap",
            ),
            rx.el.input(type="hidden", name="shop_id", value=shop["id"]),
            rx.flex(
                rx.vstack(
                    rx.text(t("stock.shop.reserve_on"), size="1", color_scheme="gray"),
                    rx.select.root(
                        rx.select.trigger(width="100%"),
                        rx.select.content(
                            rx.select.item(t("stock.shop.on_accept"), value="accept"),
                            rx.select.item(t("stock.shop.on_paid"), value="paid"),
                        ),
                        name="reserve_on",
                        default_value=shop["reserve_on"],
                        size="2",
                    ),
                    spacing="1",
                    flex="1 1 130px",
                ),
                rx.vstack(
                    rx.text(t("stock.shop.buffer"), size="1", color_scheme="gray"),
                    rx.input(
                        name="buffer",
                        default_value=shop["buffer"],
                        input_mode="numeric",
                        max_length=LIMITS["quantity"],
                        size="2",
                        width="100%",
                    ),
                    spacing="1",
                    flex="1 1 90px",
                ),
                rx.vstack(
                    rx.text(t("stock.shop.location"), size="1", color_scheme="gray"),
                    rx.select.root(
                        rx.select.trigger(width="100%"),
                        rx.select.content(
                            rx.select.item(t("stock.shop.own_store"), value=STORE_SHELF),
                            rx.foreach(StockState.locations, lambda loc: rx.select.item(loc["name"], value=loc["id"])),
                        ),
                        name="location",
                        default_value=shop["location"],
                        size="2",
                    ),
                    spacing="1",
                    flex="1 1 130px",
                ),
                rx.button(t("stock.save"), size="2", type="submit", align_self="end"),
                gap="8px",
                wrap="wrap",
                width="100%",
            ),
            field_error(StockShopsState.errors[shop["id"]]),
            spacing="2",
            width="100%",
        ),
        on_submit=StockShopsState.save,
        reset_on_submit=False,
        width="100%",
        class_name="stock-shop",
        custom_attrs={"data-shop": shop["id"]},
    )


def shops_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("stock.shop.title")),
            rx.text(t("stock.shop.hint"), size="2", color_scheme="gray"),
            rx.vstack(rx.foreach(StockShopsState.shops, _shop_form), spacing="4", width="100%", padding_y="12px"),
            rx.hstack(
                rx.dialog.close(rx.button(t("stock.close"), variant="soft", color_scheme="gray", size="3")),
                justify="end",
            ),
            max_width="640px",
        ),
        open=StockShopsState.open,
        on_open_change=StockShopsState.set_open,
    )


def shops_button() -> rx.Component:
    return rx.cond(
        AuthState.can_manage,
        rx.button(
            rx.icon("settings-2", size=16),
            t("stock.shop.title"),
            variant="soft",
            size="3",
            on_click=StockShopsState.show,
        ),
    )


def warehouse_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("stock.warehouse.new")),
            rx.form(
                rx.vstack(
                    rx.text(t("stock.warehouse.name"), size="2", weight="medium"),
                    rx.input(name="name", max_length=LIMITS["store_name"], size="3", width="100%", id="warehouse-name"),
                    field_error(WarehouseState.error),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(t("stock.cancel"), variant="soft", color_scheme="gray", size="3", type="button")
                        ),
                        rx.button(t("stock.save"), size="3", type="submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=WarehouseState.create,
                reset_on_submit=False,
            ),
            max_width="400px",
        ),
        open=WarehouseState.open,
        on_open_change=WarehouseState.set_open,
    )


def warehouse_button() -> rx.Component:
    return rx.cond(
        AuthState.is_admin,
        rx.button(
            rx.icon("warehouse", size=16),
            t("stock.warehouse.new"),
            variant="soft",
            size="3",
            on_click=WarehouseState.set_open(True),
        ),
    )
