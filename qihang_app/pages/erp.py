"""ERP 对接: the merchant's ERP connections."""

import reflex as rx

from components.erp_connections import connection_form, connection_list, customers_dialog
from components.i18n import t
from components.layout import app_shell, page_header
from state.erp_connections import ErpConnectionsState


def erp_page() -> rx.Component:
    return app_shell(
        rx.vstack(
            page_header(
                "nav.erp",
                rx.link(rx.button(t("nav.erp_pushes"), variant="soft", size="3"), href="/erp/pushes"),
                rx.button(t("erp.ui.new"), size="3", on_click=ErpConnectionsState.new_connection, id="erp-new"),
            ),
            connection_list(),
            connection_form(),
            customers_dialog(),
            width="100%",
            spacing="0",
        ),
        active="/erp",
        title_key="nav.erp",
    )
