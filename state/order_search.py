"""The 订单 search box: what was typed is checked before the list is asked (the list itself lives
in state/orders.py); a bad query gets its message under the box and keeps what was typed."""

from __future__ import annotations

import reflex as rx

from qihang_app.domain import input_rules as rules
from state.auth import translate
from state.orders import OrdersState
from state.permissions import requires


class OrderSearchState(rx.State):
    error: str = ""

    @rx.event
    @requires("page.orders")
    async def search(self, form: dict):
        try:
            query = rules.search(form.get("q"))
        except rules.InputError as exc:
            self.error = await translate(self, exc.key, **exc.params)
            return
        self.error = ""
        orders = await self.get_state(OrdersState)
        orders.f_query, orders.page = query, 1
        return await orders._refresh()
