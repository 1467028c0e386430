"""Pieces of the 店铺商品 page: product pulls per shop, suggestions, filters and the SKU list."""

import reflex as rx

from components.badges import platform_badge
from components.filters import all_select
from components.form_bits import WRAP
from components.i18n import t
from components.permission_gate import when_can
from qihang_app.domain.input_rules import LIMITS
from state.lang import LangState
from state.shop_products import ShopProductsState as S


def _pull_status(shop: dict) -> rx.Component:
    counts = rx.cond(
        LangState.lang == "en",
        shop["read"] + " SKUs read · " + shop["linked"] + " linked",
        "已读取 " + shop["read"] + " 个SKU · 新关联 " + shop["linked"],
    )
    return rx.match(
        shop["status"],
        ("", rx.text(t("shopsku.never_pulled"), size="1", color_scheme="gray")),
        (
            "failed",
            rx.text(t("pulls.status.failed") + "：" + shop["error"], size="1", color=rx.color("red", 11), style=WRAP),
        ),
        (
            "ok",
            rx.text(shop["when"] + " · " + counts, size="1", color_scheme="gray", class_name="pull-done"),
        ),
        rx.vstack(
            rx.progress(width="100%", duration="2s"),  # no total from every platform: it runs, with counts
            rx.text(rx.cond(shop["status"] == "queued", t("pulls.status.queued"), counts), size="1"),
            width="100%",
            spacing="1",
        ),
    )


def _pull_card(shop: dict) -> rx.Component:
    busy = (shop["status"] == "queued") | (shop["status"] == "running")
    return rx.card(
        rx.vstack(
            rx.hstack(
                platform_badge(shop["platform"]),
                rx.text(shop["name"], size="2", weight="medium", style=WRAP),
                rx.spacer(),
                when_can(
                    "shop_products.pull",
                    rx.button(
                        rx.icon("refresh-cw", size=14),
                        t("shopsku.pull"),
                        size="2",
                        variant="soft",
                        loading=busy,
                        on_click=S.pull(shop["id"]),
                        id="pull-" + shop["id"],
                    ),
                ),
                align="center",
                width="100%",
            ),
            _pull_status(shop),
            spacing="2",
            width="100%",
        ),
        flex="1 1 300px",
        min_width="0",
        class_name="pull-card",
    )


def pull_panel() -> rx.Component:
    return rx.flex(rx.foreach(S.shop_options, _pull_card), gap="8px", wrap="wrap", width="100%", margin_bottom="12px")


def _hint(h: dict) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(h["name"], size="2", style=WRAP),
            rx.text("→ " + h["erp"], size="1", color_scheme="gray", style=WRAP),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        rx.badge(
            rx.match(
                h["how"],
                ("outer_code", t("shopsku.how.code")),
                ("barcode", t("shopsku.how.barcode")),
                t("shopsku.how.name"),
            ),
            size="1",
            variant="soft",
        ),
        when_can(
            "sku.link",
            rx.button(t("shopsku.accept"), size="2", on_click=S.accept_hint(h["shop_sku_id"], h["erp_sku_id"])),
        ),
        align="center",
        width="100%",
        class_name="hint-row",
    )


def hint_panel() -> rx.Component:
    return rx.cond(
        S.hints.length() > 0,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.icon("sparkles", size=16, color=rx.color("accent", 9)),
                    rx.text(t("shopsku.hints"), weight="bold", size="2"),
                    rx.badge(S.hints.length().to_string(), size="1"),
                    rx.spacer(),
                    when_can(
                        "sku.link",
                        rx.button(t("shopsku.accept_all"), size="2", on_click=S.accept_all_hints, id="accept-all"),
                    ),
                    align="center",
                    width="100%",
                ),
                rx.scroll_area(rx.vstack(rx.foreach(S.hints, _hint), spacing="2"), max_height="240px", type="auto"),
                spacing="2",
                width="100%",
            ),
            width="100%",
            margin_bottom="12px",
        ),
    )


def filter_bar() -> rx.Component:
    return rx.flex(
        rx.form(
            rx.hstack(
                rx.input(
                    rx.input.slot(rx.icon("search", size=16)),
                    name="q",
                    placeholder=t("shopsku.search_placeholder"),
                    default_value=S.f_query,
                    size="2",
                    width="100%",
                    max_length=LIMITS["search"],
                    id="shop-sku-search",
                ),
                rx.button(t("common.search"), type="submit", size="2"),
                width="100%",
            ),
            on_submit=S.search,
            reset_on_submit=False,
            flex="1 1 260px",
        ),
        all_select(
            "orders.all_shops",
            S.f_shop,
            S.set_shop,
            [rx.foreach(S.shop_options, lambda s: rx.select.item(s["name"], value=s["id"]))],
            "filter-shop",
        ),
        all_select(
            "common.all",
            S.f_linked,
            S.set_linked,
            [
                rx.select.item(t("shopsku.unlinked"), value="unlinked"),
                rx.select.item(t("shopsku.linked_state"), value="linked"),
            ],
            "filter-linked",
        ),
        gap="8px",
        wrap="wrap",
        align="center",
        width="100%",
        margin_bottom="12px",
    )


def _link_cell(row: dict) -> rx.Component:
    return rx.cond(
        row["linked"] == "1",
        rx.hstack(
            rx.icon("link", size=14, color=rx.color("green", 10)),
            rx.text(row["erp"], size="2", style=WRAP, class_name="linked-erp"),
            when_can(
                "sku.unlink",
                rx.button(
                    t("shopsku.unlink"), size="2", variant="ghost", color_scheme="gray", on_click=S.open_unlink(row)
                ),
            ),
            align="center",
            spacing="2",
        ),
        rx.hstack(
            rx.badge(t("shopsku.unlinked"), color_scheme="amber", size="1"),
            rx.cond(
                row["waiting"] != "",
                rx.text(t("shopsku.waiting") + " " + row["waiting"], size="1", color=rx.color("amber", 11)),
            ),
            when_can(
                "sku.link", rx.button(t("shopsku.link"), size="2", on_click=S.open_link(row), class_name="link-button")
            ),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
    )


def sku_row(row: dict) -> rx.Component:
    return rx.box(
        rx.flex(
            rx.vstack(
                rx.hstack(
                    platform_badge(row["platform"]), rx.text(row["shop"], size="1", color_scheme="gray"), spacing="2"
                ),
                rx.text(row["name"], size="2", weight="medium", style=WRAP),
                rx.text(
                    row["spec"] + " · " + row["outer_code"] + " · " + row["barcode"] + " · " + row["price"],
                    size="1",
                    color_scheme="gray",
                    style=WRAP,
                ),
                spacing="1",
                flex="1 1 260px",
                min_width="0",
            ),
            rx.box(_link_cell(row), flex="1 1 260px", min_width="0"),
            rx.icon_button(
                rx.icon("history", size=16),
                variant="ghost",
                color_scheme="gray",
                size="2",
                aria_label="history",
                on_click=S.open_history(row),
                class_name="history-button",
            ),
            gap="8px",
            wrap="wrap",
            align="center",
            width="100%",
        ),
        padding="10px 12px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        class_name="shop-sku-row",
    )
