"""店铺商品 page: link a shop SKU by hand (search the ERP SKUs, pick one) and unlink with a reason."""

import reflex as rx

from components.form_bits import WRAP, field_error
from components.i18n import t
from components.permission_gate import when_can
from qihang_app.domain.input_rules import LIMITS
from state.shop_products import ShopProductsState as S


def _target() -> rx.Component:
    return rx.box(
        rx.text(S.target["name"], weight="medium", size="2", style=WRAP),
        rx.text(
            S.target["shop"] + " · " + S.target["outer_code"] + " · " + S.target["barcode"],
            size="1",
            color_scheme="gray",
        ),
        padding="8px",
        background=rx.color("gray", 2),
        border_radius="6px",
        width="100%",
    )


def _result(sku: dict) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(sku["name"] + " " + sku["spec"], size="2", style=WRAP),
            rx.text(sku["code"] + " · " + sku["price"], size="1", color_scheme="gray"),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        when_can(
            "sku.link", rx.button(t("shopsku.link"), size="2", on_click=S.link_to(sku["id"]), class_name="pick-erp")
        ),
        align="center",
        width="100%",
    )


def link_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("shopsku.link_title")),
            rx.vstack(
                _target(),
                rx.form(
                    rx.hstack(
                        rx.input(
                            name="q",
                            placeholder=t("shopsku.erp_search"),
                            max_length=LIMITS["search"],
                            width="100%",
                            auto_focus=True,
                            id="erp-search",
                        ),
                        rx.button(t("common.search"), type="submit"),
                        width="100%",
                    ),
                    on_submit=S.find_erp,
                    reset_on_submit=False,
                    width="100%",
                ),
                rx.cond(
                    (S.erp_results.length() == 0) & (S.erp_query != ""),
                    rx.text(t("shopsku.erp_none"), size="2", color_scheme="gray"),
                ),
                rx.scroll_area(
                    rx.vstack(rx.foreach(S.erp_results, _result), spacing="2", width="100%"),
                    max_height="320px",
                    type="auto",
                ),
                rx.hstack(
                    rx.dialog.close(rx.button(t("common.close"), variant="soft", color_scheme="gray")),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="560px",
        ),
        open=S.link_dialog,
        on_open_change=S.set_link_dialog,
    )


def unlink_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("shopsku.unlink_title")),
            rx.form(
                rx.vstack(
                    _target(),
                    rx.text(t("shopsku.unlink_help"), size="2", color_scheme="gray"),
                    rx.input(
                        name="reason",
                        placeholder=t("shopsku.reason"),
                        max_length=LIMITS["reason"],
                        width="100%",
                        id="unlink-reason",
                    ),
                    field_error(S.unlink_error),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(t("common.cancel"), variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button(t("shopsku.unlink"), color_scheme="red", type="submit", id="unlink-confirm"),
                        justify="end",
                        width="100%",
                        spacing="3",
                    ),
                    spacing="3",
                ),
                on_submit=S.unlink,
                reset_on_submit=False,
            ),
            max_width="480px",
        ),
        open=S.unlink_dialog,
        on_open_change=S.set_unlink_dialog,
    )


def _event(e: dict) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.badge(
                rx.cond(e["action"] == "link", t("shopsku.link"), t("shopsku.unlink")),
                color_scheme=rx.cond(e["action"] == "link", "green", "gray"),
                size="1",
            ),
            rx.text(e["erp"], size="2", font_family="monospace"),
            rx.spacer(),
            rx.text(e["who"] + " · " + e["when"], size="1", color_scheme="gray"),
            align="center",
            width="100%",
        ),
        rx.cond(e["reason"] != "", rx.text(e["reason"], size="2", style=WRAP)),
        rx.cond(e["lines"] != "", rx.text(t("shopsku.backfilled") + " " + e["lines"], size="1", color_scheme="gray")),
        padding_y="6px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        class_name="link-event",
    )


def history_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("shopsku.history")),
            rx.vstack(
                _target(),
                rx.cond(S.history.length() == 0, rx.text(t("shopsku.no_history"), size="2", color_scheme="gray")),
                rx.scroll_area(rx.vstack(rx.foreach(S.history, _event), spacing="0"), max_height="360px", type="auto"),
                rx.hstack(
                    rx.dialog.close(rx.button(t("common.close"), variant="soft", color_scheme="gray")),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="520px",
        ),
        open=S.history_dialog,
        on_open_change=S.set_history_dialog,
    )
