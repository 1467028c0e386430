"""订单 page: filters kept in the URL, paging, and a detail drawer."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from urllib.parse import urlencode

import reflex as rx

from qihang_app.db import session_scope
from qihang_app.domain.clock import SHANGHAI
from qihang_app.domain.display import format_time
from qihang_app.domain.money import format_money
from qihang_app.domain.order_flow import status_label
from qihang_app.services import orders as order_service
from qihang_app.services import stores as store_service
from state.auth import AuthState

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
    return datetime.combine(d, time.min, SHANGHAI).astimezone(timezone.utc)


def _int_or_none(value: str) -> int | None:
    return int(value) if value and value.isdigit() else None


def _fmt_dt(value: datetime | None) -> str:
    return format_time(value, datetime.now(timezone.utc)) if value else ""


class OrdersState(AuthState):
    rows: list[dict[str, str]] = []
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
    store_options: list[dict[str, str]] = []
    shop_options: list[dict[str, str]] = []

    detail_open: bool = False
    detail: dict[str, str] = {}
    detail_lines: list[dict[str, str]] = []
    detail_events: list[dict[str, str]] = []

    # 手工建单 (manual offline order): lines are kept as keys only; their values come from the form
    manual_open: bool = False
    manual_store: str = ""
    manual_lines: list[dict[str, str]] = [{"key": "1"}]
    manual_next_key: int = 2
    manual_error: str = ""

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
        return await self._refresh(push_url=False)

    async def _refresh(self, *, push_url: bool = True):
        try:
            actor = self._actor()
        except Exception as exc:
            return await self._denied(exc)
        with session_scope() as session:
            stores = store_service.list_stores(session, actor=actor)
            shops = store_service.list_shops(session, actor=actor, store_id=_int_or_none(self.f_store))
            result = order_service.list_orders(
                session,
                actor=actor,
                store_id=_int_or_none(self.f_store),
                shop_id=_int_or_none(self.f_shop),
                platform=self.f_platform or None,
                status=self.f_status or None,
                placed_from=_day_start_utc(self.f_from),
                placed_to=_day_start_utc(self.f_to, end=True),
                query=self.f_query.strip() or None,
                page=self.page,
                page_size=self.page_size,
            )
        self.store_options = [{"id": str(s.id), "name": s.name} for s in stores]
        self.shop_options = [{"id": str(s.id), "name": s.name} for s in shops]
        self.total = result.total
        self.rows = [self._row(r) for r in result.rows]
        if push_url:
            return rx.call_script(f"window.history.replaceState(null, '', '/orders{self._query_string()}')")

    @staticmethod
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
            "placed": _fmt_dt(get("placed_at")),
            "items": get("item_summary") or "",
        }

    def _query_string(self) -> str:
        values = {
            "store": self.f_store, "shop": self.f_shop, "platform": self.f_platform, "status": self.f_status,
            "from": self.f_from, "to": self.f_to, "q": self.f_query, "page": str(self.page) if self.page > 1 else "",
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
        self.f_from = value
        self.page = 1
        return await self._refresh()

    @rx.event
    async def set_to(self, value: str):
        self.f_to = value
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
        self.page = 1
        return await self._refresh()

    @rx.event
    async def go_page(self, page: int):
        self.page = min(max(1, page), self.pages)
        return await self._refresh()

    # ---- detail drawer -----------------------------------------------------------------------
    @rx.event
    async def open_detail(self, order_id: str):
        try:
            actor = self._actor()
            with session_scope() as session:
                d = order_service.get_order_detail(session, actor=actor, order_id=int(order_id))
                self._fill_detail(d)
        except Exception as exc:
            return await self._denied(exc)
        self.detail_open = True

    def _fill_detail(self, d) -> None:
        o = d.order
        self.detail = {
            "id": str(o.id),
            "platform": str(o.platform),
            "no": o.display_no or o.platform_order_id,
            "platform_order_id": o.platform_order_id,
            "seq": f"#{o.day_seq}" if o.day_seq else "",
            "status": str(o.status),
            "raw_status": " · ".join(x for x in (o.raw_status_code or "", o.raw_status_text or "") if x),
            "buyer_memo": o.buyer_memo or "",
            "seller_memo": o.seller_memo or "",
            "receiver_name": o.receiver_name or "",
            "receiver_phone": o.receiver_phone or "",
            "receiver_address": o.receiver_address or "",
            "goods": format_money(o.goods_fen or 0),
            "freight": format_money(o.freight_fen or 0),
            "packing": format_money(o.packing_fen or 0),
            "platform_discount": format_money(-(o.platform_discount_fen or 0)),
            "merchant_discount": format_money(-(o.merchant_discount_fen or 0)),
            "paid": format_money(o.paid_fen or 0),
            "receivable": format_money(o.merchant_receivable_fen or 0),
            "placed": _fmt_dt(o.placed_at),
            "shop": getattr(d, "shop_name", "") or "",
        }
        self.detail_lines = [
            {
                "name": line.name or "",
                "spec": line.spec or "",
                "qty": str(line.quantity),
                "multi": "1" if line.quantity > 1 else "",
                "price": format_money(line.unit_price_fen or 0),
                "discount": format_money(-(line.allocated_discount_fen or 0)),
                "paid": format_money(line.paid_fen or 0),
                "erp": str(line.erp_sku_id or ""),
                "code": line.outer_sku_code or line.platform_sku_id or "",
            }
            for line in d.lines
        ]
        self.detail_events = [
            {
                "at": _fmt_dt(e.at),
                "actor": e.actor or "",
                "kind": e.kind or "",
                "change": " → ".join(status_label(x) for x in (e.from_status, e.to_status) if x),
                "note": e.note or "",
            }
            for e in d.events
        ]

    @rx.event
    def set_detail_open(self, value: bool):
        self.detail_open = value

    # ---- 手工建单 ------------------------------------------------------------------------------
    @rx.event
    def open_manual(self):
        self.manual_store = self.f_store or (self.store_options[0]["id"] if self.store_options else "")
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
            self.manual_error = await self._t("manual.store_required")
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
            self.manual_error = await self._t("manual.bad_number")
            return
        try:
            actor = self._actor()
            with session_scope() as session:
                order = order_service.create_manual_order(
                    session, actor=actor, store_id=int(self.manual_store),
                    receiver_name=form.get("receiver_name") or "",
                    receiver_phone=form.get("receiver_phone") or "",
                    receiver_address=form.get("receiver_address") or "",
                    buyer_memo=(form.get("memo") or "").strip(), lines=lines,
                    freight_fen=freight, discount_fen=discount)
                order_no, order_id = order.display_no, order.id
        except ValueError as exc:  # services' ValidationError
            self.manual_error = str(exc)
            return
        except Exception as exc:
            return await self._denied(exc)
        self.manual_open = False
        await self._refresh()
        await self.open_detail(str(order_id))
        return rx.toast.success(await self._t("manual.created", no=order_no))


def _whole(text: str) -> int:
    value = int(str(text).strip())
    if value < 1:
        raise ValueError(text)
    return value


def _fen(text: str) -> int:
    """Yuan typed by a person → fen; at most two decimals, never negative."""
    from decimal import Decimal, InvalidOperation

    from qihang_app.domain.money import MoneyError, yuan_to_fen

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

