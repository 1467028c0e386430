"""订单: every shop's orders, filtered, paged, with a detail drawer."""

import reflex as rx

from components.layout import app_shell, page_header
from components.manual_aftersale import manual_aftersale_dialog
from components.manual_order import manual_order_button, manual_order_dialog
from components.orders import detail_drawer, empty_state, filter_bar, orders_cards, orders_table, push_selected_button
from components.pager import pager
from components.waybill_dialog import waybill_button, waybill_dialog
from state.orders import OrdersState


def orders_page() -> rx.Component:
    return app_shell(
        rx.vstack(
            page_header("orders.title", push_selected_button(), waybill_button(), manual_order_button()),
            filter_bar(),
            rx.cond(OrdersState.total == 0, empty_state(), rx.fragment(orders_table(), orders_cards())),
            pager(
                page=OrdersState.page,
                pages=OrdersState.pages,
                total=OrdersState.total,
                on_prev=OrdersState.go_page(OrdersState.page - 1),
                on_next=OrdersState.go_page(OrdersState.page + 1),
            ),
            detail_drawer(),
            manual_order_dialog(),
            manual_aftersale_dialog(),
            waybill_dialog(),
            width="100%",
            spacing="0",
        ),
        active="/orders",
        title_key="nav.orders",
    )
