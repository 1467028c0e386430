"""The product form of the 商品 page: the product's fields, then one block per SKU (spec values,
codes, weight, price and cost). Blocks wrap, so a phone shows them one field per line."""

import reflex as rx

from components.form_bits import field_error
from components.i18n import t
from qihang_app.domain.input_rules import LIMITS
from state.products import ProductsState

ERRORS = ProductsState.errors


def _field(label_key: str, name: str, value, limit: str, flex: str = "1 1 160px", **props) -> rx.Component:
    return rx.vstack(
        rx.text(t(label_key), size="1", weight="medium", color_scheme="gray"),
        rx.input(name=name, default_value=value, width="100%", size="2", max_length=LIMITS[limit], **props),
        field_error(ERRORS[name]),
        spacing="1",
        flex=flex,
        min_width="0",
    )


def _sku_block(row: dict) -> rx.Component:
    key = row["key"]
    return rx.box(
        rx.hstack(
            rx.text(t("catalog.sku"), size="2", weight="bold"),
            rx.spacer(),
            rx.hstack(
                rx.switch(checked=row["enabled"] == "1", on_change=lambda _: ProductsState.toggle_sku(key), size="1"),
                rx.text(t("catalog.state.enabled"), size="1"),
                align="center",
                spacing="1",
            ),
            rx.icon_button(
                rx.icon("x", size=14),
                variant="ghost",
                color_scheme="gray",
                type="button",
                aria_label="remove",
                on_click=ProductsState.remove_sku(key),
            ),
            align="center",
            width="100%",
        ),
        rx.flex(
            _field("catalog.f.sku_code", "sku_code_" + key, row["sku_code"], "sku_code", class_name="sku-code"),
            _field("catalog.f.barcode", "barcode_" + key, row["barcode"], "sku_code", input_mode="numeric"),
            _field("catalog.f.color", "color_" + key, row["color"], "spec_value", "1 1 90px"),
            _field("catalog.f.size", "size_" + key, row["size"], "spec_value", "1 1 90px"),
            _field("catalog.f.variant", "variant_" + key, row["variant"], "spec_value", "1 1 90px"),
            _field(
                "catalog.f.price",
                "price_" + key,
                row["price"],
                "money",
                "1 1 90px",
                input_mode="decimal",
                placeholder="0.00",
                class_name="sku-price",
            ),
            _field("catalog.f.cost", "cost_" + key, row["cost"], "money", "1 1 90px", input_mode="decimal"),
            _field("catalog.f.weight", "weight_g_" + key, row["weight_g"], "weight", "1 1 90px", input_mode="numeric"),
            gap="8px",
            wrap="wrap",
            width="100%",
        ),
        key=key,
        padding="10px",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="8px",
        width="100%",
        class_name="sku-block",
    )


def product_dialog() -> rx.Component:
    form = ProductsState.form
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(form["id"] == "", t("catalog.new"), t("catalog.edit"))),
            rx.form(
                rx.vstack(
                    rx.flex(
                        _field("catalog.f.code", "code", form["code"], "sku_code", id="product-code"),
                        _field("catalog.f.name", "name", form["name"], "item_name", "2 1 220px", id="product-name"),
                        _field("catalog.f.category", "category", form["category"], "category", id="product-category"),
                        _field("catalog.f.unit", "unit", form["unit"], "unit", "0 1 90px", id="product-unit"),
                        gap="8px",
                        wrap="wrap",
                        width="100%",
                        key=ProductsState.version.to_string(),
                    ),
                    rx.foreach(ProductsState.sku_rows, _sku_block),
                    rx.button(
                        rx.icon("plus", size=14),
                        t("catalog.add_sku"),
                        size="2",
                        variant="soft",
                        type="button",
                        on_click=ProductsState.add_sku,
                        id="product-add-sku",
                    ),
                    field_error(ERRORS["skus"]),
                    rx.cond(
                        ProductsState.form_error != "",
                        rx.callout(ProductsState.form_error, color_scheme="red", icon="triangle-alert", size="1"),
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(t("common.cancel"), variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button(t("common.save"), type="submit", id="product-save"),
                        justify="end",
                        width="100%",
                        spacing="3",
                    ),
                    spacing="3",
                ),
                on_submit=ProductsState.save,
                reset_on_submit=False,
            ),
            max_width="760px",
        ),
        open=ProductsState.dialog,
        on_open_change=ProductsState.set_dialog,
    )
