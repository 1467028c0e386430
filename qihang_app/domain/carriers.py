"""Carriers a shipment may name (our codes). Each platform adapter maps them to its own codes."""

from __future__ import annotations

from types import MappingProxyType

# code → (中文, English); the codes are what the ERP API and the manual entry take.
CARRIERS = MappingProxyType(
    {
        "SF": ("顺丰速运", "SF Express"),
        "ZTO": ("中通快递", "ZTO Express"),
        "YTO": ("圆通速递", "YTO Express"),
        "STO": ("申通快递", "STO Express"),
        "YUNDA": ("韵达快递", "Yunda Express"),
        "JTSD": ("极兔速递", "J&T Express"),
        "EMS": ("中国邮政 EMS", "China Post EMS"),
        "JD": ("京东物流", "JD Logistics"),
        "DADA": ("达达快送", "Dada"),
        "SHANSONG": ("闪送", "Shansong"),
        "UU": ("UU 跑腿", "UU Paotui"),
        "FENGNIAO": ("蜂鸟配送", "Fengniao"),
        "MEITUAN_PAOTUI": ("美团跑腿", "Meituan Paotui"),
        "SELF": ("商家自配送", "Own rider"),
        "OTHER": ("其他", "Other"),
    }
)


def is_carrier(code: str) -> bool:
    return code in CARRIERS


def carrier_label(code: str, lang: str = "zh") -> str:
    zh, en = CARRIERS.get(code, (code, code))
    return en if lang == "en" else zh
