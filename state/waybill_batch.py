"""订单 page, 打印面单 for the ticked orders: choose a carrier and paper, get numbers (a worker asks
the platform), print the labels (/waybill-print), then 标记发货 ships them with their numbers."""

from __future__ import annotations

import reflex as rx

from qihang_app import jobs, live
from qihang_app.i18n import render, tr, tr_known
from qihang_app.services import waybill_views, waybills
from qihang_app.services.errors import ServiceError
from state.auth import current_actor, lang_of, refuse, translate
from state.offloop import in_session, publish
from state.orders import OrdersState
from state.permissions import requires, view_only

ISSUE_WAIT = 90  # seconds the dialog waits for a batch's numbers


def _carrier_options(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    seen: dict[str, None] = {}
    for row in rows:
        for code in filter(None, row["carriers"].split(",")):
            seen.setdefault(code, None)
    out = []
    for code in seen:
        zh, en = waybill_views.carrier_names(code)
        out.append({"code": code, "zh": zh, "en": en})
    return out


def _answer(row: dict, result: dict, lang: str) -> dict[str, str]:
    if result.get("ok"):
        again = " " + tr("waybill.ui.again", lang) if result.get("again") else ""
        text = result.get("tracking_no", "") + again
    elif result.get("key"):
        text = tr_known(result["key"], lang, **(result.get("params") or {}))
    else:
        text = render(result.get("message", ""), lang)
    return {"id": row["id"], "no": row["no"], "ok": "1" if result.get("ok") else "", "text": text}


class WaybillBatchState(rx.State):
    dialog_open: bool = False
    orders: list[dict[str, str]] = []  # id, no, platform, carriers
    carriers: list[dict[str, str]] = []
    carrier: str = ""
    size: str = "76"
    results: list[dict[str, str]] = []  # id, no, ok, text
    busy: bool = False

    @rx.var
    def print_url(self) -> str:
        ids = ",".join(r["id"] for r in self.results if r["ok"]) or ",".join(o["id"] for o in self.orders)
        return f"/waybill-print?ids={ids}&size={self.size}"

    @rx.event
    @requires("order.waybill")
    async def open_dialog(self):
        selected = list((await self.get_state(OrdersState)).selected)
        try:
            actor = await current_actor(self)
            ids = [int(i) for i in selected]
            rows = await in_session(lambda s: waybill_views.batch_orders(s, actor=actor, order_ids=ids))
        except Exception as exc:
            return await refuse(self, exc)
        self.orders, self.results, self.busy = rows, [], False
        self.carriers = _carrier_options(rows)
        if self.carrier not in [c["code"] for c in self.carriers]:
            self.carrier = self.carriers[0]["code"] if self.carriers else ""
        self.dialog_open = True

    @rx.event
    @view_only
    def set_dialog_open(self, value: bool):
        self.dialog_open = value

    @rx.event
    @view_only
    def set_carrier(self, value: str):
        self.carrier = value

    @rx.event
    @view_only
    def set_size(self, value: str):
        self.size = "100" if value == "100" else "76"

    @rx.event(background=True)
    @requires("order.waybill")
    async def issue(self):
        """Numbers for every ticked order; each order's answer (number or why not) is listed."""
        async with self:
            if self.busy or not self.carrier:
                return
            self.busy, self.results = True, []
            rows, carrier = list(self.orders), self.carrier
            try:
                actor = await current_actor(self)
                ids = [int(r["id"]) for r in rows]
                ok, refused = await in_session(
                    lambda s: waybills.check_batch(s, actor=actor, order_ids=ids, carrier_code=carrier)
                )
            except Exception as exc:
                self.busy = False
                return await refuse(self, exc)
            lang = await lang_of(self)
        answers = {i: {"ok": False, "key": key} for i, key in refused.items()}
        if ok:
            try:
                result = await jobs.run("issue_waybills", ok, carrier, actor.ref, timeout=ISSUE_WAIT)
                answers.update({int(r["order_id"]): r for r in result["results"]})
            except Exception:
                answers.update({i: {"ok": False, "key": "waybill.err.no_worker"} for i in ok})
        async with self:
            self.results = [_answer(r, answers.get(int(r["id"]), {}), lang) for r in rows]
            self.busy = False
            done = sum(1 for r in self.results if r["ok"])
            message = tr("waybill.ui.issued", lang, ok=done, failed=len(self.results) - done)
            return rx.toast.success(message) if done == len(self.results) else rx.toast.warning(message)

    @rx.event
    @requires("order.waybill")
    async def print_labels(self):
        return rx.call_script(f"window.open('{self.print_url}', '_blank')")

    @rx.event
    @requires("order.waybill")
    async def ship(self):
        """标记发货: the printed orders ship with their numbers (SHIP to the platform via the outbox)."""
        ids = [int(r["id"]) for r in (self.results or self.orders) if r.get("ok", "1")]
        try:
            actor = await current_actor(self)
            shipped, refused = await in_session(lambda s: waybills.ship(s, actor=actor, order_ids=ids))
        except ServiceError as exc:
            return rx.toast.error(await translate(self, exc.key or ""))
        except Exception as exc:
            return await refuse(self, exc)
        for row in self.orders:  # the boards move the cards without waiting for their timer
            if int(row["id"]) in ids and int(row["id"]) not in refused:
                await _note_shipped(int(row["id"]))
        self.dialog_open = False
        (await self.get_state(OrdersState)).selected = []
        toasts = [rx.toast.success(await translate(self, "waybill.ui.shipped", n=shipped))]
        if refused:
            toasts.append(rx.toast.warning(await translate(self, "waybill.ui.ship_refused", n=len(refused))))
        return [OrdersState.load, *toasts]


async def _note_shipped(order_id: int) -> None:
    store_id = await in_session(lambda s: waybills.store_of(s, order_id=order_id))
    if store_id is not None:
        await publish(store_id, live.note(order_id=order_id, store_id=store_id, status="shipped", kind="shipped"))
