"""库存: stock of one location per SKU, with its adjust and ledger dialogs."""

import reflex as rx

from components.i18n import t
from components.layout import app_shell, page_header
from components.stock import adjust_dialog, ledger_dialog, level_card, toolbar
from components.stock_shops import shops_button, shops_dialog, warehouse_button, warehouse_dialog
from state.stock import StockState


def stock_page() -> rx.Component:
    return app_shell(
        rx.vstack(
            page_header("stock.title", warehouse_button(), shops_button()),
            toolbar(),
            rx.cond(
                StockState.rows.length() > 0,
                rx.vstack(rx.foreach(StockState.rows, level_card), spacing="2", width="100%", id="stock-list"),
                rx.text(t("stock.empty"), color_scheme="gray"),
            ),
            adjust_dialog(),
            ledger_dialog(),
            shops_dialog(),
            warehouse_dialog(),
            spacing="3",
            width="100%",
        ),
        active="/stock",
        title_key="stock.title",
    )
