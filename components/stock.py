"""库存 page parts: the level cards, the adjust dialog, the ledger dialog and the board's 低库存 link."""

import reflex as rx

from components.form_bits import field_error
from components.i18n import t
from qihang_app.domain.input_rules import LIMITS
from state.stock import MODES, StockAlertState, StockState


def _number(label_key: str, value, color=None) -> rx.Component:
    paint = {} if color is None else {"color": color}
    return rx.vstack(
        rx.text(t(label_key), size="1", color_scheme="gray"),
        rx.text(value, size="4", weight="bold", class_name="tabular", **paint),
        spacing="0",
        align="center",
        min_width="56px",
    )


def level_card(row) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.hstack(
                    rx.text(row["name"], weight="bold", size="3"),
                    rx.cond(row["low"] != "", rx.badge(t("stock.low"), color_scheme="red", class_name="stock-low")),
                    align="center",
                    wrap="wrap",
                ),
                rx.text(row["code"], " ", row["spec"], size="1", color_scheme="gray"),
                spacing="1",
                flex="1 1 160px",
                min_width="0",
            ),
            rx.hstack(
                _number("stock.on_hand", row["on_hand"]),
                _number("stock.reserved", row["reserved"]),
                _number("stock.available", row["available"], rx.cond(row["low"] != "", rx.color("red", 11), "inherit")),
                spacing="3",
            ),
            rx.hstack(
                rx.button(t("stock.adjust"), size="3", on_click=StockState.open_adjust(row), class_name="stock-adjust"),
                rx.button(t("stock.ledger"), size="3", variant="soft", on_click=StockState.open_ledger(row)),
                spacing="2",
            ),
            gap="12px",
            align="center",
            wrap="wrap",
            justify="between",
        ),
        width="100%",
        custom_attrs={"data-sku": row["code"]},
        class_name="stock-row",
    )


def toolbar() -> rx.Component:
    return rx.flex(
        rx.select.root(
            rx.select.trigger(min_width="140px", id="stock-location"),
            rx.select.content(
                rx.foreach(StockState.locations, lambda loc: rx.select.item(loc["name"], value=loc["id"]))
            ),
            value=StockState.location,
            on_change=StockState.set_location,
            size="3",
        ),
        rx.form(
            rx.input(
                rx.input.slot(rx.icon("search", size=16)),
                name="q",
                placeholder=t("stock.search"),
                default_value=StockState.query,
                max_length=LIMITS["sku_code"],
                size="3",
                width="100%",
            ),
            on_submit=StockState.search,
            reset_on_submit=False,
            flex="1 1 200px",
            min_width="0",
        ),
        rx.checkbox(t("stock.low_only"), checked=StockState.low_only, on_change=StockState.set_low_only, size="3"),
        gap="8px",
        wrap="wrap",
        align="center",
        width="100%",
    )


def _mode_fields() -> rx.Component:
    label = rx.match(
        StockState.mode,
        ("count", t("stock.field.counted")),
        ("threshold", t("stock.field.threshold")),
        t("stock.field.quantity"),
    )
    return rx.vstack(
        rx.cond(
            StockState.mode == "transfer",
            rx.vstack(
                rx.text(t("stock.field.to_location"), size="2", weight="medium"),
                rx.select.root(
                    rx.select.trigger(width="100%", id="stock-to-location"),
                    rx.select.content(
                        rx.foreach(StockState.locations, lambda loc: rx.select.item(loc["name"], value=loc["id"]))
                    ),
                    name="to_location",
                    size="3",
                ),
                field_error(StockState.errors["to_location"]),
                spacing="1",
                width="100%",
            ),
        ),
        rx.vstack(
            rx.text(label, size="2", weight="medium"),
            rx.input(
                name="quantity",
                input_mode="numeric",
                max_length=LIMITS["quantity"],
                size="3",
                width="100%",
                id="stock-quantity",
            ),
            field_error(StockState.errors["quantity"]),
            spacing="1",
            width="100%",
        ),
        rx.cond(
            StockState.mode != "threshold",
            rx.vstack(
                rx.text(t("stock.field.note"), size="2", weight="medium"),
                rx.input(name="note", max_length=LIMITS["memo"], size="3", width="100%"),
                field_error(StockState.errors["note"]),
                spacing="1",
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
    )


def adjust_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(StockState.sku_label),
            rx.flex(  # wraps on a phone (five tabs side by side do not fit 390 px)
                *[
                    rx.button(
                        t(f"stock.mode.{m}"),
                        variant=rx.cond(StockState.mode == m, "solid", "soft"),
                        size="2",
                        type="button",
                        on_click=StockState.set_mode(m),
                        id=f"stock-mode-{m}",
                    )
                    for m in MODES
                ],
                gap="6px",
                wrap="wrap",
                id="stock-mode",
            ),
            rx.form(
                rx.vstack(
                    rx.box(_mode_fields(), key=StockState.mode, width="100%"),  # fresh inputs per mode
                    rx.cond(
                        StockState.form_error != "", rx.callout(StockState.form_error, color_scheme="red", width="100%")
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(t("stock.cancel"), variant="soft", color_scheme="gray", size="3", type="button")
                        ),
                        rx.button(t("stock.save"), size="3", type="submit", id="stock-save"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="4",
                    width="100%",
                    padding_top="12px",
                ),
                on_submit=StockState.save,
                reset_on_submit=False,
            ),
            max_width="440px",
        ),
        open=StockState.dialog_open,
        on_open_change=StockState.set_dialog_open,
    )


def _move(m) -> rx.Component:
    return rx.table.row(
        rx.table.cell(m["at"], white_space="nowrap"),
        rx.table.cell(
            rx.match(
                m["kind"],
                *[
                    (k, t(f"stock.kind.{k}"))
                    for k in ("reserve", "release", "deduct", "receive", "adjust", "transfer_out", "transfer_in")
                ],
                m["kind"],
            )
        ),
        rx.table.cell(m["on_hand"], class_name="tabular"),
        rx.table.cell(m["reserved"], class_name="tabular"),
        rx.table.cell(m["actor"]),
        rx.table.cell(
            rx.match(
                m["reason"],
                *[(r, t(f"stock.reason.{r}")) for r in ("count", "damage", "transfer", "purchase", "order")],
                m["reason"],
            ),
            rx.cond(m["order_no"] != "", rx.text(" ", m["order_no"], as_="span", color_scheme="gray")),
            rx.cond(m["note"] != "", rx.text(m["note"], size="1", color_scheme="gray")),
        ),
    )


def ledger_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("stock.ledger"), " · ", StockState.sku_label),
            rx.cond(
                StockState.ledger_rows.length() > 0,
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                *[
                                    rx.table.column_header_cell(t(k))
                                    for k in (
                                        "stock.col.at",
                                        "stock.col.kind",
                                        "stock.on_hand",
                                        "stock.reserved",
                                        "stock.col.reason",
                                    )
                                ]
                            )
                        ),
                        rx.table.body(rx.foreach(StockState.ledger_rows, _move)),
                        size="1",
                        id="stock-ledger",
                    ),
                    overflow_x="auto",
                ),
                rx.text(t("stock.ledger_empty"), color_scheme="gray"),
            ),
            rx.hstack(
                rx.dialog.close(rx.button(t("stock.close"), variant="soft", size="3")),
                justify="end",
                padding_top="12px",
            ),
            max_width="640px",
        ),
        open=StockState.ledger_open,
        on_open_change=StockState.set_ledger_open,
    )


def low_stock_link() -> rx.Component:
    """The board's small 低库存 count; it links to the 库存 page filtered to low stock."""
    return rx.cond(
        StockAlertState.low_count > 0,
        rx.link(
            rx.badge(
                rx.icon("package-minus", size=14),
                t("stock.low"),
                " ",
                StockAlertState.low_count,
                color_scheme="red",
                size="2",
            ),
            href="/stock?low=1",
            id="board-low-stock",
        ),
        rx.fragment(),
    )
