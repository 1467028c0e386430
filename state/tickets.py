"""打印小票 / 拣货单: /print?id=12&w=58 or /print?picklist=1 — opens the browser's print dialog."""

from __future__ import annotations

from datetime import UTC, datetime

import reflex as rx

from qihang_app.domain.display import format_time
from qihang_app.domain.money import format_money
from qihang_app.services import tickets
from qihang_app.services.errors import NotFoundError
from qihang_app.services.scope import ScopeError
from state.auth import current_actor, refuse
from state.offloop import in_session
from state.permissions import requires


class TicketState(rx.State):
    width: str = "58"
    kind: str = "ticket"  # or "picklist"
    head: dict[str, str] = {}
    lines: list[dict[str, str]] = []
    totals: list[dict[str, str]] = []
    barcode: str = ""
    error: str = ""
    # "" while printing is allowed; "no_permission" or "not_found" shows a page instead of a ticket
    refused: str = ""

    @rx.event
    @requires("order.print")
    async def load(self):
        params = self.router.url.query_parameters
        self.width = "80" if params.get("w") == "80" else "58"
        self.refused, self.head, self.lines, self.barcode, self.picked_orders = "", {}, [], "", ""
        now = datetime.now(UTC)
        try:
            actor = await current_actor(self)
            if params.get("picklist"):
                self.kind = "picklist"
                ids = [int(x) for x in params.get("ids", "").split(",") if x.isdigit()] or None
                store = params.get("store", "")
                store_ids = [int(store)] if store.isdigit() else None
                sections = await in_session(
                    lambda s: tickets.pick_list(s, actor=actor, order_ids=ids, store_ids=store_ids)
                )
                # one flat list (store header, its orders, its items) for one foreach
                self.lines = [
                    row
                    for sec in sections
                    for row in [
                        {"kind": "store", "name": sec.store_name},
                        {"kind": "orders", "name": " ".join(sec.orders)},
                    ]
                    + [{"kind": "item", "name": n, "spec": s, "qty": str(q)} for n, s, q in sec.items]
                ]
                self.head = {"printed": format_time(now, now), "count": str(sum(len(sec.orders) for sec in sections))}
            else:
                self.kind = "ticket"
                order_id = int(params.get("id", "0"))
                tk = await in_session(lambda s: tickets.ticket(s, actor=actor, order_id=order_id))
                self._fill(tk, now)
        except (ScopeError, NotFoundError) as exc:
            # No ticket and no print dialog: a page that says why (an empty ticket looked printable).
            self.refused = "no_permission" if isinstance(exc, ScopeError) else "not_found"
            return
        except Exception as exc:
            return await refuse(self, exc)
        return rx.call_script("setTimeout(function(){window.print()}, 400)")

    def _fill(self, tk: tickets.Ticket, now: datetime) -> None:
        self.head = tickets.ticket_head(tk, now)
        self.lines = [{"name": n, "spec": s, "qty": str(q), "paid": format_money(p)} for n, s, q, p in tk.lines]
        self.barcode = tk.barcode_svg_data_uri
