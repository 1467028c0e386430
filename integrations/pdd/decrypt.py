"""Receiver decryption through `pdd.open.decrypt.batch`, only for merchants who hold the
permission (`credentials['decrypt']`); without it, or when PDD refuses, the masks stay."""

from __future__ import annotations

import logging

from integrations.base import PlatformError
from integrations.pdd.client import PddClient
from integrations.pdd.spec import DECRYPT_BATCH, Api

log = logging.getLogger("integrations.pdd")

# encrypted wire field → our plain field
FIELDS = (("receiver_name", "name"), ("receiver_phone", "phone"), ("address", "address"))


async def decrypt_receivers(client: PddClient, orders: list[dict]) -> None:
    """Adds `_decrypted` {name, phone, address} to each order whose ciphertexts PDD opened."""
    items = [
        (order, plain, str(order[wire]))
        for order in orders
        for wire, plain in FIELDS
        if str(order.get(wire) or "").startswith("~")
    ]
    for start in range(0, len(items), DECRYPT_BATCH):
        batch = items[start : start + DECRYPT_BATCH]
        payload = [{"data_tag": str(order["order_sn"]), "encrypted_data": text} for order, _, text in batch]
        try:
            data = await client.call(Api.DECRYPT, {"data_list": payload})
        except PlatformError as exc:
            if exc.retryable:
                raise
            log.warning("pdd decrypt refused for mall %s: %s (masks kept)", client.mall_id, exc.code)
            return
        opened = {
            (str(row.get("data_tag")), str(row.get("encrypted_data"))): row.get("decrypted_data")
            for row in data.get("data_decrypt_list") or ()
            if not row.get("error_code")
        }
        for order, plain, text in batch:
            value = opened.get((str(order["order_sn"]), text))
            if value:
                order.setdefault("_decrypted", {})[plain] = value
