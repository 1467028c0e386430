"""库存 page, 店铺库存设置: when each shop's orders take stock, its safety buffer and the location
it sells from."""

from __future__ import annotations

import reflex as rx

from qihang_app.services import stock_admin
from qihang_app.services.errors import ServiceError
from state.auth import current_actor, refuse, translate
from state.offloop import in_session
from state.permissions import requires, view_only
from state.stock import StockState

STORE_SHELF = "store"  # the select's value for "its own store's shelf" (no location chosen)


class WarehouseState(rx.State):
    """新建仓库 (admins): a location that is not a store's shelf, for 调拨 and receipts."""

    open: bool = False
    error: str = ""

    @rx.event
    @view_only
    def set_open(self, value: bool):
        self.open, self.error = value, ""

    @rx.event
    @requires("stock.settings")
    async def create(self, form: dict):
        name = form.get("name", "")
        try:
            actor = await current_actor(self)
            await in_session(lambda s: stock_admin.create_warehouse(s, actor=actor, name=name))
        except ServiceError as exc:
            self.error = await translate(self, exc.key or "", **exc.params)
            return
        except Exception as exc:
            return await refuse(self, exc)
        self.open = False
        return [StockState.load, rx.toast.success(await translate(self, "stock.saved"))]


class StockShopsState(rx.State):
    open: bool = False
    shops: list[dict[str, str]] = []
    errors: dict[str, str] = {}  # "<shop id>" → the refusal of that shop's row

    @rx.event
    @requires("stock.settings")
    async def show(self):
        try:
            actor = await current_actor(self)
            rows = await in_session(lambda s: stock_admin.shop_settings(s, actor=actor))
        except Exception as exc:
            return await refuse(self, exc)
        self.shops = [
            {
                "id": str(shop.id),
                "name": shop.name,
                "platform": shop.platform,
                "reserve_on": setting.reserve_on,
                "buffer": str(setting.buffer),
                "location": str(setting.location_id) if setting.location_id else STORE_SHELF,
            }
            for shop, setting in rows
        ]
        self.errors = {}
        self.open = True

    @rx.event
    @view_only
    def set_open(self, value: bool):
        self.open = value

    @rx.event
    @requires("stock.settings")
    async def save(self, form: dict):
        shop_id = str(form.get("shop_id", ""))
        location = str(form.get("location") or STORE_SHELF)
        reserve_on, buffer = str(form.get("reserve_on") or "accept"), form.get("buffer", "")
        self.errors = {k: v for k, v in self.errors.items() if k != shop_id}
        try:
            actor = await current_actor(self)
            await in_session(
                lambda s: stock_admin.set_shop_setting(
                    s,
                    actor=actor,
                    shop_id=int(shop_id),
                    reserve_on=reserve_on,
                    buffer=buffer,
                    location_id=None if location == STORE_SHELF else int(location),
                )
            )
        except ServiceError as exc:
            self.errors = {**self.errors, shop_id: await translate(self, exc.key or "", **exc.params)}
            return
        except Exception as exc:
            return await refuse(self, exc)
        return rx.toast.success(await translate(self, "stock.saved"))
