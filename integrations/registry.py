"""Every partner the OMS talks to, listed once. Adding a platform: its package + one line here.

Importing this module registers each platform's profile with `qihang_app.domain.partners`, so
the services and the UI (which never import integrations) know what each platform supports.
Tests may `register()` a platform of their own and `unregister()` it afterwards.
"""

from __future__ import annotations

import integrations.alerts.registry  # noqa: F401  (registers the alert robots' profiles)
from integrations.contract import CarrierAdapter, PlatformAdapter
from integrations.douyin_laike.adapter import ADAPTER as DOUYIN_LAIKE
from integrations.erp_contract import ErpKind
from integrations.meituan.adapter import ADAPTER as MEITUAN
from qihang_app.domain import partners

PLATFORMS: dict[str, PlatformAdapter] = {}
CARRIERS: dict[str, CarrierAdapter] = {}
ERPS: dict[str, ErpKind] = {}


def register(adapter: PlatformAdapter) -> PlatformAdapter:
    PLATFORMS[adapter.profile.code] = adapter
    partners.register_profile(adapter.profile)
    return adapter


def unregister(code: str) -> None:
    PLATFORMS.pop(code, None)
    partners.unregister_profile(code)


def platform(code: str) -> PlatformAdapter:
    try:
        return PLATFORMS[code]
    except KeyError:
        raise LookupError(f"no adapter for platform {code!r}") from None


def find(code: str) -> PlatformAdapter | None:
    return PLATFORMS.get(code)


def platforms() -> list[PlatformAdapter]:
    return list(PLATFORMS.values())


def register_carrier(adapter: CarrierAdapter) -> CarrierAdapter:
    CARRIERS[adapter.code] = adapter
    return adapter


def register_erp(adapter: ErpKind) -> ErpKind:
    ERPS[adapter.code] = adapter
    return adapter


# ---- the platforms -------------------------------------------------------------------------------
register(MEITUAN)
register(DOUYIN_LAIKE)
