"""Bind the sandbox's demo shops to demo stores in the OMS (idempotent; run by the run command)."""

from __future__ import annotations

import argparse

from sqlmodel import select

from integrations import registry
from integrations.sandbox.app import demo_shops
from integrations.sandbox.store import Shop as SandboxShop
from qihang_app.db import session_scope
from qihang_app.models import Shop, Store, User
from qihang_app.services import auth, stores
from scripts.demo_carriers import seed_carriers

# Demo stores' addresses, one per demo shop in registry order (more shops reuse the last).
ADDRESSES = ["上海市静安区南京西路 1266 号", "上海市徐汇区衡山路 10 号", "上海市黄浦区淮海中路 300 号"]


def credentials(spec: dict, sandbox_url: str) -> dict:
    twin = registry.platform(spec["platform"]).twin()
    return twin.oms_credentials(SandboxShop(**spec), sandbox_url)


def seed(sandbox_url: str) -> list[str]:
    made = []
    with session_scope() as session:
        admin = session.exec(select(User).where(User.role == "admin").order_by(User.id)).first()
        actor = auth.actor_for_user(session, admin)
        for index, spec in enumerate(demo_shops()):
            store_name = spec["name"].replace("启航便利店", "启航便利店 ").replace("(", "").replace(")", "")
            store = session.exec(select(Store).where(Store.name == store_name)).first()
            if store is None:
                store = stores.create_store(
                    session,
                    actor=actor,
                    name=store_name,
                    address=ADDRESSES[min(index, len(ADDRESSES) - 1)],
                    lat=spec["lat"],
                    lng=spec["lng"],
                    opening_hours="08:00-23:00",
                    phone="021-60000000",
                )
                session.flush()
            shop = session.exec(
                select(Shop).where(Shop.platform == spec["platform"], Shop.platform_shop_id == spec["shop_id"])
            ).first()
            if shop is None:
                stores.create_shop(
                    session,
                    actor=actor,
                    store_id=store.id,
                    platform=spec["platform"],
                    platform_shop_id=spec["shop_id"],
                    name=spec["name"],
                    credentials=credentials(spec, sandbox_url),
                    sweep_interval_seconds=60,  # pushes sent before the app was up are recovered soon
                )
                made.append(spec["name"])
        names = [s["name"].replace("启航便利店", "启航便利店 ").replace("(", "").replace(")", "") for s in demo_shops()]
        seed_carriers(session, actor, sandbox_url, names)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sandbox-url", default="http://127.0.0.1:8700")
    args = parser.parse_args()
    made = seed(args.sandbox_url.rstrip("/"))
    print("demo shops bound: " + (", ".join(made) if made else "already there"))


if __name__ == "__main__":
    main()
