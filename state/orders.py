"""订单 page, the list: filters kept in the URL and paging. The detail drawer and the manual order
form have states of their own (state/order_detail.py, state/manual_order.py)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlencode

import reflex as rx

from qihang_app.domain.clock import SHANGHAI
from qihang_app.domain.date_range import ordered_days
from qihang_app.domain.display import format_time
from qihang_app.domain.money import format_money
from qihang_app.services import erp_log, erp_manual
from qihang_app.services import orders as order_service
from qihang_app.services import stores as store_service
from state.auth import current_actor, refuse, translate
from state.offloop import in_session

FILTER_KEYS = ("store", "shop", "platform", "status", "from", "to", "q")


def _day_start_utc(day: str, *, end: bool = False) -> datetime | None:
    """A yyyy-mm-dd picked in Shanghai → aware UTC (end=True gives the next midnight)."""
    if not day:
        return None
    try:
        d = datetime.strptime(day, "%Y-%m-%d").date()
    except ValueError:
        return None
    if end:
        d += timedelta(days=1)
    return datetime.combine(d, time.min, SHANGHAI).astimezone(UTC)


def _int_or_none(value: str) -> int | None:
    return int(value) if value and value.isdigit() else None


def fmt_dt(value: datetime | None) -> str:
    return format_time(value, datetime.now(UTC)) if value else ""


def _row(row) -> dict[str, str]:
    get = row.get if isinstance(row, dict) else lambda k, d=None: getattr(row, k, d)
    day_seq = get("day_seq")
    return {
        "id": str(get("id")),
        "platform": str(get("platform")),
        "shop": get("shop_name") or "",
        "store": get("store_name") or "",
        "no": get("display_no") or get("platform_order_id") or "",
        "seq": f"#{day_seq}" if day_seq else "",
        "status": str(get("status")),
        "paid": format_money(get("paid_fen") or 0),
        "receiver": get("receiver_name") or "",
        "phone": get("receiver_phone") or "",
        "placed": fmt_dt(get("placed_at")),
        "items": get("item_summary") or "",
    }


def _with_erp(row: dict[str, str], erp: dict[int, tuple[str, int]]) -> dict[str, str]:
    found = erp.get(int(row["id"]))
    return {**row, "erp": "" if found is None else str(found[1])}


class OrdersState(rx.State):
    rows: list[dict[str, str]] = []
    selected: list[str] = []  # order ids ticked for 推送到 ERP
    total: int = 0
    page: int = 1
    page_size: int = 20
    f_store: str = ""
    f_shop: str = ""
    f_platform: str = ""
    f_status: str = ""
    f_from: str = ""
    f_to: str = ""
    f_query: str = ""
    range_swapped: bool = False  # the dates were picked backwards and swapped: the filter says so
    store_options: list[dict[str, str]] = []
    shop_options: list[dict[str, str]] = []

    @rx.var
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    # ---- loading -----------------------------------------------------------------------------
    @rx.event
    async def load(self):
        params = self.router.url.query_parameters
        self.f_store = params.get("store", "")
        self.f_shop = params.get("shop", "")
        self.f_platform = params.get("platform", "")
        self.f_status = params.get("status", "")
        self.f_from = params.get("from", "")
        self.f_to = params.get("to", "")
        self.f_query = params.get("q", "")
        self.page = _int_or_none(params.get("page", "")) or 1
        self.range_swapped = False
        return await self._refresh(push_url=False)

    async def _refresh(self, *, push_url: bool = True):
        try:
            actor = await current_actor(self)
        except Exception as exc:
            return await refuse(self, exc)
        self.f_from, self.f_to, swapped = ordered_days(self.f_from, self.f_to)
        if swapped:
            self.range_swapped, push_url = True, True
        store_id = _int_or_none(self.f_store)
        filters = dict(
            store_id=store_id,
            shop_id=_int_or_none(self.f_shop),
            platform=self.f_platform or None,
            status=self.f_status or None,
            placed_from=_day_start_utc(self.f_from),
            placed_to=_day_start_utc(self.f_to, end=True),
            query=self.f_query.strip() or None,
            page=self.page,
            page_size=self.page_size,
        )

        def read(session):
            result = order_service.list_orders(session, actor=actor, **filters)
            ids = [int(_row(r)["id"]) for r in result.rows]
            return (
                store_service.list_stores(session, actor=actor),
                store_service.list_shops(session, actor=actor, store_id=store_id),
                result,
                erp_log.erp_states(session, order_ids=ids),
            )

        stores, shops, result, erp = await in_session(read)
        self.store_options = [{"id": str(s.id), "name": s.name} for s in stores]
        self.shop_options = [{"id": str(s.id), "name": s.name} for s in shops]
        self.total = result.total
        self.rows = [_with_erp(_row(r), erp) for r in result.rows]
        if result.page != self.page:  # past the last page: the service gave the last one
            self.page, push_url = result.page, True
        if push_url:
            return rx.call_script(f"window.history.replaceState(null, '', '/orders{self._query_string()}')")

    def _query_string(self) -> str:
        values = {
            "store": self.f_store,
            "shop": self.f_shop,
            "platform": self.f_platform,
            "status": self.f_status,
            "from": self.f_from,
            "to": self.f_to,
            "q": self.f_query,
            "page": str(self.page) if self.page > 1 else "",
        }
        qs = urlencode({k: v for k, v in values.items() if v})
        return f"?{qs}" if qs else ""

    # ---- filters (applied at once, no reload) ------------------------------------------------
    @rx.event
    async def set_store(self, value: str):
        self.f_store = "" if value == "all" else value
        self.f_shop = ""
        self.page = 1
        return await self._refresh()

    @rx.event
    async def set_shop(self, value: str):
        self.f_shop = "" if value == "all" else value
        self.page = 1
        return await self._refresh()

    @rx.event
    async def set_platform(self, value: str):
        self.f_platform = "" if value == "all" else value
        self.page = 1
        return await self._refresh()

    @rx.event
    async def set_status(self, value: str):
        self.f_status = "" if value == "all" else value
        self.page = 1
        return await self._refresh()

    @rx.event
    async def set_from(self, value: str):
        self.f_from, self.range_swapped = value, False
        self.page = 1
        return await self._refresh()

    @rx.event
    async def set_to(self, value: str):
        self.f_to, self.range_swapped = value, False
        self.page = 1
        return await self._refresh()

    @rx.event
    async def search(self, form: dict):
        self.f_query = (form.get("q") or "").strip()
        self.page = 1
        return await self._refresh()

    @rx.event
    async def reset_filters(self):
        self.f_store = self.f_shop = self.f_platform = self.f_status = self.f_from = self.f_to = self.f_query = ""
        self.page, self.range_swapped = 1, False
        return await self._refresh()

    @rx.event
    async def go_page(self, page: int):
        self.page = min(max(1, page), self.pages)
        return await self._refresh()

    # ---- 推送到 ERP --------------------------------------------------------------------------
    @rx.event
    def toggle_selected(self, order_id: str, checked: bool):
        rest = [i for i in self.selected if i != order_id]
        self.selected = [*rest, order_id] if checked else rest

    @rx.event
    async def push_selected(self):
        """Manual push of the ticked orders (each goes when its lines are linked)."""
        try:
            actor = await current_actor(self)
            ids = [int(i) for i in self.selected]
            result = await in_session(lambda s: erp_manual.push_orders(s, actor=actor, order_ids=ids))
        except Exception as exc:
            return await refuse(self, exc)
        self.selected = []
        counts = {k: result.get(k, 0) for k in ("queued", "repushed", "blocked", "skipped", "no_connection")}
        message = await translate(self, "erp.ui.push_result", **counts)
        await self._refresh(push_url=False)
        return rx.toast.info(message)
