"""What the OMS may know about a carrier without importing its adapter: names, the account form's
fields, and what it offers (balance, tips). integrations.registry registers each kind's profile
here, as it does for platforms (domain.partners)."""

from __future__ import annotations

from dataclasses import dataclass

OWN = "own"  # the store's own riders
PLATFORM = "platform"  # the platform's riders (美团专送 …), tracked only


@dataclass(frozen=True, slots=True)
class KeyField:
    name: str
    label_zh: str
    label_en: str
    secret: bool = False
    required: bool = True
    hint_zh: str = ""
    hint_en: str = ""


@dataclass(frozen=True, slots=True)
class CarrierProfile:
    code: str
    name_zh: str
    name_en: str
    fields: tuple[KeyField, ...]
    has_balance: bool = True
    tips: bool = True


_PROFILES: dict[str, CarrierProfile] = {}
_OWN_NAMES = {OWN: ("自有骑手", "Own rider"), PLATFORM: ("平台配送", "Platform delivery")}


def register(profile: CarrierProfile) -> None:
    _PROFILES[profile.code] = profile


def unregister(code: str) -> None:
    _PROFILES.pop(code, None)


def profile(code: str) -> CarrierProfile | None:
    return _PROFILES.get(code)


def profiles() -> list[CarrierProfile]:
    return list(_PROFILES.values())


def name(code: str, lang: str = "zh") -> str:
    found = _PROFILES.get(code)
    if found is not None:
        return found.name_zh if lang == "zh" else found.name_en
    zh, en = _OWN_NAMES.get(code, (code, code))
    return zh if lang == "zh" else en
