"""The 手工建单 dialog (a manual offline order) of the 订单 page."""

import reflex as rx

from components.form_bits import field_error
from components.i18n import t
from qihang_app.domain.input_rules import LIMITS
from state.manual_order import ManualOrderState
from state.orders import OrdersState

ERRORS = ManualOrderState.manual_errors


def _manual_field(label_key: str, name: str, limit: str, **props) -> rx.Component:
    return rx.vstack(
        rx.text(t(label_key), size="2", weight="medium"),
        rx.input(name=name, width="100%", size="2", max_length=LIMITS[limit], **props),
        field_error(ERRORS[name]),
        spacing="1",
        width="100%",
    )


def _line_input(name, limit: str, flex: str, **props) -> rx.Component:
    return rx.box(
        rx.input(name=name, size="2", width="100%", max_length=LIMITS[limit], **props),
        field_error(ERRORS[name]),
        flex=flex,
        min_width="0",
    )


def _manual_line(line: dict) -> rx.Component:
    key = line["key"]
    return rx.hstack(
        _line_input(
            "name_" + key,
            "item_name",
            "3 1 140px",
            default_value=line["name"],
            placeholder=t("manual.line_name"),
            class_name="manual-line-name",
        ),
        # text, not type=number: the browser would drop what it cannot parse and the message would lie
        _line_input(
            "qty_" + key,
            "quantity",
            "0 0 72px",
            default_value=line["qty"],
            input_mode="numeric",
            placeholder=t("manual.line_qty"),
            class_name="manual-line-qty",
        ),
        _line_input(
            "price_" + key,
            "money",
            "1 1 96px",
            default_value=line["price"],
            placeholder=t("manual.line_price"),
            input_mode="decimal",
            class_name="manual-line-price",
        ),
        rx.box(
            _line_input("code_" + key, "sku_code", "1", default_value=line["code"], placeholder=t("manual.line_code")),
            flex="1 1 90px",
            display=["none", "block"],
        ),
        rx.icon_button(
            rx.icon("x", size=14),
            variant="ghost",
            color_scheme="gray",
            type="button",
            aria_label="remove",
            on_click=ManualOrderState.remove_manual_line(key),
            margin_top="6px",
        ),
        width="100%",
        spacing="2",
        align="start",
        key=key,
    )


def _pick_result(sku: dict) -> rx.Component:
    return rx.button(
        rx.icon("plus", size=14),
        rx.text(sku["label"], size="2", style={"overflow_wrap": "anywhere"}, text_align="left"),
        variant="soft",
        size="2",
        type="button",
        on_click=ManualOrderState.add_pick(sku),
        width="100%",
        justify="start",
        height="auto",
        padding_y="6px",
        class_name="pick-result",
    )


def _picker() -> rx.Component:
    """Its own form, beside the order's: a scanner's Enter picks, it never submits the order."""
    return rx.vstack(
        rx.form(
            rx.hstack(
                rx.input(
                    rx.input.slot(rx.icon("scan-barcode", size=16)),
                    name="pick",
                    placeholder=t("manual.pick_placeholder"),
                    max_length=LIMITS["search"],
                    width="100%",
                    size="2",
                    id="manual-pick",
                ),
                rx.button(t("common.search"), type="submit", size="2", variant="soft"),
                width="100%",
            ),
            on_submit=ManualOrderState.pick,
            reset_on_submit=True,  # empty at once, so a scanner's next code is not wiped by this answer
            width="100%",
        ),
        rx.cond(ManualOrderState.pick_note != "", rx.text(ManualOrderState.pick_note, size="1", color_scheme="gray")),
        rx.foreach(ManualOrderState.pick_results, _pick_result),
        spacing="2",
        width="100%",
        margin_bottom="12px",
    )


def manual_order_button() -> rx.Component:
    return rx.button(
        rx.icon("plus", size=16), t("manual.add"), on_click=ManualOrderState.open_manual, id="manual-order"
    )


def manual_order_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("manual.title")),
            _picker(),
            rx.form(
                rx.vstack(
                    rx.text(t("manual.store"), size="2", weight="medium"),
                    rx.select.root(
                        rx.select.trigger(width="100%", id="manual-store"),
                        rx.select.content(
                            rx.foreach(OrdersState.store_options, lambda s: rx.select.item(s["name"], value=s["id"]))
                        ),
                        value=ManualOrderState.manual_store,
                        on_change=ManualOrderState.set_manual_store,
                        size="2",
                    ),
                    field_error(ERRORS["store"]),
                    rx.flex(
                        _manual_field("manual.receiver_name", "receiver_name", "receiver_name", id="manual-receiver"),
                        _manual_field(
                            "manual.receiver_phone", "receiver_phone", "phone", type="tel", id="manual-phone"
                        ),
                        gap="12px",
                        direction=rx.breakpoints(initial="column", sm="row"),
                        width="100%",
                    ),
                    _manual_field("manual.receiver_address", "receiver_address", "address", id="manual-address"),
                    rx.hstack(
                        rx.text(t("manual.lines"), size="2", weight="bold"),
                        rx.spacer(),
                        rx.button(
                            rx.icon("plus", size=14),
                            t("manual.add_line"),
                            size="1",
                            variant="soft",
                            type="button",
                            on_click=ManualOrderState.add_manual_line,
                            id="manual-add-line",
                        ),
                        width="100%",
                        align="center",
                    ),
                    field_error(ERRORS["lines"]),
                    rx.foreach(ManualOrderState.manual_lines, _manual_line),
                    rx.flex(
                        _manual_field(
                            "manual.freight",
                            "freight",
                            "money",
                            input_mode="decimal",
                            placeholder="0.00",
                            id="manual-freight",
                        ),
                        _manual_field(
                            "manual.discount",
                            "discount",
                            "money",
                            input_mode="decimal",
                            placeholder="0.00",
                            id="manual-discount",
                        ),
                        gap="12px",
                        width="100%",
                    ),
                    _manual_field("manual.memo", "memo", "memo", id="manual-memo"),
                    rx.cond(
                        ManualOrderState.manual_error != "",
                        rx.callout(
                            ManualOrderState.manual_error,
                            color_scheme="red",
                            icon="triangle-alert",
                            size="1",
                            width="100%",
                        ),
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(t("common.cancel"), variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button(t("common.save"), type="submit", id="manual-save"),
                        justify="end",
                        width="100%",
                        spacing="3",
                    ),
                    spacing="3",
                ),
                on_submit=ManualOrderState.submit_manual,
                reset_on_submit=False,  # a refused order keeps what was typed; success closes the dialog
            ),
            max_width="620px",
        ),
        open=ManualOrderState.manual_open,
        on_open_change=ManualOrderState.set_manual_open,
    )
