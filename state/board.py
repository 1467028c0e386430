"""调度看板: the live board of the stores a user may see.

One background listener per open board waits on the process-wide LiveHub (one Redis
subscription per backend) and reloads the board when a note for its stores arrives, or every
REFRESH_SECONDS anyway. It stops when the tab disconnects or leaves the board.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time

import reflex as rx

from qihang_app import live
from qihang_app.db import session_scope
from qihang_app.domain.board import TAB_ORDER, Tab
from qihang_app.domain.money import format_money
from qihang_app.services import board as board_service
from qihang_app.services import dispatch
from qihang_app.services import stores as store_service
from qihang_app.services.errors import ConflictError, NotFoundError, ValidationError
from state.auth import AuthState, NotLoggedIn

REFRESH_SECONDS = 20
COALESCE_SECONDS = 0.05
# At most one rebuild per board per this many seconds: under a burst (hundreds of orders a
# second) every rebuild ships the whole visible board, so more of them only queue up behind
# each other on the websocket and make the board later, not fresher.
MIN_INTERVAL_SECONDS = 0.4


@dataclasses.dataclass
class ItemView:
    name: str = ""
    spec: str = ""
    qty: int = 1


@dataclasses.dataclass
class CardView:
    id: int = 0
    tab: str = ""
    platform: str = ""
    seq: str = ""
    no: str = ""
    platform_order_id: str = ""
    shop: str = ""
    placed_ms: int = 0
    accept_deadline_ms: int = 0
    promised_ms: int = 0
    scheduled: bool = False
    lines: list[ItemView] = dataclasses.field(default_factory=list)
    memo: str = ""
    receiver: str = ""
    phone: str = ""
    callable_phone: str = ""
    address: str = ""
    distance: str = ""
    amount: str = ""
    delivery: str = ""
    rider: str = ""
    pending: str = ""
    error: str = ""
    exception: str = ""
    auto: bool = False
    action: str = ""


def _ms(dt) -> int:
    return int(dt.timestamp() * 1000) if dt else 0


def _view(card: board_service.Card) -> CardView:
    phone = card.receiver_phone
    # A privacy number "13019793247_8284" is dialled as the number, a pause, then the extension.
    plain = phone.replace("-", "").replace(" ", "").replace("_", ",,")
    return CardView(
        id=card.id,
        tab=card.tab.value,
        platform=card.platform,
        seq=f"#{card.day_seq}" if card.day_seq else card.display_no[-4:],
        no=card.display_no,
        platform_order_id=card.platform_order_id,
        shop=card.shop_name,
        placed_ms=_ms(card.placed_at),
        accept_deadline_ms=_ms(card.accept_deadline_at),
        promised_ms=_ms(card.expected_delivery_at),
        scheduled=card.is_scheduled,
        lines=[ItemView(line.name, line.spec, line.quantity) for line in card.lines],
        memo=card.buyer_memo,
        receiver=card.receiver_name,
        phone=phone,
        callable_phone=plain if plain.replace(",", "").isdigit() else "",  # masked numbers cannot be dialled
        address=card.receiver_address,
        distance=card.distance,
        amount=format_money(card.paid_fen),
        delivery=card.delivery_type,
        rider=" ".join(x for x in (card.rider_name, card.rider_phone) if x),
        pending=card.pending_action,
        error=card.action_error,
        exception=card.exception_reason,
        auto=card.auto_accepted,
        action=card.primary_action,
    )


class BoardState(AuthState):
    tab: str = Tab.NEW.value
    f_store: str = ""
    f_platform: str = ""
    f_query: str = ""
    store_options: list[dict[str, str]] = []
    counts: dict[str, int] = {t.value: 0 for t in TAB_ORDER}
    new_cards: list[CardView] = []
    picking_cards: list[CardView] = []
    awaiting_rider_cards: list[CardView] = []
    delivering_cards: list[CardView] = []
    exception_cards: list[CardView] = []
    scheduled_cards: list[CardView] = []
    done_cards: list[CardView] = []
    alert_platforms: str = ""  # platforms of new orders still to accept, for the voice alert
    updated_ms: int = 0  # when the board data was last built (for the latency probe)
    reload_ms: float = 0.0  # how long that build took on the backend
    reject_open: bool = False
    reject_order: int = 0
    _epoch: int = 0

    # ---- loading -----------------------------------------------------------------------------
    def _store_ids(self) -> list[int] | None:
        return [int(self.f_store)] if self.f_store.isdigit() else None

    def _reload(self) -> None:
        started = time.perf_counter()
        actor = self._actor()
        with session_scope() as session:
            data = board_service.load_board(
                session, actor=actor, store_ids=self._store_ids(), platform=self.f_platform or None, query=self.f_query or None
            )
        self.counts = {t.value: data.counts[t] for t in TAB_ORDER}
        for tab in TAB_ORDER:
            setattr(self, f"{tab.value}_cards", [_view(c) for c in data.cards[tab]])
        self.alert_platforms = ",".join(sorted({c.platform for c in data.cards[Tab.NEW] if not c.pending_action}))
        self.updated_ms = int(time.time() * 1000)
        self.reload_ms = round((time.perf_counter() - started) * 1000, 1)

    @rx.event
    async def open_board(self):
        try:
            actor = self._actor()
            with session_scope() as session:
                stores = store_service.list_stores(session, actor=actor)
            self.store_options = [{"id": str(s.id), "name": s.name} for s in stores]
            params = self.router.url.query_parameters
            self.f_store = params.get("store", self.f_store)
            self._reload()
        except Exception as exc:
            return await self._denied(exc)
        self._epoch += 1
        return BoardState.listen

    @rx.event(background=True)
    async def listen(self):
        async with self:
            epoch = self._epoch
            token = self.router.session.client_token
            try:
                actor = self._actor()
            except NotLoggedIn:
                return
        key, queue = live.hub.listen(None if actor.all_stores else actor.store_ids)
        last = 0.0
        try:
            while True:
                try:
                    await asyncio.wait_for(queue.get(), timeout=REFRESH_SECONDS)
                    # a burst becomes one reload, and reloads keep a minimum distance
                    await asyncio.sleep(max(COALESCE_SECONDS, MIN_INTERVAL_SECONDS - (time.monotonic() - last)))
                    while not queue.empty():
                        queue.get_nowait()
                except asyncio.TimeoutError:
                    pass
                async with self:
                    if self._epoch != epoch or not _connected(token) or not self.router.url.path.startswith("/board"):
                        return
                    try:
                        self._reload()
                    except NotLoggedIn:
                        return
                last = time.monotonic()
        finally:
            live.hub.unlisten(key)

    # ---- filters -----------------------------------------------------------------------------
    @rx.event
    async def set_tab(self, value: str):
        self.tab = value

    @rx.event
    async def set_store(self, value: str):
        self.f_store = "" if value == "all" else value
        return await self._safe_reload()

    @rx.event
    async def set_platform(self, value: str):
        self.f_platform = "" if value == "all" else value
        return await self._safe_reload()

    @rx.event
    async def search(self, form: dict):
        self.f_query = (form.get("q") or "").strip()
        return await self._safe_reload()

    @rx.event
    async def clear_search(self):
        self.f_query = ""
        return await self._safe_reload()

    async def _safe_reload(self):
        try:
            self._reload()
        except Exception as exc:
            return await self._denied(exc)

    # ---- actions -----------------------------------------------------------------------------
    async def _act(self, fn, order_id: int, **kwargs):
        try:
            actor = self._actor()
            with session_scope() as session:
                order = fn(session, actor=actor, order_id=int(order_id), **kwargs)
                store_id, status = order.store_id, order.status
            live.publish_sync(store_id, live.note(order_id=int(order_id), store_id=store_id, status=status, kind="action"))
            self._reload()
        except (ConflictError, ValidationError, NotFoundError) as exc:
            self._reload()
            return rx.toast.warning(str(exc))
        except Exception as exc:
            return await self._denied(exc)

    @rx.event
    async def accept(self, order_id: int):
        return await self._act(dispatch.accept, order_id)

    @rx.event
    async def ready(self, order_id: int):
        return await self._act(dispatch.mark_ready, order_id)

    @rx.event
    async def dispatch_self(self, order_id: int):
        return await self._act(dispatch.dispatch_self, order_id)

    @rx.event
    async def delivered(self, order_id: int):
        return await self._act(dispatch.mark_delivered, order_id)

    @rx.event
    async def ack_exception(self, order_id: int):
        return await self._act(dispatch.acknowledge_exception, order_id)

    @rx.event
    def ask_reject(self, order_id: int):
        self.reject_order = int(order_id)
        self.reject_open = True

    @rx.event
    def set_reject_open(self, value: bool):
        self.reject_open = value

    @rx.event
    async def reject(self, reason_code: str):
        self.reject_open = False
        return await self._act(dispatch.reject, self.reject_order, reason_code=reason_code)


def _connected(token: str) -> bool:
    """Is the browser tab that owns this state still connected to this backend?"""
    from qihang_app.qihang_app import app  # late: the app module imports this one

    namespace = app.event_namespace
    return namespace is None or token in namespace.token_to_sid
