"""The order detail drawer of 订单: lines, amounts, the 异常 reason and the timeline in words."""

import reflex as rx

from components.aftersale_line_state import line_state_badge
from components.audit_bits import audit_line
from components.badges import platform_badge, status_badge
from components.delivery_panel import delivery_section
from components.i18n import t
from components.manual_aftersale import manual_aftersale_button
from components.order_erp import erp_section
from components.order_waybills import line_badges, memo_section, partial_badge, waybill_section
from state.lang import LangState
from state.order_detail import OrderDetailState

MONEY = {"font_variant_numeric": "tabular-nums", "white_space": "nowrap"}


def _kv(label_key: str, value, *, bold: bool = False) -> rx.Component:
    return rx.hstack(
        rx.text(t(label_key), size="2", color_scheme="gray"),
        rx.spacer(),
        rx.text(value, size="2", weight=rx.cond(bold, "bold", "regular"), style=MONEY),
        width="100%",
    )


def _line(line: dict) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(line["name"], size="2", weight="medium"),
            rx.text(line["spec"] + "  " + line["code"], size="1", color_scheme="gray"),
            rx.cond(
                line["erp"] == "",
                rx.cond(
                    line["sku"] == "",
                    rx.badge(t("orders.line.unlinked"), color_scheme="amber", size="1"),
                    rx.link(  # to the link screen, on this shop SKU
                        rx.badge(t("orders.line.unlinked"), rx.icon("link", size=12), color_scheme="amber", size="1"),
                        href="/shop-products?q=" + line["sku"],
                        class_name="line-to-link",
                    ),
                ),
                rx.badge("ERP #" + line["erp"], color_scheme="green", size="1"),
            ),
            line_badges(line),
            line_state_badge(line["as_state"]),
            spacing="1",
            flex="1",
        ),
        rx.vstack(
            rx.text(
                "×" + line["qty"],
                size="3",
                weight=rx.cond(line["multi"] == "1", "bold", "regular"),
                color=rx.cond(line["multi"] == "1", rx.color("red", 10), rx.color("gray", 12)),
            ),
            rx.text(line["price"], size="1", color_scheme="gray", style=MONEY),
            align="end",
            spacing="0",
        ),
        rx.vstack(
            rx.text(line["paid"], size="2", weight="medium", style=MONEY),
            rx.text(line["discount"], size="1", color_scheme="gray", style=MONEY),
            align="end",
            spacing="0",
            min_width="72px",
        ),
        width="100%",
        padding_y="8px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def _in_lang(zh, en) -> rx.Var:
    return rx.cond(LangState.lang == "en", en, zh)


def _event(e: dict) -> rx.Component:
    """A timeline row: time · who · how it came, then what happened (and the status move only
    when the status changed), then the detail (reason, rider, the platform's answer)."""
    via = _in_lang(e["via"], e["via_en"])
    return rx.hstack(
        rx.box(
            width="8px",
            height="8px",
            border_radius="50%",
            background=rx.color("accent", 9),
            margin_top="6px",
            flex_shrink="0",
        ),
        rx.vstack(
            rx.hstack(
                rx.text(e["at"], size="1", color_scheme="gray", style=MONEY),
                rx.text(_in_lang(e["who"], e["who_en"]), size="1", color_scheme="gray", class_name="timeline-who"),
                rx.cond(e["via"] != "", rx.text("· ", via, size="1", color_scheme="gray")),
                spacing="2",
                wrap="wrap",
            ),
            rx.text(
                _in_lang(e["what"], e["what_en"]),
                rx.cond(
                    e["change"] != "",
                    rx.text.span("  ", _in_lang(e["change"], e["change_en"]), color=rx.color("gray", 11)),
                ),
                size="2",
                class_name="timeline-what",
            ),
            rx.cond(
                e["detail"] != "",
                rx.text(
                    _in_lang(e["detail"], e["detail_en"]),
                    size="1",
                    color_scheme="gray",
                    white_space="normal",
                    word_break="break-word",
                ),
            ),
            spacing="0",
        ),
        align="start",
        spacing="2",
        class_name="timeline-row",
    )


def _section(title_key: str, *children) -> rx.Component:
    return rx.vstack(rx.text(t(title_key), size="2", weight="bold"), *children, spacing="2", width="100%")


def detail_drawer() -> rx.Component:
    d = OrderDetailState.detail
    return rx.drawer.root(
        rx.drawer.overlay(z_index="40"),
        rx.drawer.portal(
            rx.drawer.content(
                rx.box(
                    rx.vstack(
                        rx.hstack(
                            platform_badge(d["platform"]),
                            rx.heading(d["seq"], size="6"),
                            status_badge(d["status"]),
                            partial_badge(),
                            rx.spacer(),
                            rx.drawer.close(
                                rx.icon_button(
                                    rx.icon("x", size=18), variant="ghost", aria_label="close", id="detail-close"
                                )
                            ),
                            align="center",
                            width="100%",
                        ),
                        rx.text(d["no"], size="2", font_family="monospace", color_scheme="gray"),
                        rx.text(
                            d["shop"] + " · " + d["placed"],
                            rx.cond(d["raw_status"] != "", " · " + d["raw_status"], ""),
                            size="1",
                            color_scheme="gray",
                        ),
                        rx.cond(
                            d["exception"] != "",
                            rx.callout(
                                _in_lang(d["exception"], d["exception_en"]),
                                icon="triangle-alert",
                                color_scheme="red",
                                width="100%",
                                id="detail-exception",
                            ),
                        ),
                        rx.cond(
                            d["buyer_memo"] != "",
                            rx.callout(
                                d["buyer_memo"], icon="message-square-warning", color_scheme="amber", width="100%"
                            ),
                        ),
                        _section(
                            "orders.receiver",
                            rx.text(d["receiver_name"] + "  " + d["receiver_phone"], size="2"),
                            rx.text(d["receiver_address"], size="2", white_space="normal", word_break="break-all"),
                        ),
                        delivery_section(),
                        _section(
                            "orders.lines",
                            rx.foreach(OrderDetailState.detail_lines, _line),
                            manual_aftersale_button(d["id"]),
                        ),
                        erp_section(),
                        waybill_section(),
                        _section(
                            "orders.amounts",
                            _kv("orders.amount.goods", d["goods"]),
                            _kv("orders.amount.freight", d["freight"]),
                            _kv("orders.amount.packing", d["packing"]),
                            _kv("orders.amount.platform_discount", d["platform_discount"]),
                            _kv("orders.amount.merchant_discount", d["merchant_discount"]),
                            rx.separator(),
                            _kv("orders.amount.paid", d["paid"], bold=True),
                            _kv("orders.amount.receivable", d["receivable"]),
                        ),
                        memo_section(),
                        _section("orders.timeline", rx.foreach(OrderDetailState.detail_events, _event)),
                        _section(
                            "audit.order_log",
                            rx.cond(
                                OrderDetailState.detail_audit.length() > 0,
                                rx.foreach(OrderDetailState.detail_audit, audit_line),
                                rx.text(t("audit.order_log_empty"), size="2", color_scheme="gray"),
                            ),
                        ),
                        spacing="4",
                        padding="20px",
                        width="100%",
                    ),
                    height="100%",
                    width="100%",
                    overflow_y="auto",
                ),
                width=["100vw", "100vw", "520px"],
                height="100%",
                top="0",
                right="0",
                left="auto",
                background=rx.color("gray", 1),
                z_index="50",
                id="order-detail",
            )
        ),
        open=OrderDetailState.detail_open,
        on_open_change=OrderDetailState.set_detail_open,
        direction="right",
    )
