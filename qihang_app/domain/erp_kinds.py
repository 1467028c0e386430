"""What the OMS may know about a kind of ERP without importing its package.

`integrations.registry.register_erp` registers each kind's `ErpProfile` here (pure data), so the
services and the connection form ask this module which fields a kind needs and which are secret.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErpFieldInfo:
    name: str
    label_zh: str
    label_en: str
    secret: bool = False
    required: bool = True
    hint_zh: str = ""
    hint_en: str = ""


@dataclass(frozen=True)
class ErpProfile:
    code: str
    name_zh: str
    name_en: str
    fields: tuple[ErpFieldInfo, ...]
    default_url: str = ""
    events: frozenset[str] = frozenset()
    polls_shipments: bool = False

    def field(self, name: str) -> ErpFieldInfo | None:
        return next((f for f in self.fields if f.name == name), None)


_PROFILES: dict[str, ErpProfile] = {}


def register_profile(profile: ErpProfile) -> None:
    _PROFILES[profile.code] = profile


def unregister_profile(code: str) -> None:
    _PROFILES.pop(code, None)


def profile(code: str) -> ErpProfile | None:
    return _PROFILES.get(code)


def profiles() -> list[ErpProfile]:
    return list(_PROFILES.values())
