"""库存 page: levels of one location, the adjust dialog (receive / count / write-off / transfer /
alert level) and the ledger of one SKU."""

from __future__ import annotations

import reflex as rx

from qihang_app import live
from qihang_app.domain import input_rules as rules
from qihang_app.domain.clock import SHANGHAI
from qihang_app.services import stock, stock_admin, stock_queries
from qihang_app.services.errors import ServiceError
from state.auth import current_actor, refuse, translate
from state.form_errors import placed
from state.offloop import in_session, publish
from state.permissions import requires, view_only

MODES = ("receive", "count", "write_off", "transfer", "threshold")


def _level_row(r: stock_queries.LevelRow) -> dict[str, str]:
    return {
        "sku_id": str(r.sku_id),
        "code": r.code,
        "name": r.name,
        "spec": r.spec,
        "on_hand": str(r.on_hand),
        "reserved": str(r.reserved),
        "available": str(r.available),
        "threshold": str(r.threshold),
        "low": "1" if r.low else "",
    }


def _move_row(m: stock_queries.MoveRow) -> dict[str, str]:
    return {
        "id": str(m.id),
        "at": m.at.astimezone(SHANGHAI).strftime("%m-%d %H:%M"),
        "kind": m.kind,
        "reason": m.reason,
        "on_hand": f"{m.on_hand_delta:+d}" if m.on_hand_delta else "",
        "reserved": f"{m.reserved_delta:+d}" if m.reserved_delta else "",
        "order_id": str(m.order_id or ""),
        "order_no": m.order_no,
        "actor": m.actor,
        "note": m.note,
    }


class StockState(rx.State):
    locations: list[dict[str, str]] = []
    location: str = ""
    query: str = ""
    low_only: bool = False
    rows: list[dict[str, str]] = []

    dialog_open: bool = False
    mode: str = "receive"
    sku_id: str = ""
    sku_label: str = ""
    errors: dict[str, str] = {}
    form_error: str = ""

    ledger_open: bool = False
    ledger_rows: list[dict[str, str]] = []

    @rx.event
    @requires("page.stock")
    async def load(self):
        try:
            actor = await current_actor(self)
            found = await in_session(lambda s: stock_admin.locations(s, actor=actor))
            self.locations = [{"id": str(loc.id), "name": loc.name} for loc in found]
            params = self.router.url.query_parameters
            self.location = params.get("location", self.location)
            if self.location not in {loc["id"] for loc in self.locations}:
                self.location = self.locations[0]["id"] if self.locations else ""
            if params.get("low") == "1":
                self.low_only = True
            await self._reload()
        except Exception as exc:
            return await refuse(self, exc)

    async def _reload(self) -> None:
        if not self.location:
            self.rows = []
            return
        actor = await current_actor(self)
        location, query, low = int(self.location), self.query, self.low_only
        found = await in_session(
            lambda s: stock_queries.levels(s, actor=actor, location_id=location, query=query, low_only=low)
        )
        self.rows = [_level_row(r) for r in found]

    @rx.event
    @requires("page.stock")
    async def set_location(self, value: str):
        self.location = value
        try:
            await self._reload()
        except Exception as exc:
            return await refuse(self, exc)

    @rx.event
    @requires("page.stock")
    async def search(self, form: dict):
        self.query = str(form.get("q") or "").strip()[: rules.LIMITS["sku_code"]]
        try:
            await self._reload()
        except ServiceError as exc:
            return rx.toast.error(await translate(self, exc.key or "", **exc.params))
        except Exception as exc:
            return await refuse(self, exc)

    @rx.event
    @requires("page.stock")
    async def set_low_only(self, value: bool):
        self.low_only = bool(value)
        try:
            await self._reload()
        except Exception as exc:
            return await refuse(self, exc)

    # ---- the adjust dialog -------------------------------------------------------------------
    @rx.event
    @view_only
    def open_adjust(self, row: dict):
        self.sku_id, self.sku_label = row["sku_id"], f"{row['code']} {row['name']}"
        self.mode, self.errors, self.form_error = "receive", {}, ""
        self.dialog_open = True

    @rx.event
    @view_only
    def set_dialog_open(self, value: bool):
        self.dialog_open = value

    @rx.event
    @view_only
    def set_mode(self, value: str):
        if value in MODES:
            self.mode, self.errors, self.form_error = value, {}, ""

    @rx.event
    @requires("stock.adjust")
    async def save(self, form: dict):
        mode, sku, location = self.mode, int(self.sku_id), int(self.location)
        amount, note = form.get("quantity", ""), form.get("note", "")
        target = form.get("to_location", "")
        self.errors, self.form_error = {}, ""
        if mode == "transfer" and not str(target).isdigit():
            self.errors = {"to_location": await translate(self, "input.required")}
            return

        def work(session, actor):
            common = dict(actor=actor, sku_id=sku, note=note)
            if mode == "receive":
                stock_admin.receive(session, location_id=location, quantity=amount, **common)
            elif mode == "count":
                stock_admin.count(session, location_id=location, counted=amount, **common)
            elif mode == "write_off":
                stock_admin.write_off(session, location_id=location, quantity=amount, **common)
            elif mode == "transfer":
                stock_admin.transfer(session, from_id=location, to_id=int(target), quantity=amount, **common)
            else:
                stock_admin.set_threshold(session, actor=actor, location_id=location, sku_id=sku, threshold=amount)
            return stock.served_orders(session)

        try:
            actor = await current_actor(self)
            served = await in_session(lambda s: work(s, actor))
        except ServiceError as exc:
            at_field = await placed(self, exc)
            if at_field:
                self.errors = at_field
            else:
                self.form_error = await translate(self, exc.key or "", **exc.params)
            return
        except Exception as exc:
            return await refuse(self, exc)
        self.dialog_open = False
        for order_id, store_id in served:  # short orders now served: their cards lose 缺货
            await publish(store_id, live.note(order_id=order_id, store_id=store_id, status="", kind="stock"))
        await self._reload()
        return rx.toast.success(await translate(self, "stock.saved"))

    # ---- the ledger --------------------------------------------------------------------------
    @rx.event
    @requires("page.stock")
    async def open_ledger(self, row: dict):
        self.sku_label = f"{row['code']} {row['name']}"
        try:
            actor = await current_actor(self)
            sku, location = int(row["sku_id"]), int(self.location)
            found = await in_session(lambda s: stock_queries.ledger(s, actor=actor, location_id=location, sku_id=sku))
        except Exception as exc:
            return await refuse(self, exc)
        self.ledger_rows = [_move_row(m) for m in found]
        self.ledger_open = True

    @rx.event
    @view_only
    def set_ledger_open(self, value: bool):
        self.ledger_open = value


class StockAlertState(rx.State):
    """The board's 低库存 count (a link to the 库存 page filtered to low stock)."""

    low_count: int = 0

    @rx.event
    @requires("page.board")
    async def refresh(self):
        try:
            actor = await current_actor(self)
            self.low_count = await in_session(lambda s: stock_queries.low_count(s, actor=actor))
        except Exception as exc:
            return await refuse(self, exc)
