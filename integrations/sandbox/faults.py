"""Faults injected on demand: each rule fires for its next `count` matching requests or pushes."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import asdict, dataclass
from enum import StrEnum


class FaultKind(StrEnum):
    # API side (answers to the OMS)
    SERVER_ERROR = "5xx"  # HTTP 500/503
    RATE_LIMIT = "rate_limit"  # Meituan 711 / Douyin busy
    SLOW = "slow"  # answer after delay_ms
    EXPIRE_TOKEN = "expire_token"  # Douyin: the presented token is treated as expired
    # push side (calls to the OMS)
    DUPLICATE_PUSH = "duplicate_push"
    DROP_PUSH = "drop_push"  # never sent; the API sweep must still find the order
    REORDER_PUSH = "reorder_push"  # held back and sent after the next push of the same shop


API_FAULTS = frozenset({FaultKind.SERVER_ERROR, FaultKind.RATE_LIMIT, FaultKind.SLOW, FaultKind.EXPIRE_TOKEN})
PUSH_FAULTS = frozenset({FaultKind.DUPLICATE_PUSH, FaultKind.DROP_PUSH, FaultKind.REORDER_PUSH})


@dataclass
class Fault:
    id: int
    kind: FaultKind
    count: int  # how many more times it fires
    platform: str = ""  # "" = any
    shop_id: str = ""  # "" = any (API faults only know the shop when the request names it)
    path_contains: str = ""  # API path or push type filter
    delay_ms: int = 0  # SLOW only
    status: int = 500  # SERVER_ERROR only

    def matches(self, platform: str, shop_id: str, path: str) -> bool:
        return (
            self.count > 0
            and self.platform in ("", platform)
            and self.shop_id in ("", shop_id)
            and self.path_contains in path
        )


class Faults:
    def __init__(self) -> None:
        self._rules: list[Fault] = []
        self._ids = itertools.count(1)
        self.fired: Counter[str] = Counter()

    def add(
        self,
        kind: str,
        *,
        count: int = 1,
        platform: str = "",
        shop_id: str = "",
        path_contains: str = "",
        delay_ms: int = 0,
        status: int = 500,
    ) -> Fault:
        fault = Fault(
            id=next(self._ids),
            kind=FaultKind(kind),
            count=max(0, int(count)),
            platform=platform,
            shop_id=shop_id,
            path_contains=path_contains,
            delay_ms=int(delay_ms),
            status=int(status),
        )
        self._rules.append(fault)
        return fault

    def clear(self) -> None:
        self._rules.clear()

    def active(self) -> list[dict]:
        return [asdict(f) for f in self._rules if f.count > 0]

    def take(self, kinds: frozenset[FaultKind], platform: str, shop_id: str, path: str) -> Fault | None:
        """The first live rule of one of `kinds` that matches; it is used up by one firing."""
        for fault in self._rules:
            if fault.kind in kinds and fault.matches(platform, shop_id, path):
                fault.count -= 1
                self.fired[fault.kind] += 1
                return fault
        return None

    def take_api(self, platform: str, shop_id: str, path: str) -> Fault | None:
        return self.take(API_FAULTS - {FaultKind.EXPIRE_TOKEN}, platform, shop_id, path)

    def take_token_expiry(self, platform: str, shop_id: str, path: str) -> bool:
        return self.take(frozenset({FaultKind.EXPIRE_TOKEN}), platform, shop_id, path) is not None

    def take_push(self, platform: str, shop_id: str, push_type: str) -> Fault | None:
        return self.take(PUSH_FAULTS, platform, shop_id, push_type)
