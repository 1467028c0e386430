"""python -m integrations.sandbox --port 8700 [--rate 0.5] [--callback-base http://127.0.0.1:3000]

Starts the sandbox on loopback with one demo shop per platform and one demo account per carrier
(credentials printed at start).
"""

from __future__ import annotations

import argparse
import logging

import uvicorn

from integrations import registry
from integrations.sandbox.app import DEMO_SHOPS, create_app

DEFAULT_PORT = 8700  # Settings.sandbox_port


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m integrations.sandbox")
    parser.add_argument("--host", default="127.0.0.1", choices=["127.0.0.1", "localhost", "::1"], help="loopback only")
    parser.add_argument("--port", type=int, default=_configured_port())
    parser.add_argument("--rate", type=float, default=0.0, help="orders per second per shop; streaming starts when > 0")
    parser.add_argument("--callback-base", default="", help="where pushes go, e.g. http://127.0.0.1:3000 (the OMS)")
    parser.add_argument("--seed", type=int, default=None, help="repeatable fake data")
    parser.add_argument("--no-demo-shops", action="store_true")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = create_app(
        seed=args.seed,
        callback_base=args.callback_base,
        rate=args.rate,
        demo_shops=not args.no_demo_shops,
        stream=args.rate > 0,
    )
    if not args.no_demo_shops:
        for shop in DEMO_SHOPS:
            print(
                f"demo shop {shop['platform']}: shop_id={shop['shop_id']} "
                f"app_id={shop['app_id']} secret={shop['secret']}"
            )
        for kind in registry.carriers():
            twin = kind.twin()
            demo = twin.demo_account
            print(
                f"demo carrier {kind.code}: key={demo['key']} secret={demo['secret']} shop={demo['shop']} at {twin.prefix}"
            )
    for kind in registry.erps():  # the ERP twins' demo connections (mounted always)
        keys = " ".join(f"{k}={v}" for k, v in kind.twin().demo_keys.items())
        print(f"demo ERP {kind.code}: {keys}")
    print(f"sandbox on http://{args.host}:{args.port}  (control API: /_control/stats, /_control/erp/<erp>)")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def _configured_port() -> int:
    try:
        from qihang_app.config import get_settings

        return get_settings().sandbox_port
    except Exception:  # settings unavailable (e.g. a bare checkout): use the documented default
        return DEFAULT_PORT


if __name__ == "__main__":
    raise SystemExit(main())
