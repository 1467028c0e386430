"""推送记录: what went to the ERPs, what they answered, and re-push."""

import reflex as rx

from components.erp_pushes import filters, push_cards, push_table
from components.i18n import t
from components.layout import app_shell, page_header
from components.pager import pager
from state.erp_pushes import ErpPushesState


def erp_pushes_page() -> rx.Component:
    return app_shell(
        rx.vstack(
            page_header("nav.erp_pushes"),
            filters(),
            rx.cond(
                ErpPushesState.total == 0,
                rx.center(rx.text(t("erp.ui.no_pushes"), color_scheme="gray"), padding="40px", width="100%"),
                rx.fragment(push_table(), push_cards()),
            ),
            pager(
                page=ErpPushesState.page,
                pages=ErpPushesState.pages,
                total=ErpPushesState.total,
                on_prev=ErpPushesState.go_page(ErpPushesState.page - 1),
                on_next=ErpPushesState.go_page(ErpPushesState.page + 1),
            ),
            width="100%",
            spacing="0",
        ),
        active="/erp/pushes",
        title_key="nav.erp_pushes",
    )
