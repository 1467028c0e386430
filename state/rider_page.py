"""The own rider's phone page: no admin login, a secret link (?k=…) names the rider. Lists the
rider's rides and marks 到店 / 取货 / 送达; each tap moves the card on the store's board live."""

from __future__ import annotations

import reflex as rx

from qihang_app import live
from qihang_app.services import own_riders
from qihang_app.services.board_feed import feed
from qihang_app.services.errors import ServiceError
from state.auth import explain
from state.offloop import in_session, publish

NEXT = {"rider_accepted": "at_store", "at_store": "picked_up", "delivering": "delivered"}


class RiderPageState(rx.State):
    rider: str = ""
    rides: list[dict[str, str]] = []
    problem: str = ""
    _token: str = ""

    @rx.event
    async def load(self):
        self._token = str(self.router.url.query_parameters.get("k", ""))[:100]
        await self._reload()

    async def _reload(self):
        token = self._token
        try:
            rider, rows = await in_session(lambda s: _read(s, token))
        except ServiceError as exc:
            self.rider, self.rides, self.problem = "", [], await explain(self, exc)
            return
        self.rider, self.rides, self.problem = rider, rows, ""

    @rx.event
    async def step(self, delivery_id: str, step: str):
        token = self._token
        try:
            row = await in_session(
                lambda s: own_riders.rider_step(s, token=token, delivery_id=int(delivery_id), step=step)
            )
        except ServiceError as exc:
            return rx.toast.warning(await explain(self, exc))
        await publish(
            row.store_id, live.note(order_id=row.order_id, store_id=row.store_id, status=row.status, kind="rider")
        )
        await feed.refresh_orders([row.order_id])
        await self._reload()


def _read(session, token: str):
    rider = own_riders.rider_by_link(session, token=token)
    rows = []
    for ride, order in own_riders.rides_of(session, rider=rider):
        rows.append(
            {
                "id": str(ride.id),
                "no": f"#{order.day_seq}" if order.day_seq else order.display_no[-6:],
                "address": order.receiver_address or "",
                "receiver": order.receiver_name or "",
                "phone": order.receiver_phone or "",
                "tel": (order.receiver_phone or "").replace("_", ",,"),
                "status": ride.status,
                "next": NEXT.get(ride.status, ""),
            }
        )
    return rider.name, rows
