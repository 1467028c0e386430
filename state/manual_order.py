"""订单 page, 手工建单 (a manual offline order): the form's lines are kept as keys only; their
values come from the submitted form."""

from __future__ import annotations

import reflex as rx

from qihang_app.domain import input_rules as rules
from qihang_app.domain.money import fen_to_yuan_str, format_money
from qihang_app.services import catalog
from qihang_app.services import orders as order_service
from qihang_app.services.errors import ServiceError
from state.auth import current_actor, explain, refuse, translate
from state.form_errors import messages, placed
from state.offloop import in_session
from state.order_detail import OrderDetailState
from state.orders import OrdersState
from state.permissions import requires, view_only


def _line(key: str, name: str = "", qty: str = "1", price: str = "", code: str = "") -> dict[str, str]:
    return {"key": key, "name": name, "qty": qty, "price": price, "code": code}


def _picked_name(sku) -> str:
    return (sku.name + (f" {sku.spec}" if sku.spec else ""))[: rules.LIMITS["item_name"]]


class ManualOrderState(rx.State):
    manual_open: bool = False
    manual_store: str = ""
    manual_lines: list[dict[str, str]] = [_line("1")]
    pick_results: list[dict[str, str]] = []  # catalog SKUs matching what was typed or scanned
    pick_note: str = ""
    manual_next_key: int = 2
    manual_error: str = ""
    manual_errors: dict[str, str] = {}  # input name → its message

    @rx.event
    @requires("order.create")
    async def open_manual(self):
        orders = await self.get_state(OrdersState)
        self.manual_store = orders.f_store or (orders.store_options[0]["id"] if orders.store_options else "")
        self.manual_lines = [_line("1")]
        self.manual_next_key = 2
        self.pick_results, self.pick_note = [], ""
        self.manual_error = ""
        self.manual_errors = {}
        self.manual_open = True

    @rx.event
    @view_only
    def set_manual_open(self, value: bool):
        self.manual_open = value

    @rx.event
    @view_only
    def set_manual_store(self, value: str):
        self.manual_store = value

    @rx.event
    @view_only
    def add_manual_line(self):
        self.manual_lines = [*self.manual_lines, _line(str(self.manual_next_key))]
        self.manual_next_key += 1

    # ---- picking from the catalog (a scanner types the barcode and presses Enter) ---------------
    @rx.event
    @requires("order.create")
    async def pick(self, form: dict):
        """One exact code or barcode adds its line at once; anything else lists the matches."""
        query = str(form.get("pick") or "").strip()[: rules.LIMITS["search"]]
        self.pick_results, self.pick_note = [], ""
        if not query:
            return
        try:
            actor = await current_actor(self)

            def find(session):
                return catalog.scanned_sku(session, actor=actor, code=query), catalog.search_skus(
                    session, actor=actor, q=query, limit=8
                )

            scanned, found = await in_session(find)
        except Exception as exc:
            return await refuse(self, exc)
        if scanned is not None:  # the box emptied itself on submit: a fast next scan is never wiped
            self._add_picked(scanned.code, _picked_name(scanned), scanned.price_fen)
            return None
        self.pick_results = [
            {
                "code": s.code,
                "name": _picked_name(s),
                "price_fen": str(s.price_fen),
                "label": f"{_picked_name(s)} · {s.code} · {format_money(s.price_fen)}",
            }
            for s in found
        ]
        if not found:
            self.pick_note = await translate(self, "manual.pick_none")
        return rx.set_value("manual-pick", query)  # a search, not a scan: keep what was typed

    @rx.event
    @view_only
    def add_pick(self, sku: dict):
        self._add_picked(sku["code"], sku["name"], int(sku["price_fen"]))
        self.pick_results = []
        return rx.set_value("manual-pick", "")

    def _add_picked(self, code: str, name: str, price_fen: int) -> None:
        """The SKU's line gets one more; else a new line (filling an untouched empty first row)."""
        key = str(self.manual_next_key)
        self.manual_next_key += 1
        lines = list(self.manual_lines)
        for i, line in enumerate(lines):
            if line["code"] == code:  # a new key remounts the row with the new quantity
                lines[i] = {**line, "key": key, "qty": str(int(line["qty"] or "1") + 1)}
                self.manual_lines = lines
                return
        picked = _line(key, name, "1", fen_to_yuan_str(price_fen), code)
        if len(lines) == 1 and not any(lines[0][k] for k in ("name", "price", "code")):
            lines = []
        self.manual_lines = [*lines, picked]

    @rx.event
    @view_only
    def remove_manual_line(self, key: str):
        if len(self.manual_lines) > 1:
            self.manual_lines = [line for line in self.manual_lines if line["key"] != key]

    @rx.event
    @requires("order.create")
    async def submit_manual(self, form: dict):
        """Every bad field gets its message at once; the dialog stays open with what was typed."""
        self.manual_error = ""
        if not self.manual_store:
            self.manual_errors = {"store": await translate(self, "manual.store_required")}
            return
        checks = {
            "receiver_name": (rules.text, form.get("receiver_name"), dict(limit="receiver_name")),
            "receiver_phone": (rules.phone, form.get("receiver_phone")),
            "receiver_address": (rules.text, form.get("receiver_address"), dict(limit="address")),
            "memo": (rules.text, form.get("memo"), dict(limit="memo")),
            "freight": (rules.money, form.get("freight"), dict(maximum=rules.MAX_FREIGHT_FEN)),
            "discount": (
                rules.money,
                form.get("discount"),
                dict(maximum=rules.MAX_QUANTITY * rules.MAX_UNIT_PRICE_FEN),
            ),
        }
        typed_keys = []  # form keys of the rows that hold something, in order
        for line in self.manual_lines:
            key = line["key"]
            if not any((form.get(f"{part}_{key}") or "").strip() for part in ("name", "price", "code")):
                continue  # an empty row
            typed_keys.append(key)
            checks[f"name_{key}"] = (
                rules.text,
                form.get(f"name_{key}"),
                dict(limit="item_name", required=True, required_key="orders.err.line_name_required"),
            )
            checks[f"qty_{key}"] = (rules.quantity, form.get(f"qty_{key}") or "1")
            checks[f"price_{key}"] = (rules.money, form.get(f"price_{key}"), dict(maximum=rules.MAX_UNIT_PRICE_FEN))
            checks[f"code_{key}"] = (rules.code, form.get(f"code_{key}"), dict(limit="sku_code"))
        values, problems = rules.check_all(checks)
        self.manual_errors = await messages(self, problems)
        if not typed_keys:
            self.manual_errors["lines"] = await translate(self, "orders.err.no_lines")
        if self.manual_errors:
            return
        lines = [
            {
                "name": values[f"name_{k}"],
                "quantity": values[f"qty_{k}"],
                "unit_price_fen": values[f"price_{k}"],
                "outer_sku_code": values[f"code_{k}"],
            }
            for k in typed_keys
        ]
        # the service names a line's field "line<i>.<key>"; the form calls it "<input>_<row key>"
        rename = {
            f"line{i}.{field}": f"{name}_{k}"
            for i, k in enumerate(typed_keys)
            for field, name in (
                ("name", "name"),
                ("quantity", "qty"),
                ("unit_price_fen", "price"),
                ("outer_sku_code", "code"),
            )
        }
        store_id = int(self.manual_store)

        def create(session):
            order = order_service.create_manual_order(
                session,
                actor=actor,
                store_id=store_id,
                receiver_name=values["receiver_name"],
                receiver_phone=values["receiver_phone"],
                receiver_address=values["receiver_address"],
                buyer_memo=values["memo"],
                lines=lines,
                freight_fen=values["freight"],
                discount_fen=values["discount"],
            )
            return order.display_no, order.id

        try:
            actor = await current_actor(self)
            order_no, order_id = await in_session(create)
        except ServiceError as exc:
            self.manual_errors = await placed(self, exc, rename)
            if not self.manual_errors:
                self.manual_error = await explain(self, exc)
            return
        except Exception as exc:
            return await refuse(self, exc)
        self.manual_open = False
        await (await self.get_state(OrdersState))._refresh()
        await (await self.get_state(OrderDetailState))._show(order_id)
        return rx.toast.success(await translate(self, "manual.created", no=order_no))
