"""电子面单 labels: /waybill-print?ids=3,4&size=76 (or 100) — one label per page, then the
browser's print dialog; 标记发货 on the page ships the printed orders."""

from __future__ import annotations

from datetime import UTC, datetime

import reflex as rx

from qihang_app.services import waybill_views, waybills
from qihang_app.services.errors import NotFoundError, ServiceError
from qihang_app.services.scope import ScopeError
from state.auth import current_actor, refuse, translate
from state.offloop import in_session
from state.permissions import requires


class WaybillPrintState(rx.State):
    size: str = "76"
    labels: list[dict[str, str]] = []
    refused: str = ""  # "no_permission" | "not_found" | "none" instead of labels
    shipped: bool = False

    @rx.event
    @requires("order.waybill")
    async def load(self):
        params = self.router.url.query_parameters
        self.size = "100" if params.get("size") == "100" else "76"
        self.labels, self.refused, self.shipped = [], "", False
        ids = [int(x) for x in str(params.get("ids", "")).split(",") if x.isdigit()]
        try:
            actor = await current_actor(self)
            now = datetime.now(UTC)
            self.labels = await in_session(lambda s: waybill_views.labels(s, actor=actor, order_ids=ids, now=now))
        except ScopeError:
            self.refused = "no_permission"
            return
        except (NotFoundError, ServiceError):
            self.refused = "not_found"
            return
        except Exception as exc:
            return await refuse(self, exc)
        if not self.labels:
            self.refused = "none"
            return
        return rx.call_script("setTimeout(function(){window.print()}, 500)")

    @rx.event
    @requires("order.waybill")
    async def ship(self):
        ids = [int(x["order_id"]) for x in self.labels]
        try:
            actor = await current_actor(self)
            shipped, refused = await in_session(lambda s: waybills.ship(s, actor=actor, order_ids=ids))
        except Exception as exc:
            return await refuse(self, exc)
        self.shipped = True
        toasts = [rx.toast.success(await translate(self, "waybill.ui.shipped", n=shipped))]
        if refused:
            toasts.append(rx.toast.warning(await translate(self, "waybill.ui.ship_refused", n=len(refused))))
        return toasts
