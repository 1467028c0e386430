"""订单 page, 手工建单 (a manual offline order): the form's lines are kept as keys only; their
values come from the submitted form."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import reflex as rx

from qihang_app.domain.money import MoneyError, yuan_to_fen
from qihang_app.services import orders as order_service
from state.auth import current_actor, explain, refuse, translate
from state.offloop import in_session
from state.order_detail import OrderDetailState
from state.orders import OrdersState


class ManualOrderState(rx.State):
    manual_open: bool = False
    manual_store: str = ""
    manual_lines: list[dict[str, str]] = [{"key": "1"}]
    manual_next_key: int = 2
    manual_error: str = ""

    @rx.event
    async def open_manual(self):
        orders = await self.get_state(OrdersState)
        self.manual_store = orders.f_store or (orders.store_options[0]["id"] if orders.store_options else "")
        self.manual_lines = [{"key": "1"}]
        self.manual_next_key = 2
        self.manual_error = ""
        self.manual_open = True

    @rx.event
    def set_manual_open(self, value: bool):
        self.manual_open = value

    @rx.event
    def set_manual_store(self, value: str):
        self.manual_store = value

    @rx.event
    def add_manual_line(self):
        self.manual_lines = [*self.manual_lines, {"key": str(self.manual_next_key)}]
        self.manual_next_key += 1

    @rx.event
    def remove_manual_line(self, key: str):
        if len(self.manual_lines) > 1:
            self.manual_lines = [line for line in self.manual_lines if line["key"] != key]

    @rx.event
    async def submit_manual(self, form: dict):
        if not self.manual_store:
            self.manual_error = await translate(self, "manual.store_required")
            return
        try:
            lines = []
            for line in self.manual_lines:
                key = line["key"]
                name = (form.get(f"name_{key}") or "").strip()
                if not name and not (form.get(f"price_{key}") or "").strip():
                    continue  # an empty row
                lines.append({
                    "name": name,
                    "quantity": _whole(form.get(f"qty_{key}") or "1"),
                    "unit_price_fen": _fen(form.get(f"price_{key}") or "0"),
                    "outer_sku_code": (form.get(f"code_{key}") or "").strip(),
                })
            freight = _fen(form.get("freight") or "0")
            discount = _fen(form.get("discount") or "0")
        except ValueError:
            self.manual_error = await translate(self, "manual.bad_number")
            return
        store_id = int(self.manual_store)

        def create(session):
            order = order_service.create_manual_order(
                session, actor=actor, store_id=store_id,
                receiver_name=form.get("receiver_name") or "",
                receiver_phone=form.get("receiver_phone") or "",
                receiver_address=form.get("receiver_address") or "",
                buyer_memo=(form.get("memo") or "").strip(), lines=lines,
                freight_fen=freight, discount_fen=discount)
            return order.display_no, order.id

        try:
            actor = await current_actor(self)
            order_no, order_id = await in_session(create)
        except ValueError as exc:  # services' ValidationError
            self.manual_error = await explain(self, exc)
            return
        except Exception as exc:
            return await refuse(self, exc)
        self.manual_open = False
        await (await self.get_state(OrdersState))._refresh()
        await (await self.get_state(OrderDetailState))._show(order_id)
        return rx.toast.success(await translate(self, "manual.created", no=order_no))


def _whole(text: str) -> int:
    value = int(str(text).strip())
    if value < 1:
        raise ValueError(text)
    return value


def _fen(text: str) -> int:
    """Yuan typed by a person → fen; at most two decimals, never negative."""
    text = str(text).strip() or "0"
    try:
        amount = Decimal(text.replace(",", "").lstrip("¥"))
        if not amount.is_finite() or amount.as_tuple().exponent < -2:
            raise ValueError(text)
        fen = yuan_to_fen(text)
    except (InvalidOperation, MoneyError) as exc:
        raise ValueError(text) from exc
    if fen < 0:
        raise ValueError(text)
    return fen
