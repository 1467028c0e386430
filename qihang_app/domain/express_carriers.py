"""Our carrier list (快递公司): one code per carrier, with its Chinese and English names.

Partners name carriers in their own ways (numeric ids, their own codes, free text); each adapter
maps theirs to these codes at its edge. Matching by name is the fallback for free text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Carrier:
    code: str
    name_zh: str
    name_en: str
    aliases: tuple[str, ...] = ()  # other names seen in partners' data (short names, old names)


CARRIERS: tuple[Carrier, ...] = (
    Carrier("SF", "顺丰速运", "SF Express", ("顺丰", "顺丰快递")),
    Carrier("ZTO", "中通快递", "ZTO Express", ("中通",)),
    Carrier("YTO", "圆通速递", "YTO Express", ("圆通", "圆通快递")),
    Carrier("STO", "申通快递", "STO Express", ("申通",)),
    Carrier("YD", "韵达快递", "Yunda Express", ("韵达", "韵达速递")),
    Carrier("JD", "京东物流", "JD Logistics", ("京东", "京东快递")),
    Carrier("EMS", "中国邮政 EMS", "China Post EMS", ("EMS", "邮政EMS", "邮政特快专递")),
    Carrier("YZPY", "邮政快递包裹", "China Post parcel", ("邮政包裹", "中国邮政", "邮政快递")),
    Carrier("JT", "极兔速递", "J&T Express", ("极兔", "极兔快递", "J&T")),
    Carrier("DBL", "德邦快递", "Deppon Express", ("德邦", "德邦物流")),
    Carrier("BEST", "百世快递", "Best Express", ("百世", "百世汇通")),
    Carrier("ZJS", "宅急送", "ZJS Express", ()),
    Carrier("DNWL", "丹鸟", "Danniao", ("丹鸟物流",)),
    Carrier("SELF", "商家自送", "Merchant's own delivery", ("自送", "自提")),
    Carrier("OTHER", "其他快递", "Other carrier", ()),
)

BY_CODE: dict[str, Carrier] = {c.code: c for c in CARRIERS}
OTHER = BY_CODE["OTHER"]


def carrier(code: str) -> Carrier | None:
    return BY_CODE.get(code.strip().upper()) if code else None


def carrier_by_name(text: str) -> Carrier:
    """The carrier a free-text name means ("顺丰速运", "中通", "J&T"), else OTHER.

    The longest matching name wins, so "邮政EMS" is EMS and not the 邮政 parcel service."""
    words = (text or "").strip()
    if not words:
        return OTHER
    if (exact := carrier(words)) is not None:
        return exact
    best, best_len = OTHER, 0
    for item in CARRIERS:
        for name in (item.name_zh, *item.aliases):
            if name and name in words and len(name) > best_len:
                best, best_len = item, len(name)
    return best
