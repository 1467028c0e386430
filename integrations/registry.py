"""Every partner the OMS talks to, listed once. Adding a platform: its package + one line here.

Importing this module registers each platform's profile with `qihang_app.domain.partners`, so
the services and the UI (which never import integrations) know what each platform supports.
Tests may `register()` a platform of their own and `unregister()` it afterwards.
"""

from __future__ import annotations

import integrations.alerts.registry  # noqa: F401  (registers the alert robots' profiles)
from integrations.carrier_contract import CarrierKind
from integrations.contract import PlatformAdapter
from integrations.dada.adapter import KIND as DADA
from integrations.douyin_laike.adapter import ADAPTER as DOUYIN_LAIKE
from integrations.erp_contract import ErpKind
from integrations.jd.adapter import ADAPTER as JD
from integrations.jushuitan.adapter import KIND as JUSHUITAN
from integrations.kingdee.adapter import KIND as KINGDEE
from integrations.meituan.adapter import ADAPTER as MEITUAN
from integrations.meituan_paotui.adapter import KIND as MEITUAN_PAOTUI
from integrations.pdd.adapter import ADAPTER as PDD
from integrations.qihang_erp.kind import KIND as QIHANG_ERP
from integrations.sf_same_city.adapter import KIND as SF_SAME_CITY
from integrations.shansong.adapter import KIND as SHANSONG
from integrations.taobao.adapter import ADAPTER as TAOBAO
from integrations.wdt.adapter import KIND as WDT
from qihang_app.domain import carriers as carrier_profiles
from qihang_app.domain import erp_kinds, partners

PLATFORMS: dict[str, PlatformAdapter] = {}
CARRIERS: dict[str, CarrierKind] = {}
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


def register_carrier(kind: CarrierKind) -> CarrierKind:
    CARRIERS[kind.code] = kind
    carrier_profiles.register(
        carrier_profiles.CarrierProfile(
            kind.code,
            kind.name_zh,
            kind.name_en,
            tuple(
                carrier_profiles.KeyField(f.name, f.label_zh, f.label_en, f.secret, f.required, f.hint_zh, f.hint_en)
                for f in kind.fields
            ),
            kind.has_balance,
            kind.tips,
        )
    )
    return kind


def unregister_carrier(code: str) -> None:
    CARRIERS.pop(code, None)
    carrier_profiles.unregister(code)


def carrier(code: str) -> CarrierKind:
    try:
        return CARRIERS[code]
    except KeyError:
        raise LookupError(f"no carrier {code!r}") from None


def carriers() -> list[CarrierKind]:
    return list(CARRIERS.values())


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


def erps() -> list[ErpKind]:
    return list(ERPS.values())


def erp(code: str) -> ErpKind:
    try:
        return ERPS[code]
    except KeyError:
        raise LookupError(f"no ERP kind {code!r}") from None


# ---- the platforms -------------------------------------------------------------------------------
register(MEITUAN)
register(DOUYIN_LAIKE)
register(TAOBAO)
register(JD)
register(PDD)

# ---- the carriers --------------------------------------------------------------------------------
register_carrier(DADA)
register_carrier(SF_SAME_CITY)
register_carrier(SHANSONG)
register_carrier(MEITUAN_PAOTUI)

# ---- the ERPs --------------------------------------------------------------------------------------
register_erp(JUSHUITAN)
register_erp(WDT)
register_erp(KINGDEE)
register_erp(QIHANG_ERP)
