"""Bind the sandbox's demo carrier accounts (达达, 顺丰同城, 闪送, 美团跑腿) to every demo store
(idempotent; called by demo_seed)."""

from __future__ import annotations

from sqlmodel import Session, select

from integrations import registry
from integrations.sandbox.riders import Account
from qihang_app.models import CarrierAccount, Store
from qihang_app.services import carrier_accounts


def seed_carriers(session: Session, actor, sandbox_url: str, store_names: list[str]) -> int:
    made = 0
    for store in session.exec(select(Store).where(Store.name.in_(store_names))).all():
        have = set(session.exec(select(CarrierAccount.carrier).where(CarrierAccount.store_id == store.id)).all())
        for kind in registry.carriers():
            if kind.code in have:
                continue
            twin = kind.twin()
            demo = Account(kind.code, **twin.demo_account)
            carrier_accounts.save_account(
                session,
                actor=actor,
                store_id=store.id,
                carrier=kind.code,
                keys=twin.account_keys(demo, sandbox_url),
                base_url=sandbox_url + twin.prefix,
            )
            made += 1
    return made
