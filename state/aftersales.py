"""售后 page: the queues (state / type filters kept in the URL), one record in a drawer, and the
actions 同意 / 拒绝 / 备注 / 确认收货 / 处理结果. Every action is written back through the outbox;
the drawer shows the platform's answer when the relay has it."""

from __future__ import annotations

import asyncio
from datetime import datetime
from urllib.parse import urlencode

import reflex as rx

from qihang_app import live, runtime
from qihang_app.domain.money import format_money
from qihang_app.i18n import MESSAGES, tr
from qihang_app.services import aftersale_actions as actions
from qihang_app.services import aftersale_queries as queries
from qihang_app.services.errors import ServiceError
from state.auth import current_actor, explain, lang_of, refuse
from state.form_errors import placed
from state.offloop import in_session
from state.orders import fmt_dt
from state.permissions import requires, view_only

LIVE_IDLE_SECONDS = 15  # without notes, refresh this often anyway (a lost note costs this long)


def _note(event: dict, lang: str) -> str:
    """A result's note starts with its outcome code: shown in the reader's words."""
    note = event["note"] or ""
    if event["kind"] == "erp_result":
        outcome, _, rest = note.partition(" ")
        if f"aftersale.outcome.{outcome}" in MESSAGES:
            return f"{tr(f'aftersale.outcome.{outcome}', lang)} {rest}".strip()
    return note


def _ms(value: datetime | None) -> int:
    return int(value.timestamp() * 1000) if value else 0


def _row(r: dict) -> dict[str, str]:
    return {
        "id": str(r["id"]),
        "no": r["no"],
        "platform": r["platform"],
        "kind": r["kind"],
        "state": r["state"],
        "amount": format_money(r["amount_fen"]),
        "reason": r["reason"] or "",
        "deadline_ms": str(_ms(r["deadline_at"])),
        "created": fmt_dt(r["created_at"]),
        "order_no": str(r.get("order_no") or ""),
        "seq": f"#{r['day_seq']}" if r.get("day_seq") else "",
        "shop": r.get("shop") or "",
        "busy": "1" if r["pending_action"] else "",
    }


class AfterSalesState(rx.State):
    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    counts: dict[str, int] = {}
    f_state: str = ""  # "" = open ones, "all" = every state, else one state
    f_kind: str = ""
    # the drawer
    open_id: str = ""
    head: dict[str, str] = {}
    lines: list[dict[str, str]] = []
    pictures: list[str] = []
    events: list[dict[str, str]] = []
    allowed: list[str] = []
    reasons: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    busy: bool = False
    _epoch: int = 0

    @rx.var
    def pages(self) -> int:
        return max(1, -(-self.total // 20))

    @rx.event
    @requires("page.aftersales")
    async def load(self):
        params = self.router.url.query_parameters
        self.f_state, self.f_kind = params.get("state", ""), params.get("kind", "")
        self.open_id = params.get("id", "")
        order = params.get("order", "")
        if order.isdigit() and not self.open_id:  # from the board's 异常 card
            try:
                actor = await current_actor(self)
                found = await in_session(lambda s: queries.latest_for_order(s, actor=actor, order_id=int(order)))
            except Exception as exc:
                return await refuse(self, exc)
            self.open_id = str(found or "")
        await self._refresh()
        if self.open_id.isdigit():
            opened = await self._open(int(self.open_id))
            return [e for e in (opened, AfterSalesState.listen) if e is not None]
        return AfterSalesState.listen

    async def _refresh(self):
        try:
            actor = await current_actor(self)
        except Exception as exc:
            return await refuse(self, exc)
        state = None if self.f_state in ("", "all") else self.f_state
        found = await in_session(
            lambda s: queries.list_after_sales(
                s, actor=actor, state=state, kind=self.f_kind or None, open_only=self.f_state == "", page=self.page
            )
        )
        self.rows, self.total, self.page, self.counts = (
            [_row(r) for r in found.rows],
            found.total,
            found.page,
            found.counts,
        )

    def _url(self):
        values = {"state": self.f_state, "kind": self.f_kind, "id": self.open_id}
        qs = urlencode({k: v for k, v in values.items() if v})
        return rx.call_script(f"window.history.replaceState(null, '', '/aftersales{'?' + qs if qs else ''}')")

    @rx.event
    @requires("page.aftersales")
    async def set_state_filter(self, value: str):
        self.f_state, self.page = ("" if value == "open" else value), 1
        await self._refresh()
        return self._url()

    @rx.event
    @requires("page.aftersales")
    async def set_kind_filter(self, value: str):
        self.f_kind, self.page = ("" if value == "all" else value), 1
        await self._refresh()
        return self._url()

    @rx.event
    @requires("page.aftersales")
    async def go_page(self, page: int):
        self.page = max(1, min(page, self.pages))
        await self._refresh()

    @rx.event
    @requires("page.aftersales")
    async def open_record(self, after_sale_id: str):
        if after_sale_id.isdigit():
            return await self._open(int(after_sale_id))

    @rx.event
    @view_only
    def set_drawer_open(self, is_open: bool):
        if not is_open:
            return self.close_record()

    @rx.event
    @view_only
    def close_record(self):
        self.open_id, self.head, self.errors = "", {}, {}
        return self._url()

    async def _open(self, after_sale_id: int):
        try:
            actor = await current_actor(self)
            d = await in_session(lambda s: queries.detail(s, actor=actor, after_sale_id=after_sale_id))
        except ServiceError as exc:
            self.open_id = ""
            return rx.toast.error(await explain(self, exc))
        except Exception as exc:
            return await refuse(self, exc)
        o = d["order"]
        self.open_id, self.errors = str(after_sale_id), {}
        self.head = {
            **_row(d),
            "refunded": format_money(d["refunded_fen"]),
            "waybill": " ".join(p for p in (d["return_carrier"], d["return_waybill"]) if p),
            "note": d["seller_note"],
            "answer": d["platform_answer"],
            "pending": d["pending_action"],
            "outcome": d["erp_outcome"],
            "tracking": d["erp_tracking_no"],
            "order_no": o["no"],
            "seq": f"#{o['day_seq']}" if o["day_seq"] else "",
            "order_status": o["status"],
            "order_paid": format_money(o["paid_fen"]),
            "order_after_sale": o["after_sale_state"],
            "order_id": str(d["order_id"]),
        }
        self.lines = [
            {
                "name": ln["name"],
                "qty": str(ln["quantity"]),
                "amount": format_money(ln["amount_fen"]),
                "received": str(ln["received_quantity"]) if ln["received_quantity"] else "",
                "line_state": ln["line_state"],
            }
            for ln in d["lines"]
        ]
        self.pictures = d["pictures"]
        lang = await lang_of(self)
        self.events = [
            {
                "at": fmt_dt(e["at"]),
                "kind": e["kind"],
                "state": e["to_state"],
                "note": _note(e, lang),
                "actor": e["actor"],
            }
            for e in reversed(d["events"])
        ]
        self.allowed = d["actions"]
        self.reasons = [{"code": c, "zh": zh, "en": en} for c, (zh, en) in d["reject_reasons"].items()]
        return self._url()

    async def _act(self, work, *, rename: dict[str, str] | None = None):
        """Run one action, then show the record again (the outbox carries it to the platform)."""
        if self.busy or not self.open_id.isdigit():
            return
        self.busy, self.errors = True, {}
        after_sale_id = int(self.open_id)
        try:
            actor = await current_actor(self)
            await in_session(lambda s: work(s, actor, after_sale_id))
        except ServiceError as exc:
            self.busy = False
            self.errors = await placed(self, exc, rename) or {"_": await explain(self, exc)}
            return
        except Exception as exc:
            self.busy = False
            return await refuse(self, exc)
        self.busy = False
        await self._refresh()
        return await self._open(after_sale_id)

    @rx.event
    @requires("aftersale.handle")
    async def agree(self):
        return await self._act(lambda s, a, i: actions.agree(s, actor=a, after_sale_id=i))

    @rx.event
    @requires("aftersale.handle")
    async def reject(self, form: dict):
        code, text = str(form.get("reason_code") or ""), str(form.get("reason") or "")
        return await self._act(
            lambda s, a, i: actions.reject(s, actor=a, after_sale_id=i, reason_code=code, reason=text),
            rename={"reason_code": "reason_code"},
        )

    @rx.event
    @requires("aftersale.handle")
    async def save_note(self, form: dict):
        text = str(form.get("note") or "")
        return await self._act(lambda s, a, i: actions.add_note(s, actor=a, after_sale_id=i, text=text))

    @rx.event
    @requires("aftersale.handle")
    async def confirm_receipt(self, form: dict):
        sellable = form.get("sellable") in ("on", True, "true")
        return await self._act(lambda s, a, i: actions.confirm_receipt(s, actor=a, after_sale_id=i, sellable=sellable))

    @rx.event
    @requires("aftersale.create")
    async def save_result(self, form: dict):
        outcome, tracking = str(form.get("outcome") or ""), str(form.get("tracking_no") or "")
        return await self._act(
            lambda s, a, i: actions.record_result(
                s, after_sale_id=i, outcome=outcome, tracking_no=tracking, actor=a.ref, user=a
            ),
        )

    @rx.event(background=True)
    @requires("page.aftersales")
    async def listen(self):
        """Follow the live notes of the actor's stores (a refund push ingested, the platform's
        answer relayed): the queues and the open record move without a reload. Stops when the
        tab disconnects, leaves the page or opens it again (a newer listener)."""
        async with self:
            self._epoch += 1
            epoch, token = self._epoch, self.router.session.client_token
            try:
                actor = await current_actor(self)
            except Exception:
                return
        stores = None if actor.all_stores else sorted(actor.store_ids)
        key, queue = live.hub.listen(stores)
        try:
            while True:
                try:
                    await asyncio.wait_for(queue.get(), timeout=LIVE_IDLE_SECONDS)
                    await asyncio.sleep(0.3)  # a burst of notes becomes one refresh
                    while not queue.empty():
                        queue.get_nowait()
                except TimeoutError:
                    pass
                async with self:
                    if (
                        self._epoch != epoch
                        or not runtime.client_connected(token)
                        or not self.router.url.path.startswith("/aftersales")
                    ):
                        return
                    try:
                        await self._refresh()
                        if self.open_id.isdigit() and not self.busy:
                            await self._open(int(self.open_id))
                    except Exception:  # logged out, grant revoked: stop following
                        return
        finally:
            live.hub.unlisten(key)
