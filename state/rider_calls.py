"""呼叫骑手 on the board: quotes of every enabled carrier side by side (cheapest and fastest
marked), book one with a tip, add a tip, cancel and call another. Carriers are called by a
worker (qihang_app.jobs); this state only checks the user's scope and shows the answers."""

from __future__ import annotations

import dataclasses

import reflex as rx

from qihang_app import jobs, live
from qihang_app.domain import carriers
from qihang_app.domain import input_rules as rules_
from qihang_app.domain.board import format_distance
from qihang_app.domain.dispatch_rule import QuoteRow, marks
from qihang_app.domain.money import format_money
from qihang_app.i18n import render, tr_known
from qihang_app.models import Order
from qihang_app.services import own_riders, ride_requests
from qihang_app.services.board_feed import feed
from state.auth import current_actor, explain, lang_of, refuse
from state.offloop import in_session, publish

JOB_SECONDS = 25.0
MAX_TIP_FEN = 20_000


@dataclasses.dataclass
class QuoteView:
    account_id: int = 0
    carrier: str = ""
    name: str = ""
    name_en: str = ""
    ok: bool = True
    fee: str = ""
    eta: int = 0
    distance: str = ""
    message: str = ""
    message_en: str = ""
    cheapest: bool = False
    fastest: bool = False


def quote_views(quotes: list[dict]) -> list[QuoteView]:
    rows = [
        QuoteRow(q["account_id"], q["carrier"], q["fee_fen"], q["eta_minutes"], q["distance_m"])
        for q in quotes
        if q["ok"]
    ]
    cheapest, fastest = marks(rows)
    views = []
    for q in sorted(quotes, key=lambda q: (not q["ok"], q.get("fee_fen", 0))):
        views.append(
            QuoteView(
                account_id=q["account_id"],
                carrier=q["carrier"],
                name=carriers.name(q["carrier"], "zh"),
                name_en=carriers.name(q["carrier"], "en"),
                ok=q["ok"],
                fee=format_money(q["fee_fen"]) if q["ok"] else "",
                eta=q.get("eta_minutes", 0),
                distance=format_distance(q.get("distance_m")) if q["ok"] else "",
                message="" if q["ok"] else render(q.get("message", ""), "zh"),
                message_en="" if q["ok"] else render(q.get("message", ""), "en"),
                cheapest=q["account_id"] == cheapest,
                fastest=q["account_id"] == fastest,
            )
        )
    return views


def _said(result: dict, lang: str) -> str:
    if result.get("key"):
        return tr_known(result["key"], lang, **(result.get("params") or {}))
    return render(result.get("message", ""), lang)


class RiderCallState(rx.State):
    open: bool = False
    order_id: int = 0
    order_no: str = ""
    loading: bool = False
    busy: bool = False
    quotes: list[QuoteView] = []
    problem: str = ""  # why there are no quotes, in the reader's language
    tip: str = ""
    tip_error: str = ""
    ride_carrier: str = ""  # a ride on its way: tip, cancel, call another
    ride_status: str = ""
    own: list[list[str]] = []  # [id, name, phone] of the store's active riders

    @rx.event
    def set_open(self, value: bool):
        self.open = value

    @rx.event
    def set_tip(self, value: str):
        self.tip = value
        self.tip_error = ""

    def _tip_fen(self) -> int | None:
        try:
            return rules_.check("tip", rules_.money, self.tip, maximum=MAX_TIP_FEN)
        except rules_.InputError:
            self.tip_error = "delivery.err.tip_range"
            return None

    @rx.event(background=True)
    async def open_for(self, order_id: int, order_no: str = ""):
        async with self:
            self.open, self.order_id, self.order_no = True, int(order_id), order_no
            self.quotes, self.problem, self.tip, self.tip_error = [], "", "", ""
        await self._requote()

    async def _requote(self):
        async with self:
            self.loading = True
            try:
                actor = await current_actor(self)
                order_id = self.order_id
                ride, own = await in_session(lambda s: (_running(s, order_id, actor), _own(s, order_id, actor)))
                self.own = own
                self.ride_carrier = carriers.name(ride["carrier"], await lang_of(self)) if ride else ""
                self.ride_status = ride["status"] if ride else ""
                if ride:  # a ride on its way: tip or call another, no quotes until then
                    self.loading = False
                    return None
            except Exception as exc:
                self.loading = False
                return await refuse(self, exc)
        try:
            result = await jobs.run("quote_delivery", order_id, timeout=JOB_SECONDS)
        except Exception:
            result = {"ok": False, "key": "delivery.err.worker"}
        async with self:
            self.loading = False
            if result.get("ok"):
                self.quotes = quote_views(result["quotes"])
            else:
                self.problem = _said(result, await lang_of(self))

    async def _job(self, function: str, *args, close: bool = True):
        try:
            result = await jobs.run(function, *args, timeout=JOB_SECONDS)
        except Exception:
            result = {"ok": False, "key": "delivery.err.worker"}
        await feed.refresh_orders([self.order_id])
        async with self:
            self.busy = False
            said = _said(result, await lang_of(self)) if not result.get("ok") else ""
            if result.get("ok") and close:
                self.open = False
        return result, said

    async def _start(self):
        """Scope check and the tip; None when refused."""
        async with self:
            if self.busy:
                return None
            try:
                actor = await current_actor(self)
                order_id = self.order_id
                await in_session(lambda s: ride_requests.ride_request(s, order_id=order_id, actor=actor, fresh=False))
            except Exception as exc:
                return await explain(self, exc), None
            tip = self._tip_fen()
            if tip is None:
                return None
            self.busy = True
            return actor, tip

    @rx.event(background=True)
    async def choose(self, account_id: int, eta: int):
        started = await self._start()
        if not started or isinstance(started[0], str):
            return rx.toast.warning(started[0]) if started else None
        actor, tip = started
        result, said = await self._job("book_delivery", self.order_id, int(account_id), tip, int(eta), actor.ref)
        if not result.get("ok"):
            return rx.toast.error(said)
        async with self:
            lang = await lang_of(self)
        return rx.toast.success(
            tr_known("dispatch.booked", lang, carrier=carriers.name(result.get("carrier", ""), lang))
        )

    @rx.event(background=True)
    async def assign_own(self, rider_id: str):
        """自配送 by one of the store's riders: the platform hears the rider's name and phone."""
        async with self:
            try:
                actor = await current_actor(self)
                order_id = self.order_id
                row = await in_session(
                    lambda s: own_riders.assign(s, actor=actor, order_id=order_id, rider_id=int(rider_id))
                )
            except Exception as exc:
                return rx.toast.warning(await explain(self, exc))
            self.open = False
        await publish(
            row.store_id, live.note(order_id=row.order_id, store_id=row.store_id, status=row.status, kind="rider")
        )
        await feed.refresh_orders([row.order_id])
        return rx.toast.success(row.rider_name)

    @rx.event(background=True)
    async def add_tip(self):
        started = await self._start()
        if not started or isinstance(started[0], str):
            return rx.toast.warning(started[0]) if started else None
        actor, tip = started
        result, said = await self._job("tip_delivery", self.order_id, tip, actor.ref)
        return rx.toast.success("+" + format_money(tip)) if result.get("ok") else rx.toast.error(said)

    @rx.event(background=True)
    async def cancel_and_requote(self):
        started = await self._start()
        if not started or isinstance(started[0], str):
            return rx.toast.warning(started[0]) if started else None
        actor, _ = started
        result, said = await self._job("cancel_delivery", self.order_id, "换一家配送", actor.ref, close=False)
        if not result.get("ok"):
            return rx.toast.error(said)
        await self._requote()


def _own(session, order_id: int, actor) -> list[list[str]]:
    order = session.get(Order, order_id)
    riders = own_riders.list_riders(session, actor=actor, store_id=order.store_id, active_only=True)
    return [[str(r.id), r.name, r.phone] for r in riders]


def _running(session, order_id: int, actor) -> dict | None:
    ride_requests.ride_request(session, order_id=order_id, actor=actor, fresh=False)
    row = ride_requests.running(session, order_id=order_id)
    return {"carrier": row.carrier, "status": row.status} if row is not None else None
