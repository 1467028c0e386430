"""What the carrier tests share: an account on the carrier's twin (sandbox over loopback), its
adapter, a delivery order, one rider event by hand, and the callbacks the receiver got.

Each account gets its own callback path on the session's receiver, so tests never see each other's
callbacks; accounts start with riders standing still (`auto` off) unless a test wants the timeline.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from integrations import registry
from integrations.carrier_contract import Account, DeliveryOrder
from tests.integrations.conftest import FAST_RETRY

_refs = itertools.count(1)


@dataclass
class Rig:
    """One carrier account on the twin and everything a test needs around it."""

    carrier: str
    info: dict[str, Any]  # the control API's view of the account (key, secret, keys, ...)
    control: httpx.Client
    receiver: Any
    callback_url: str
    http: httpx.AsyncClient

    @property
    def kind(self):
        return registry.carrier(self.carrier)

    def adapter(self, **keys: str):
        account = Account(
            self.carrier, {**self.info["keys"], **keys}, base_url=self.info["base_url"], callback_url=self.callback_url
        )
        return self.kind.connect(account, self.http, FAST_RETRY)

    def order(self, **changes: Any) -> DeliveryOrder:
        fields: dict[str, Any] = dict(
            order_ref=f"QH{self.carrier[:2].upper()}{next(_refs):06d}",
            store_ref="",
            pickup_address="南京西路 1 号",
            pickup_lat=31.2290,
            pickup_lng=121.4480,
            receiver_name="林女士",
            receiver_phone="13800001234",
            receiver_address="衡山路 12 号",
            receiver_lat=31.2050,
            receiver_lng=121.4420,
            value_fen=5970,
            callback_url=self.callback_url,
        )
        fields.update(changes)
        return DeliveryOrder(**fields)

    def set(self, **settings: Any) -> dict:
        answer = self.control.patch(f"/carriers/{self.carrier}/accounts/{self.info['key']}", json=settings)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def ride(self, ref: str) -> dict:
        answer = self.control.get(f"/carriers/{self.carrier}/rides/{_ride(ref)}")
        assert answer.status_code == 200, answer.text
        return answer.json()

    def step(self, ref: str, event: str) -> dict:
        answer = self.control.post(f"/carriers/{self.carrier}/rides/{_ride(ref)}/{event}")
        assert answer.status_code == 200, answer.text
        return answer.json()

    def callbacks(self) -> list:
        path = httpx.URL(self.callback_url).path
        return self.receiver.matching(lambda p: p.path == path)

    async def wait_callbacks(self, count: int, timeout: float = 8.0) -> list:
        path = httpx.URL(self.callback_url).path
        return await self.receiver.wait_for(lambda p: p.path == path, count, timeout)

    def requests(self, method: str = "") -> list[dict]:
        params = {"carrier": self.carrier, "account": self.info["key"], **({"method": method} if method else {})}
        return self.control.get("/carriers/requests", params=params).json()


def _ride(ref: str) -> str:
    return ref.partition("/")[0]  # 美团跑腿's handle carries our delivery_id after a slash


def make_rig(carrier: str, control: httpx.Client, receiver, http: httpx.AsyncClient, **settings: Any) -> Rig:
    number = next(_refs)
    callback_url = f"{receiver.url}/cb/{carrier}/{number}"
    body = {"callback_url": callback_url, "auto": False, **settings}
    answer = control.post(f"/carriers/{carrier}/accounts", json=body)
    assert answer.status_code == 201, answer.text
    return Rig(carrier, answer.json(), control, receiver, callback_url, http)


@pytest.fixture
def rig_for(control, receiver, http):
    def build(carrier: str, **settings: Any) -> Rig:
        return make_rig(carrier, control, receiver, http, **settings)

    return build
