"""店铺商品 page: the shops' SKUs with their links, the 未关联 count, one-click suggestions, linking
and unlinking by hand, and product pulls whose progress is read back from their log rows (so
leaving the page loses nothing: coming back shows the bar where the worker is)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import reflex as rx

from qihang_app.domain import input_rules as rules
from qihang_app.domain.display import format_time
from qihang_app.domain.money import format_money
from qihang_app.i18n import render
from qihang_app.services import catalog, shop_skus, sku_links
from qihang_app.services.errors import ServiceError
from state.auth import current_actor, explain, lang_of, refuse, translate
from state.offloop import in_session
from state.products import query_string

WATCH_SECONDS = 15 * 60  # the progress poll stops after this, whatever


def _row(r) -> dict[str, str]:
    return {
        "id": str(r.id),
        "shop": r.shop_name,
        "platform": r.platform,
        "sku_id": r.platform_sku_id,
        "outer_code": r.outer_code,
        "barcode": r.barcode,
        "name": r.name,
        "spec": r.spec,
        "price": format_money(r.price_fen),
        "linked": "1" if r.erp_sku_id else "",
        "erp": f"{r.erp_code} · {r.erp_name}" + (f" {r.erp_spec}" if r.erp_spec else "") if r.erp_sku_id else "",
        "waiting": str(r.waiting_lines) if r.waiting_lines else "",
    }


def _pull_fields(pull, now: datetime, lang: str) -> dict[str, str]:
    """The shop's newest product pull, for its card ("" status: never pulled)."""
    if pull is None:
        return {"status": "", "read": "", "linked": "", "when": "", "error": ""}
    return {
        "status": pull.status,
        "read": str(pull.orders),
        "linked": str(pull.changed),
        "when": format_time(pull.created_at, now),
        "error": render(pull.error, lang) if pull.error else "",
    }


class ShopProductsState(rx.State):
    rows: list[dict[str, str]] = []
    total: int = 0
    unlinked: int = 0
    page: int = 1
    pages: int = 1
    f_shop: str = ""
    f_query: str = ""
    f_linked: str = ""
    shop_options: list[dict[str, str]] = []
    watching: bool = False
    hints: list[dict[str, str]] = []

    link_dialog: bool = False
    target: dict[str, str] = {}
    erp_query: str = ""
    erp_results: list[dict[str, str]] = []
    unlink_dialog: bool = False
    unlink_error: str = ""
    history_dialog: bool = False
    history: list[dict[str, str]] = []

    @rx.event
    async def load(self):
        params = self.router.url.query_parameters
        self.f_shop, self.f_query = params.get("shop", ""), params.get("q", "")
        self.f_linked = params.get("linked", "")
        self.page = 1
        events = [await self._refresh()]
        if any(p["status"] in ("queued", "running") for p in self.shop_options):
            events.append(ShopProductsState.watch)  # a pull started earlier: its bar picks up where it is
        return [e for e in events if e is not None]

    async def _refresh(self):
        try:
            actor = await current_actor(self)
        except Exception as exc:
            return await refuse(self, exc)
        shop_id = int(self.f_shop) if self.f_shop.isdigit() else None
        q, linked, page = self.f_query, self.f_linked, self.page

        def read(session):
            return (
                shop_skus.list_shop_skus(session, actor=actor, shop_id=shop_id, q=q, linked=linked, page=page),
                shop_skus.pullable_shops(session, actor=actor),
                shop_skus.latest_product_pulls(session, actor=actor),
                shop_skus.suggestion_rows(session, actor=actor, shop_id=shop_id),
            )

        result, shops, pulls, hints = await in_session(read)
        self.rows = [_row(r) for r in result.rows]
        self.total, self.unlinked, self.pages = result.total, result.unlinked, result.pages
        self.page = min(result.page, result.pages)
        lang = await lang_of(self)
        now = datetime.now(UTC)
        self.shop_options = [
            {"id": str(i), "name": name, "platform": platform, **_pull_fields(pulls.get(i), now, lang)}
            for i, name, platform in shops
        ]
        wanted = {"shop": self.f_shop, "q": q, "linked": linked}
        script = f"window.history.replaceState(null, '', '/shop-products{query_string(wanted)}')"
        self.hints = [
            {
                "shop_sku_id": str(h.shop_sku_id),
                "erp_sku_id": str(h.erp_sku_id),
                "how": h.how,
                "shop": h.shop_name,
                "name": h.name + (f" {h.spec}" if h.spec else ""),
                "erp": f"{h.erp_code} · {h.erp_name}" + (f" {h.erp_spec}" if h.erp_spec else ""),
            }
            for h in hints
        ]
        return rx.call_script(script)

    # ---- filters ------------------------------------------------------------------------------
    @rx.event
    async def search(self, form: dict):
        self.f_query, self.page = str(form.get("q") or "").strip(), 1
        return await self._refresh()

    @rx.event
    async def set_shop(self, value: str):
        self.f_shop, self.page = ("" if value == "all" else value), 1
        return await self._refresh()

    @rx.event
    async def set_linked(self, value: str):
        self.f_linked, self.page = ("" if value == "all" else value), 1
        return await self._refresh()

    @rx.event
    async def go_page(self, page: int):
        self.page = min(max(1, page), self.pages)
        return await self._refresh()

    # ---- pulls --------------------------------------------------------------------------------
    @rx.event
    async def pull(self, shop_id: str):
        try:
            actor = await current_actor(self)
            await in_session(lambda s: shop_skus.request_product_pull(s, actor=actor, shop_id=int(shop_id)))
        except ServiceError as exc:
            return rx.toast.error(await explain(self, exc))
        except Exception as exc:
            return await refuse(self, exc)
        await self._refresh()
        return [rx.toast.info(await translate(self, "shopsku.pull_queued")), ShopProductsState.watch]

    @rx.event(background=True)
    async def watch(self):
        """Reread the pull rows every second while one is queued or running (bounded)."""
        async with self:
            if self.watching:
                return
            self.watching = True
        deadline = time.monotonic() + WATCH_SECONDS
        try:
            while time.monotonic() < deadline:
                await asyncio.sleep(1.0)
                async with self:
                    try:
                        await self._refresh()
                    except Exception:
                        break
                    if not any(p["status"] in ("queued", "running") for p in self.shop_options):
                        break
        finally:
            async with self:
                self.watching = False

    # ---- links --------------------------------------------------------------------------------
    async def _linked(self, work, toast_key: str):
        try:
            actor = await current_actor(self)
            order_ids = await in_session(lambda s: work(s, actor))
        except ServiceError as exc:
            return rx.toast.error(await explain(self, exc))
        except Exception as exc:
            return await refuse(self, exc)
        self.link_dialog = False
        await self._refresh()
        return rx.toast.success(await translate(self, toast_key, n=len(order_ids)))

    @rx.event
    async def accept_hint(self, shop_sku_id: str, erp_sku_id: str):
        pairs = [(int(shop_sku_id), int(erp_sku_id))]
        return await self._linked(lambda s, a: shop_skus.accept_suggestions(s, actor=a, pairs=pairs), "shopsku.linked")

    @rx.event
    async def accept_all_hints(self):
        pairs = [(int(h["shop_sku_id"]), int(h["erp_sku_id"])) for h in self.hints]
        return await self._linked(lambda s, a: shop_skus.accept_suggestions(s, actor=a, pairs=pairs), "shopsku.linked")

    @rx.event
    def open_link(self, row: dict):
        self.target, self.erp_query, self.erp_results = dict(row), "", []
        self.link_dialog = True

    @rx.event
    def set_link_dialog(self, value: bool):
        self.link_dialog = value

    @rx.event
    async def find_erp(self, form: dict):
        self.erp_query = str(form.get("q") or "").strip()[: rules.LIMITS["search"]]
        try:
            actor = await current_actor(self)
            q = self.erp_query
            found = await in_session(lambda s: catalog.search_skus(s, actor=actor, q=q))
        except Exception as exc:
            return await refuse(self, exc)
        self.erp_results = [
            {"id": str(s.id), "code": s.code, "name": s.name, "spec": s.spec, "price": format_money(s.price_fen)}
            for s in found
        ]

    @rx.event
    async def link_to(self, erp_sku_id: str):
        shop_sku_id = int(self.target["id"])

        def work(session, actor):
            return sku_links.link_shop_sku(
                session, actor=actor, shop_sku_id=shop_sku_id, erp_sku_id=int(erp_sku_id)
            ).order_ids

        return await self._linked(work, "shopsku.linked")

    @rx.event
    def open_unlink(self, row: dict):
        self.target, self.unlink_error, self.unlink_dialog = dict(row), "", True

    @rx.event
    def set_unlink_dialog(self, value: bool):
        self.unlink_dialog = value

    @rx.event
    async def unlink(self, form: dict):
        shop_sku_id, reason = int(self.target["id"]), str(form.get("reason") or "")
        try:
            actor = await current_actor(self)
            await in_session(
                lambda s: sku_links.unlink_shop_sku(s, actor=actor, shop_sku_id=shop_sku_id, reason=reason)
            )
        except ServiceError as exc:
            self.unlink_error = await explain(self, exc)
            return
        except Exception as exc:
            return await refuse(self, exc)
        self.unlink_dialog = False
        await self._refresh()
        return rx.toast.success(await translate(self, "shopsku.unlinked_done"))

    # ---- who linked and unlinked, and why ---------------------------------------------------
    @rx.event
    async def open_history(self, row: dict):
        shop_sku_id = int(row["id"])
        try:
            actor = await current_actor(self)
            events = await in_session(lambda s: sku_links.link_history(s, actor=actor, shop_sku_id=shop_sku_id))
        except ServiceError as exc:
            return rx.toast.error(await explain(self, exc))
        except Exception as exc:
            return await refuse(self, exc)
        automatic = await translate(self, "shopsku.by_worker")
        now = datetime.now(UTC)
        self.target = dict(row)
        self.history = [
            {
                "when": format_time(e.at, now),
                "action": e.action,
                "how": e.how,
                "erp": e.erp_code,
                "who": e.username or (automatic if e.actor == "worker" else e.actor),
                "reason": e.reason,
                "lines": str(e.lines) if e.lines else "",
            }
            for e in events
        ]
        self.history_dialog = True

    @rx.event
    def set_history_dialog(self, value: bool):
        self.history_dialog = value
