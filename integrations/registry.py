"""Every partner the OMS talks to, listed once. Adding a platform: its package + one line here.

Importing this module registers each platform's profile with `qihang_app.domain.partners`, so
the services and the UI (which never import integrations) know what each platform supports.
Tests may `register()` a platform of their own and `unregister()` it afterwards.
"""

from __future__ import annotations

from integrations.contract import CarrierAdapter, PlatformAdapter
from integrations.douyin_laike.adapter import ADAPTER as DOUYIN_LAIKE
from integrations.erp_contract import ErpKind
from integrations.meituan.adapter import ADAPTER as MEITUAN
from integrations.qihang_erp.kind import KIND as QIHANG_ERP
from qihang_app.domain import erp_kinds, partners

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
    erp_kinds.register_profile(
        erp_kinds.ErpProfile(
            code=adapter.code,
            name_zh=adapter.name_zh,
            name_en=adapter.name_en,
            fields=tuple(
                erp_kinds.ErpFieldInfo(f.name, f.label_zh, f.label_en, f.secret, f.required, f.hint_zh, f.hint_en)
                for f in adapter.fields
            ),
            default_url=adapter.default_url,
            events=frozenset(adapter.events),
            polls_shipments=adapter.polls_shipments,
        )
    )
    return adapter


def unregister_erp(code: str) -> None:
    ERPS.pop(code, None)
    erp_kinds.unregister_profile(code)


# ---- the platforms -------------------------------------------------------------------------------
register(MEITUAN)
register(DOUYIN_LAIKE)

# ---- the ERPs ------------------------------------------------------------------------------------
register_erp(QIHANG_ERP)
