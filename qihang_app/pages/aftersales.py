"""售后: refund and return requests from every shop, by state and type, answered here."""

import reflex as rx

from components.aftersales import drawer, filters, queue
from components.layout import app_shell, page_header
from components.pager import pager
from state.aftersales import AfterSalesState


def aftersales_page() -> rx.Component:
    return app_shell(
        rx.vstack(
            page_header("aftersale.title"),
            filters(),
            queue(),
            pager(
                page=AfterSalesState.page,
                pages=AfterSalesState.pages,
                total=AfterSalesState.total,
                on_prev=AfterSalesState.go_page(AfterSalesState.page - 1),
                on_next=AfterSalesState.go_page(AfterSalesState.page + 1),
            ),
            drawer(),
            width="100%",
            spacing="0",
        ),
        active="/aftersales",
        title_key="nav.aftersales",
    )
