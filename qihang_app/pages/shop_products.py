"""店铺商品: each shop's SKUs pulled from its platform, linked to the ERP SKUs."""

import reflex as rx

from components.i18n import t
from components.layout import app_shell, page_header
from components.pager import pager
from components.shop_products import filter_bar, hint_panel, pull_panel, sku_row
from components.sku_link_dialogs import history_dialog, link_dialog, unlink_dialog
from state.shop_products import ShopProductsState as S


def _empty() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("link", size=40, color=rx.color("gray", 8)),
            rx.text(t("shopsku.empty"), color_scheme="gray", text_align="center"),
            align="center",
        ),
        padding="48px 16px",
        width="100%",
    )


def shop_products_page() -> rx.Component:
    return app_shell(
        rx.vstack(
            page_header(
                "nav.shop_products",
                rx.badge(
                    t("shopsku.unlinked") + " " + S.unlinked.to_string(),
                    color_scheme=rx.cond(S.unlinked > 0, "amber", "green"),
                    size="3",
                    id="unlinked-count",
                ),
            ),
            pull_panel(),
            hint_panel(),
            filter_bar(),
            rx.cond(
                S.total == 0,
                _empty(),
                rx.box(
                    rx.foreach(S.rows, sku_row),
                    border=f"1px solid {rx.color('gray', 5)}",
                    border_radius="8px",
                    width="100%",
                ),
            ),
            pager(
                page=S.page,
                pages=S.pages,
                total=S.total,
                on_prev=S.go_page(S.page - 1),
                on_next=S.go_page(S.page + 1),
            ),
            link_dialog(),
            unlink_dialog(),
            history_dialog(),
            width="100%",
            spacing="0",
        ),
        active="/shop-products",
        title_key="nav.shop_products",
    )
