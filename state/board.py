"""调度看板: the live board of the stores a user may see.

The cards come from the process-wide BoardFeed (qihang_app/services/board_feed.py), which follows the live
notes and keeps one shared copy of every watched store. One background listener per open board
waits for the feed to ring for its stores, then rebuilds its view from that copy (no query) and
assigns only the tabs that changed, so the websocket carries only those. A phone gets the cards
of the tab it shows; a desk screen the cards of every column. Each tab shows its newest cards up
to a cap; 显示更多 raises it. The listener stops when the tab disconnects or leaves the board.
"""

from __future__ import annotations

import asyncio
import time

import reflex as rx

from qihang_app import live, runtime
from qihang_app.domain import partners
from qihang_app.domain.board import TAB_ORDER, Tab, reject_reasons, search_tab
from qihang_app.services import dispatch, stock
from qihang_app.services import stores as store_service
from qihang_app.services.board_feed import REFRESH_SECONDS, feed
from qihang_app.services.errors import ConflictError, NotFoundError, ValidationError
from qihang_app.services.scope import require_store
from state.auth import current_actor, explain, refuse
from state.board_cards import CardView, ItemView, view_of  # noqa: F401  (components import them from here)
from state.offloop import in_session, publish
from state.permissions import requires, view_only

# At most one update per board per this many seconds: under a burst (hundreds of orders a
# second) more updates only queue on the websocket and keep the page rendering.
MIN_INTERVAL_SECONDS = 0.2
ACTOR_RECHECK_SECONDS = 5.0  # live updates re-resolve the user (revoked grants, logout) this often
PHONE_CAP = 30  # cards sent for the one tab a phone shows
DESK_CAP = 20  # cards sent per desk column (about four fit on screen; the rest scroll)
MORE_STEP = 30  # 显示更多 adds this many


class BoardState(rx.State):
    tab: str = Tab.NEW.value
    layout: str = ""  # "phone" or "desk", told by the browser (its width); "" until then
    f_store: str = ""
    f_platform: str = ""
    f_query: str = ""
    store_options: list[dict[str, str]] = []
    platform_options: list[list[str]] = []  # [code, 中文, English] of every registered platform
    counts: dict[str, int] = {t.value: 0 for t in TAB_ORDER}
    new_cards: list[CardView] = []
    picking_cards: list[CardView] = []
    awaiting_rider_cards: list[CardView] = []
    delivering_cards: list[CardView] = []
    exception_cards: list[CardView] = []
    scheduled_cards: list[CardView] = []
    done_cards: list[CardView] = []
    alert_platforms: str = ""  # platforms of new orders still to accept, for the voice alert
    alert_events: str = ""  # "cancelled:12,refund:15": cancels and refund requests to speak once
    updated_ms: int = 0  # when the board data was last built (for the latency probe)
    reload_ms: float = 0.0  # backend time behind that update: the feed's read + this board's build
    reject_open: bool = False
    reject_order: int = 0
    reject_options: list[list[str]] = []  # [code, 中文, English] of the order's platform
    _epoch: int = 0
    _caps: dict[str, int] = {}
    _shown: dict[str, tuple] = {}  # tab -> the cards last sent (to send only changed tabs)
    _actor_cache: object = None
    _actor_at: float = 0.0

    # ---- loading -----------------------------------------------------------------------------
    async def _fresh_actor(self, max_age: float = 0.0):
        """The user, re-resolved when older than max_age seconds (0: always)."""
        now = time.monotonic()
        if self._actor_cache is None or now - self._actor_at > max_age:
            self._actor_cache, self._actor_at = await current_actor(self), now
        return self._actor_cache

    def _stores(self, actor) -> list[int]:
        """The stores this board shows, re-checked against the user's grants."""
        if self.f_store.isdigit():
            require_store(actor, int(self.f_store))
            return [int(self.f_store)]
        return [int(o["id"]) for o in self.store_options if actor.can_access(int(o["id"]))]

    def _cap(self, tab: str) -> int:
        return self._caps.get(tab, DESK_CAP if self.layout == "desk" else PHONE_CAP)

    def _render(self, actor) -> None:
        """Rebuild the view from the feed's shared copy; assign only what changed."""
        started = time.perf_counter()
        board = feed.board(
            self._stores(actor),
            platform=self.f_platform or None,
            query=self.f_query or None,
            per_tab={t: self._cap(t.value) for t in TAB_ORDER},
        )
        counts = {t.value: board.counts[t] for t in TAB_ORDER}
        if counts != self.counts:
            self.counts = counts
        for tab in TAB_ORDER:
            cards = tuple(board.cards[tab]) if self.layout == "desk" or tab.value == self.tab else ()
            if self._shown.get(tab.value) != cards:
                self._shown[tab.value] = cards
                setattr(self, f"{tab.value}_cards", [view_of(c) for c in cards])
        ringing = ",".join(sorted(board.ringing))
        if ringing != self.alert_platforms:
            self.alert_platforms = ringing
        events = ",".join(sorted(board.alerts))
        if events != self.alert_events:
            self.alert_events = events
        self.updated_ms = int(time.time() * 1000)
        self.reload_ms = round((time.perf_counter() - started) * 1000 + feed.last_read_ms, 1)

    async def _load(self) -> None:
        """Make sure the feed holds our stores, then render (raises NotLoggedIn/ScopeError)."""
        actor = await self._fresh_actor()
        await feed.ensure(self._stores(actor))
        self._render(actor)

    @rx.event
    @requires("page.board")
    async def open_board(self):
        try:
            actor = await self._fresh_actor()
            stores = await in_session(lambda s: store_service.list_stores(s, actor=actor))
            self.store_options = [{"id": str(s.id), "name": s.name} for s in stores]
            self.platform_options = [[p.code, p.name_zh, p.name_en] for p in partners.profiles()]
            params = self.router.url.query_parameters
            self.f_store = params.get("store", self.f_store)
            self._caps, self._shown = {}, {}
            await self._load()
        except Exception as exc:
            return await refuse(self, exc)
        self._epoch += 1
        return [rx.call_script(LAYOUT_PROBE, callback=BoardState.set_layout), BoardState.listen]

    @rx.event
    @requires("page.board")
    async def set_layout(self, desk: bool):
        layout = "desk" if desk else "phone"
        if layout != self.layout:
            self.layout, self._caps = layout, {}
            return await self._safe_render()

    @rx.event
    @view_only
    def probe_layout(self):
        """board.js clicks this when the window crosses the desk breakpoint."""
        return rx.call_script(LAYOUT_PROBE, callback=BoardState.set_layout)

    @rx.event(background=True)
    @requires("page.board")
    async def listen(self):
        async with self:
            epoch = self._epoch
            token = self.router.session.client_token
            try:
                actor = await self._fresh_actor()
            except Exception:
                return
            # every store the user may pick in the filter, so changing it needs no new listener
            stores = [int(o["id"]) for o in self.store_options if actor.can_access(int(o["id"]))]
        key, wake = feed.subscribe(stores)
        last = 0.0
        try:
            while True:
                try:
                    await asyncio.wait_for(wake.event.wait(), timeout=REFRESH_SECONDS + 1)
                    # keep a minimum distance between updates; what arrives meanwhile joins in
                    await asyncio.sleep(max(0.0, MIN_INTERVAL_SECONDS - (time.monotonic() - last)))
                except TimeoutError:
                    pass
                wake.event.clear()
                async with self:
                    if (
                        self._epoch != epoch
                        or not runtime.client_connected(token)
                        or not self.router.url.path.startswith("/board")
                    ):
                        return
                    try:
                        self._render(await self._fresh_actor(ACTOR_RECHECK_SECONDS))
                    except Exception:  # logged out, grant revoked: this board stops
                        return
                last = time.monotonic()
        finally:
            feed.unsubscribe(key)

    # ---- filters -----------------------------------------------------------------------------
    @rx.event
    @requires("page.board")
    async def set_tab(self, value: str):
        self.tab = value
        if self.layout != "desk":  # a phone holds only the cards of the tab it shows
            return await self._safe_render()

    @rx.event
    @requires("page.board")
    async def show_more(self, tab: str):
        self._caps[tab] = self._cap(tab) + MORE_STEP
        return await self._safe_render()

    @rx.event
    @requires("page.board")
    async def set_store(self, value: str):
        self.f_store = "" if value == "all" else value
        return await self._safe_load()

    @rx.event
    @requires("page.board")
    async def set_platform(self, value: str):
        self.f_platform = "" if value == "all" else value
        return await self._safe_render()

    @rx.event
    @requires("page.board")
    async def search(self, form: dict):
        """Searches every tab; a phone shows a tab that has the result."""
        self.f_query = (form.get("q") or "").strip()
        try:
            actor = await self._fresh_actor()
            self._render(actor)
            if self.f_query and self.layout != "desk":
                found = search_tab(Tab(self.tab), {Tab(k): v for k, v in self.counts.items()})
                if found.value != self.tab:
                    self.tab = found.value
                    self._render(actor)
        except Exception as exc:
            return await refuse(self, exc)

    @rx.event
    @requires("page.board")
    async def clear_search(self):
        self.f_query = ""
        return await self._safe_render()

    async def _safe_render(self):
        try:
            self._render(await self._fresh_actor())
        except Exception as exc:
            return await refuse(self, exc)

    async def _safe_load(self):
        try:
            await self._load()
        except Exception as exc:
            return await refuse(self, exc)

    # ---- actions -----------------------------------------------------------------------------
    async def _act(self, fn, order_id: int, **kwargs):
        try:
            actor = await self._fresh_actor()
            warning = None
            try:
                store_id, status, served = await in_session(
                    lambda s: (*_acted(fn(s, actor=actor, order_id=int(order_id), **kwargs)), stock.served_orders(s))
                )
                await publish(
                    store_id, live.note(order_id=int(order_id), store_id=store_id, status=status, kind="action")
                )
                for other, other_store in served:  # a cancel gave its units to orders waiting short
                    await publish(other_store, live.note(order_id=other, store_id=other_store, status="", kind="stock"))
            except (ConflictError, ValidationError, NotFoundError) as exc:
                warning, served = await explain(self, exc), []
            # the card moves now, not at the next note
            await feed.refresh_orders([int(order_id), *(other for other, _ in served)])
            self._render(actor)
            if warning:
                return rx.toast.warning(warning)
        except Exception as exc:
            return await refuse(self, exc)

    @rx.event
    @requires("order.accept")
    async def accept(self, order_id: int):
        return await self._act(dispatch.accept, order_id)

    @rx.event
    @requires("order.ready")
    async def ready(self, order_id: int):
        return await self._act(dispatch.mark_ready, order_id)

    @rx.event
    @requires("order.dispatch")
    async def dispatch_self(self, order_id: int):
        return await self._act(dispatch.dispatch_self, order_id)

    @rx.event
    @requires("order.deliver")
    async def delivered(self, order_id: int):
        return await self._act(dispatch.mark_delivered, order_id)

    @rx.event
    @requires("order.exception")
    async def ack_exception(self, order_id: int):
        return await self._act(dispatch.acknowledge_exception, order_id)

    @rx.event
    @view_only
    def ask_reject(self, order_id: int, platform: str):
        self.reject_order = int(order_id)
        self.reject_options = [[code, zh, en] for code, (zh, en) in reject_reasons(platform).items()]
        self.reject_open = bool(self.reject_options)

    @rx.event
    @view_only
    def set_reject_open(self, value: bool):
        self.reject_open = value

    @rx.event
    @requires("order.reject")
    async def reject(self, reason_code: str):
        self.reject_open = False
        return await self._act(dispatch.reject, self.reject_order, reason_code=reason_code)


LAYOUT_PROBE = "window.matchMedia('(min-width: 64em)').matches"  # Radix's lg breakpoint, where columns show


def _acted(order) -> tuple[int, str]:
    return order.store_id, order.status
