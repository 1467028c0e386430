"""商品: the merchant's ERP products and SKUs, with import and export."""

import reflex as rx

from components.catalog_import import import_dialog, import_export_buttons
from components.i18n import t
from components.layout import app_shell, page_header
from components.pager import pager
from components.permission_gate import when_can
from components.product_form import product_dialog
from components.products import empty_state, filter_bar, products_cards, products_table
from state.products import ProductsState


def products_page() -> rx.Component:
    return app_shell(
        rx.vstack(
            page_header(
                "nav.products",
                rx.hstack(
                    import_export_buttons(),
                    when_can(
                        "product.edit",
                        rx.button(
                            rx.icon("plus", size=16),
                            t("catalog.new"),
                            on_click=ProductsState.open_new,
                            id="product-new",
                        ),
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
            ),
            filter_bar(),
            rx.cond(ProductsState.total == 0, empty_state(), rx.fragment(products_table(), products_cards())),
            pager(
                page=ProductsState.page,
                pages=ProductsState.pages,
                total=ProductsState.total,
                on_prev=ProductsState.go_page(ProductsState.page - 1),
                on_next=ProductsState.go_page(ProductsState.page + 1),
            ),
            product_dialog(),
            import_dialog(),
            width="100%",
            spacing="0",
        ),
        active="/products",
        title_key="nav.products",
    )
